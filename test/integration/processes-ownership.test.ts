// Owning processes, for real: identity is proven before any signal, stops escalate and leave no
// orphan, readiness is the server seeing a poller. Real Python workers, a real dev server.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { WorkerNotReadyError } from '../../src/errors.js';
import { takeInventory } from '../../src/host/workers/inventory.js';
import { readPidRecords, writePidRecord, type PidRecord } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { groupMembers, readProc } from '../../src/host/records/proc.js';
import { pidOfIdentity } from '../../src/host/workers/readiness.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  copyOrders,
  fixturesDir,
  ordersSpec,
  processesOnQueue,
  scratchDir,
  venvPython,
  waitFor,
} from '../helpers/processes.js';
import { exampleProjectDir } from '../../src/host/projects/example.js';

let h: Harness;
const unrelated: number[] = [];

before(async () => {
  h = await createHarness();
});

after(async () => {
  // Processes this file started outside our records (the "unrelated" ones) are ended here by pid.
  for (const pid of unrelated) if (readProc(pid)) process.kill(pid, 'SIGKILL');
  await h.cleanup();
});

function ready() {
  return { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
}

describe('process ownership', () => {
  it('never signals a live process a pid file points at when it is not proven ours', async () => {
    const child = execa('sleep', ['300'], { detached: true, cleanup: false, reject: false });
    const pid = child.pid!;
    unrelated.push(pid);
    const live = await waitFor('sleep to start', () => readProc(pid));
    const base: PidRecord = {
      kind: 'worker',
      pid,
      pgid: pid,
      startTime: live.startTime,
      cmdline: [venvPython, 'worker.py'],
      cwd: exampleProjectDir,
      project: 'recycled',
      taskQueue: 'q',
      logPath: '/dev/null',
      fingerprint: 'x',
      command: 'python worker.py',
      startedAt: new Date().toISOString(),
      host: 'vm',
    };
    // Three ways a pid file lies: another start tick (pid reused), another boot, another program (old record format).
    const lies: PidRecord[] = [
      { ...base, project: 'recycled-tick', startTime: String(Number(live.startTime) - 7) },
      {
        ...base,
        project: 'recycled-boot',
        bootId: '00000000-0000-0000-0000-000000000000',
        cmdline: live.cmdline,
      },
      { ...base, project: 'recycled-cmdline' },
    ];
    for (const record of lies) {
      await writePidRecord(h.settings.stateDir, record);
      const outcomes = await stopProjectWorkers(h.settings.stateDir, record.project, 500);
      assert.deepEqual(
        outcomes.map((o) => [o.pid, o.result, o.ownership]),
        [[pid, 'left-alone', 'recycled']],
        record.project,
      );
      assert.ok(readProc(pid), `${record.project}: the unrelated process survives`);
      assert.deepEqual(
        await readPidRecords(h.settings.stateDir, { project: record.project }),
        [],
        'the lying record is forgotten',
      );
    }
    await writePidRecord(h.settings.stateDir, lies[0]!);
    const inventory = await takeInventory(h.settings.stateDir, { project: 'recycled-tick' });
    assert.equal(inventory.workers[0]?.state, 'foreign');
    assert.ok(readProc(pid), 'observing never signals either');
  });

  it('leaves the neighbour project whose path shares a prefix untouched', async () => {
    const queue = uniqueQueue('prefix');
    const app = await copyOrders(await scratchDir('app'));
    const app2 = await copyOrders(await scratchDir('app2'));
    const mine = await ensureWorker(ordersSpec(h.settings.stateDir, 'app', app, queue), { ready: ready() });
    const neighbour = await ensureWorker(ordersSpec(h.settings.stateDir, 'app2', app2, queue), {
      ready: ready(),
    });
    const outcomes = await stopProjectWorkers(h.settings.stateDir, 'app', 3000);
    assert.deepEqual(
      outcomes.map((o) => [o.pid, o.result]),
      [[mine.record.pid, 'stopped']],
    );
    assert.equal(readProc(mine.record.pid), undefined);
    assert.ok(readProc(neighbour.record.pid), 'app2 still runs');
    const { workers } = await takeInventory(h.settings.stateDir, {
      project: 'app2',
      pollers: clientPollerSource(h.client),
    });
    assert.equal(workers[0]?.state, 'running');
  });

  it('kills a worker that ignores SIGTERM once the grace period is over, and verifies the group is gone', async () => {
    const queue = uniqueQueue('ignorer');
    const spec = ordersSpec(h.settings.stateDir, 'ignorer', fixturesDir, queue, {
      command: `${venvPython} sigterm_ignorer.py`,
    });
    const { record } = await ensureWorker(spec);
    await waitFor('the SIGTERM handler', async () =>
      (await readFile(record.logPath, 'utf8')).includes(`sigterm_ignorer pid ${record.pid}`),
    );
    const started = Date.now();
    const [outcome] = await stopProjectWorkers(h.settings.stateDir, 'ignorer', 1000);
    const took = Date.now() - started;
    assert.equal(outcome?.result, 'killed');
    assert.ok(took >= 1000, `killed after ${took} ms, before the 1 s grace was over`);
    assert.deepEqual(groupMembers(record.pgid), []);
  });

  it('stops a `uv run`-style wrapper and its Python child together, leaving no orphan', async () => {
    const queue = uniqueQueue('wrapped');
    const spec = ordersSpec(h.settings.stateDir, 'wrapped', fixturesDir, queue, {
      command: './wrapper.sh',
      env: { PYTHON: venvPython },
    });
    const outcome = await ensureWorker(spec, { ready: ready() });
    const child = pidOfIdentity(outcome.ready!.pollerIdentity)!;
    assert.notEqual(child, outcome.record.pid, 'the poller is the Python child, not the wrapper');
    assert.deepEqual(processesOnQueue(queue).sort(), [outcome.record.pid, child].sort());
    const [stopped] = await stopProjectWorkers(h.settings.stateDir, 'wrapped', 3000);
    assert.equal(stopped?.result, 'stopped');
    assert.deepEqual(processesOnQueue(queue), [], 'no orphan');
  });

  it('still stops the Python child after its wrapper was SIGKILLed alone (an orphan in our group)', async () => {
    const queue = uniqueQueue('orphaned');
    const spec = ordersSpec(h.settings.stateDir, 'orphaned', fixturesDir, queue, {
      command: './wrapper.sh',
      env: { PYTHON: venvPython },
    });
    const outcome = await ensureWorker(spec, { ready: ready() });
    const child = pidOfIdentity(outcome.ready!.pollerIdentity)!;
    process.kill(outcome.record.pid, 'SIGKILL');
    await waitFor('the wrapper to die', () => readProc(outcome.record.pid) === undefined);
    assert.ok(readProc(child), 'the child lives on, orphaned');
    const [stopped] = await stopProjectWorkers(h.settings.stateDir, 'orphaned', 3000);
    assert.deepEqual([stopped?.ownership, stopped?.result], ['gone', 'stopped']);
    assert.deepEqual(processesOnQueue(queue), [], 'no orphan');
  });

  it('sees readiness within 1 s of the first poll', async () => {
    const queue = uniqueQueue('ready');
    const dir = await copyOrders(await scratchDir('ready'));
    // An independent observer notes when the server first lists each poller identity.
    const firstSeen = new Map<string, number>();
    let observing = true;
    const observer = (async () => {
      while (observing) {
        for (const p of await listPollers(h.client, queue))
          if (!firstSeen.has(p.identity)) firstSeen.set(p.identity, p.lastAccessTimeMs);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const outcome = await ensureWorker(ordersSpec(h.settings.stateDir, 'ready', dir, queue), {
      ready: ready(),
    }).finally(() => {
      observing = false;
    });
    await observer;
    // Both are upper bounds of the first poll (a listing shows each identity's latest poll): take the earlier.
    const firstPoll = Math.min(
      firstSeen.get(outcome.ready!.pollerIdentity) ?? Infinity,
      outcome.ready!.firstPollMs,
    );
    const lag = outcome.ready!.readyAtMs - firstPoll;
    // How soon after is bench/readiness.bench.ts's figure ("first poll -> ready").
    assert.ok(lag >= 0, `ready ${-lag} ms before the first poll`);
    assert.equal(
      (await readPidRecords(h.settings.stateDir, { project: 'ready' }))[0]?.readyAtMs,
      outcome.ready!.readyAtMs,
    );
  });

  it('fails fast with the exit code and log tail when the worker exits before polling, and reports it in the list', async () => {
    const queue = uniqueQueue('dies');
    const command = `${venvPython} -c "import sys; print('config missing: ORDERS_DB_URL', flush=True); sys.exit(3)"`;
    const error = await ensureWorker(
      ordersSpec(h.settings.stateDir, 'dies', exampleProjectDir, queue, { command }),
      { ready: ready() },
    ).then(
      () => assert.fail('expected WorkerNotReadyError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkerNotReadyError);
    assert.equal(error.reason, 'exited', 'failed on the exit, not at the end of the ready timeout');
    assert.equal(error.exit?.code, 3);
    assert.match(error.logTail, /config missing: ORDERS_DB_URL/);
    assert.deepEqual(processesOnQueue(queue), []);
    const { workers } = await takeInventory(h.settings.stateDir, { project: 'dies' });
    assert.equal(workers[0]?.state, 'exited');
    // "at once" when it exited before its start time was read (more likely on the portable backend).
    assert.match(workers[0]?.why ?? '', /exited (at once|before polling .*) \(exit code 3\)/);
  });
});
