import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { moveAway, observe, tryCreate, type LockOwner } from '../../src/host/records/lock-dir.js';
import { lockVerdict, withProjectLock, withWorkerLock } from '../../src/host/records/lock.js';
import { LockTimeoutError } from '../../src/errors.js';
import { bootId, readProc } from '../../src/host/records/proc.js';

const stateDir = () => mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'lock-'));

function owner(nonce: string, pid = 999_999_999): LockOwner {
  return { nonce, pid, startTime: '1', bootId: 'b', cmdline: ['gone'], acquiredAtMs: 0 };
}

/** Plants a lock held by a process that does not exist, as a kill -9 of its holder leaves it. */
async function plantDeadHolder(dir: string, project: string, nonce = 'dead'): Promise<string> {
  const locks = join(dir, 'locks');
  await mkdir(locks, { recursive: true });
  const lockDir = join(locks, `${project}.lock`);
  assert.equal(await tryCreate(lockDir, owner(nonce)), true);
  return lockDir;
}

describe('lockVerdict', () => {
  const now = 100_000;
  const lease = 60_000;
  const cases: [string, Parameters<typeof lockVerdict>[1], number, ReturnType<typeof lockVerdict>][] = [
    ['a live holder within its lease holds it', 'ours', now - 1000, 'held'],
    ['a gone holder is dead', 'gone', now - 1000, 'dead'],
    ['a recycled pid is a dead holder', 'recycled', now - 1000, 'dead'],
    ['a live holder that stopped renewing has expired', 'ours', now - lease - 1, 'expired'],
  ];
  for (const [title, ownership, renewedAtMs, want] of cases) {
    it(title, () =>
      assert.equal(lockVerdict({ owner: owner('x'), renewedAtMs }, ownership, now, lease), want),
    );
  }
  it('an unreadable owner file expires by its age only', () => {
    assert.equal(lockVerdict({ renewedAtMs: now - 1000 }, undefined, now, lease), 'held');
    assert.equal(lockVerdict({ renewedAtMs: now - lease - 1 }, undefined, now, lease), 'expired');
  });
});

describe('lock directory takeover', () => {
  it('two contenders that saw the same dead holder: only one moves it, and the late one cannot move the new lock', async () => {
    const lockDir = await plantDeadHolder(await stateDir(), 'p');
    const seen = (await observe(lockDir))!;
    assert.equal(await moveAway(lockDir, seen), true, 'the first takeover moves the dead lock');
    assert.equal(await tryCreate(lockDir, owner('winner', process.pid)), true);
    assert.equal(await moveAway(lockDir, seen), false, 'the second takeover of the same holder fails');
    assert.equal((await observe(lockDir))?.owner?.nonce, 'winner');
  });

  it('a second creator is refused while the lock exists', async () => {
    const lockDir = await plantDeadHolder(await stateDir(), 'p');
    assert.equal(await tryCreate(lockDir, owner('other', process.pid)), false);
    const names = await readdir(join(lockDir, '..'));
    assert.deepEqual(names, ['p.lock'], 'the refused claim is cleaned up');
  });
});

describe('withWorkerLock', () => {
  it("one queue's task never waits for another queue's, nor for the project's own lock", async () => {
    const dir = await stateDir();
    let release!: () => void;
    const holding = withWorkerLock(
      dir,
      'p',
      'hello',
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    let releaseProject!: () => void;
    const project = withProjectLock(
      dir,
      'p',
      () => new Promise<void>((resolve) => (releaseProject = resolve)),
    );
    await sleep(20);
    // Bounded well below the holder's lifetime: it runs beside the held queue or times out.
    assert.equal(await withWorkerLock(dir, 'p', 'orders', async () => 'ran', { timeoutMs: 2000 }), 'ran');
    await assert.rejects(
      withWorkerLock(dir, 'p', 'hello', async () => undefined, { timeoutMs: 300 }),
      (error: unknown) => error instanceof LockTimeoutError && error.project === 'p, task queue "hello"',
    );
    release();
    releaseProject();
    await Promise.all([holding, project]);
  });

  it('tasks of one queue run one at a time, in separate lock files per queue', async () => {
    const dir = await stateDir();
    let inside = 0;
    let most = 0;
    const task = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await sleep(5);
      inside -= 1;
    };
    await Promise.all(
      Array.from({ length: 10 }, () => withWorkerLock(dir, 'p', 'a/queue with spaces', task)),
    );
    assert.equal(most, 1);
    const files = (await readdir(join(dir, 'locks'))).filter((n) => n.endsWith('.lock'));
    assert.deepEqual(files, [], 'released');
  });
});

describe('withProjectLock', () => {
  it('reclaims a lock whose holder died', async () => {
    const dir = await stateDir();
    await plantDeadHolder(dir, 'p');
    assert.equal(await withProjectLock(dir, 'p', async () => 'ran', { timeoutMs: 5000 }), 'ran');
  });

  it('twenty contenders of a dead holder run one at a time', async () => {
    const dir = await stateDir();
    await plantDeadHolder(dir, 'p');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withProjectLock(dir, 'p', async () => {
          inside += 1;
          most = Math.max(most, inside);
          await sleep(5);
          inside -= 1;
        }),
      ),
    );
    assert.equal(most, 1);
  });

  it('takes over a lock a live process holds but stopped renewing (its lease expired)', async () => {
    const dir = await stateDir();
    const locks = join(dir, 'locks');
    await mkdir(locks, { recursive: true });
    const self = readProc(process.pid)!;
    const lockDir = join(locks, 'p.lock');
    await tryCreate(lockDir, {
      ...owner('frozen', process.pid),
      startTime: self.startTime,
      cmdline: self.cmdline,
      bootId: bootId(),
    });
    const started = Date.now();
    await withProjectLock(dir, 'p', async () => undefined, { leaseMs: 300, timeoutMs: 5000 });
    assert.ok(Date.now() - started >= 250, 'it waited for the lease to run out');
  });

  it('a waiter gives up at its bound with LockTimeoutError naming the holder', async () => {
    const dir = await stateDir();
    let release!: () => void;
    const holding = withProjectLock(dir, 'p', () => new Promise<void>((resolve) => (release = resolve)), {
      holder: 'test holder',
    });
    await sleep(50);
    await assert.rejects(
      withProjectLock(dir, 'p', async () => undefined, { timeoutMs: 300 }),
      (error: unknown) => error instanceof LockTimeoutError && error.message.includes('test holder'),
    );
    release();
    await holding;
  });

  it('a task that never settles releases the lock when its signal aborts, and the queue moves on', async () => {
    const dir = await stateDir();
    const cancel = new AbortController();
    const stuck = withProjectLock(dir, 'p', () => new Promise<never>(() => undefined), {
      signal: cancel.signal,
      settleMs: 100,
    });
    const next = withProjectLock(dir, 'p', async () => 'next ran');
    await sleep(50);
    cancel.abort(new Error('cancelled'));
    await assert.rejects(stuck, /cancelled/);
    assert.equal(await next, 'next ran');
  });

  it('a task that never settles is cut off after holdMs; its signal tells it so', async () => {
    const dir = await stateDir();
    let seen: AbortSignal | undefined;
    const stuck = withProjectLock(
      dir,
      'p',
      (signal) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      },
      { holdMs: 200, settleMs: 100 },
    );
    await assert.rejects(stuck, /lock lost \(held longer than 200 ms\)/);
    assert.equal(seen?.aborted, true);
    assert.equal(await withProjectLock(dir, 'p', async () => 'free'), 'free');
  });

  it('a cancelled waiter leaves the queue without letting the next one in early', async () => {
    const dir = await stateDir();
    let release!: () => void;
    let holderDone = false;
    const holding = withProjectLock(dir, 'p', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      holderDone = true;
    });
    const leave = new AbortController();
    const leaver = withProjectLock(dir, 'p', async () => 'should not run', { signal: leave.signal });
    const third = withProjectLock(dir, 'p', async () => holderDone);
    await sleep(50);
    leave.abort(new Error('left'));
    await assert.rejects(leaver, /left/);
    await sleep(50);
    release();
    await holding;
    assert.equal(await third, true, 'the third ran only after the holder finished');
  });

  it('a cancelled task that cleans up keeps the lock until its cleanup is done', async () => {
    const dir = await stateDir();
    const cancel = new AbortController();
    let cleaned = false;
    const cancelled = withProjectLock(
      dir,
      'p',
      async (signal) => {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        await sleep(100); // a slow cleanup on purpose: a lock freed at the abort would let `next` run within it
        cleaned = true;
        throw signal.reason;
      },
      { signal: cancel.signal },
    );
    const next = withProjectLock(dir, 'p', async () => cleaned);
    await sleep(50);
    cancel.abort(new Error('cancelled'));
    await assert.rejects(cancelled, /cancelled/);
    assert.equal(await next, true, 'the next task ran after the cleanup');
  });

  it('an exception in the task releases the lock', async () => {
    const dir = await stateDir();
    await assert.rejects(
      withProjectLock(dir, 'p', async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await observe(join(dir, 'locks', 'p.lock')), undefined);
    assert.equal(await withProjectLock(dir, 'p', async () => 'again', { timeoutMs: 1000 }), 'again');
  });
});
