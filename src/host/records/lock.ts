// Serializing process changes per project, or per task queue of a project (each queue's worker
// is its own: two queues never wait on each other): an in-process FIFO (the control worker runs many
// activities at once) in front of a lock directory that names its holder (other processes on the
// host; see lock-dir.ts). The holder renews a lease; a dead holder's or an expired lease's lock is
// taken over atomically; a holder whose caller gave up (cancelled, abandoned) releases at once.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import { proveIdentity, type Ownership } from './identity.js';
import {
  moveAway,
  observe,
  renew,
  sweepOld,
  tryCreate,
  type LockOwner,
  type ObservedOwner,
} from './lock-dir.js';
import { bootId, readProc } from './proc.js';
import { LockTimeoutError } from '../../errors.js';
import { LockLostError } from '../../errors.js';

export interface LockOptions {
  /** How long to wait for the lock (default 2 min). */
  timeoutMs?: number;
  /** How long the task may hold it (default 10 min); then the lock is released and the task aborted. */
  holdMs?: number;
  /** Stops waiting, or releases the held lock and aborts the task, when it aborts. */
  signal?: AbortSignal;
  /** Called every few hundred ms while waiting (e.g. to heartbeat). */
  onWait?: (holder: string) => void;
  /** Names the holder in the lock file, for others' messages. */
  holder?: string;
  /** After `signal` or `holdMs` aborts the task, how long it may still run its cleanup under the lock (default 20 s). */
  settleMs?: number;
  /** Lease the holder renews; a lock not renewed for this long is taken over (default 60 s). */
  leaseMs?: number;
}

/** `held` by a live holder within its lease, or takeover-able because the holder is `dead` or its lease `expired`. */
export type LockVerdict = 'held' | 'dead' | 'expired';

/** Decides whether an observed lock may be taken over. Pure: identity and clock are passed in. */
export function lockVerdict(
  seen: Pick<ObservedOwner, 'owner' | 'renewedAtMs'>,
  holderOwnership: Ownership | undefined,
  nowMs: number,
  leaseMs: number,
): LockVerdict {
  if (seen.owner && holderOwnership !== 'ours') return 'dead';
  return nowMs - seen.renewedAtMs > leaseMs ? 'expired' : 'held';
}

function describeHolder(seen: ObservedOwner | undefined): string {
  const owner = seen?.owner;
  if (!owner) return 'an unreadable lock file';
  return `${owner.holder ?? 'a process'} (pid ${owner.pid}, since ${new Date(owner.acquiredAtMs).toISOString()})`;
}

function ownerOfThisProcess(holder?: string): LockOwner {
  const self = readProc(process.pid);
  return {
    nonce: nanoid(12),
    pid: process.pid,
    startTime: self?.startTime ?? '',
    bootId: bootId(),
    cmdline: self?.cmdline ?? [],
    acquiredAtMs: Date.now(),
    ...(holder ? { holder } : {}),
  };
}

/** Takes the lock directory, taking over a dead or expired holder's; resolves with our owner entry. */
async function acquireDir(lockDir: string, project: string, options: LockOptions): Promise<LockOwner> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const started = Date.now();
  let lastWait = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const owner = ownerOfThisProcess(options.holder);
    if (await tryCreate(lockDir, owner)) {
      await sweepOld(lockDir).catch(() => undefined);
      return owner;
    }
    const seen = await observe(lockDir);
    if (!seen) continue; // released between our try and our look
    const ownership = seen.owner ? proveIdentity(seen.owner).ownership : undefined;
    if (lockVerdict(seen, ownership, Date.now(), leaseMs) !== 'held') {
      await moveAway(lockDir, seen);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new LockTimeoutError(project, waited, describeHolder(seen));
    if (Date.now() - lastWait >= 500) {
      options.onWait?.(describeHolder(seen));
      lastWait = Date.now();
    }
    await sleep(50 + Math.random() * 100, undefined, { signal: options.signal });
  }
}

/** A promise settled by hand: the in-process queue's baton. */
function baton(): { done: Promise<void>; pass: () => void } {
  let pass!: () => void;
  const done = new Promise<void>((resolve) => (pass = resolve));
  return { done, pass };
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

const tails = new Map<string, Promise<void>>();
/** What runs now under each key in this process, for the messages of those waiting behind it. */
const running = new Map<string, string>();

/** Waits for this process's earlier tasks of the key; the returned `pass` hands the turn on. */
async function takeTurn(key: string, project: string, options: LockOptions): Promise<() => void> {
  const previous = tails.get(key) ?? Promise.resolve();
  const mine = baton();
  tails.set(key, mine.done);
  const pass = () => {
    mine.pass();
    if (tails.get(key) === mine.done) tails.delete(key);
  };
  const timeoutMs = options.timeoutMs ?? 120_000;
  const bound = new AbortController();
  const timedOut = sleep(timeoutMs, undefined, { signal: bound.signal }).then(() => {
    const holder = running.get(key) ?? 'a task';
    throw new LockTimeoutError(project, timeoutMs, `${holder} in this process (pid ${process.pid})`);
  });
  timedOut.catch(() => undefined);
  try {
    await Promise.race([previous, timedOut, ...(options.signal ? [aborted(options.signal)] : [])]);
    return pass;
  } catch (error) {
    // A waiter that leaves still passes the turn only after its predecessor is done.
    void previous.then(pass);
    throw error;
  } finally {
    bound.abort();
  }
}

/**
 * Runs `task` while holding the project's lock; tasks of one project run one at a time across
 * the processes sharing `stateDir`. The lock is released on every path, also when the task never
 * settles but `signal` aborts or `holdMs` passes (the task's own signal then aborts).
 */
export function withProjectLock<T>(
  stateDir: string,
  project: string,
  task: (signal: AbortSignal) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  return withLock(stateDir, { file: project, label: project }, task, options);
}

/**
 * Runs `task` while holding the lock of the project's worker on `taskQueue`: changes to one queue's
 * worker run one at a time, and never wait for (or block) those of the project's other queues.
 */
export function withWorkerLock<T>(
  stateDir: string,
  project: string,
  taskQueue: string,
  task: (signal: AbortSignal) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  // "@" is in no project key, so the name is no project's; the hash keeps any queue name file-safe.
  const hash = createHash('sha256').update(taskQueue).digest('hex').slice(0, 16);
  const label = `${project}, task queue ${JSON.stringify(taskQueue)}`;
  return withLock(stateDir, { file: `${project}@${hash}`, label }, task, options);
}

async function withLock<T>(
  stateDir: string,
  name: { file: string; label: string },
  task: (signal: AbortSignal) => Promise<T>,
  options: LockOptions,
): Promise<T> {
  const { file, label: project } = name;
  const key = `${stateDir}\0${file}`;
  const started = Date.now();
  const pass = await takeTurn(key, project, options);
  const held = new AbortController();
  try {
    const dir = join(stateDir, 'locks');
    await mkdir(dir, { recursive: true });
    const lockDir = join(dir, `${file}.lock`);
    const left = (options.timeoutMs ?? 120_000) - (Date.now() - started);
    const owner = await acquireDir(lockDir, project, { ...options, timeoutMs: Math.max(0, left) });
    running.set(key, options.holder ?? 'a task');
    const leaseMs = options.leaseMs ?? 60_000;
    const lose = (why: string) => held.abort(new LockLostError(project, why));
    const renewal = setInterval(
      () =>
        void renew(lockDir, owner.nonce).then(
          (still) => still || lose('taken over after its lease expired'),
          () => undefined,
        ),
      Math.max(200, leaseMs / 6),
    );
    const holdMs = options.holdMs ?? 10 * 60_000;
    const bound = setTimeout(() => lose(`held longer than ${holdMs} ms`), holdMs);
    const onAbort = () => held.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    try {
      const work = task(held.signal);
      // Once aborted, the task gets a bounded moment to clean up (stop what it spawned) under the lock.
      const cutOff = aborted(held.signal).catch(async (reason: unknown) => {
        await Promise.race([
          work.catch(() => undefined),
          sleep(options.settleMs ?? 20_000, undefined, { ref: false }),
        ]);
        throw reason;
      });
      return await Promise.race([work, cutOff]);
    } finally {
      clearInterval(renewal);
      clearTimeout(bound);
      options.signal?.removeEventListener('abort', onAbort);
      running.delete(key);
      const seen = await observe(lockDir);
      if (seen?.owner?.nonce === owner.nonce) await moveAway(lockDir, seen);
    }
  } finally {
    pass();
  }
}
