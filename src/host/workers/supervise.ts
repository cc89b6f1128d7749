// Crash supervision: when a worker dies without us stopping it, restart it with backoff, and give
// up (recorded in its pid record) after too many crashes in a row. Runs in a long-lived process
// (the control worker, or `worker ensure --supervise` in the foreground).
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerNotReadyError } from '../../errors.js';
import { nextRestart, type CrashFact, type RestartPolicy } from './backoff.js';
import { withWorkerLock } from '../records/lock.js';
import { rotateIfLarge, sectionTail } from '../logs/logs.js';
import { observeWorker } from './observe.js';
import { readPidRecords, updatePidRecord, type ExitInfo, type PidRecord } from '../records/pid-file.js';
import type { PollerSource } from './pollers.js';
import { ensureWorker, type EnsureOutcome, type WorkerSpec } from './workers.js';

export type SupervisionEvent =
  | { type: 'crashed'; pid: number; exit?: ExitInfo; ranMs: number; logTail: string }
  | { type: 'restarting'; attempt: number; delayMs: number }
  | { type: 'restarted'; pid: number }
  | { type: 'restart-failed'; message: string }
  | { type: 'gave-up'; reason: string };

/** `stopped`: its record was removed or replaced by someone else; `aborted`: the caller stopped watching. */
export type SupervisionEnd =
  { ended: 'stopped' | 'aborted'; pid: number } | { ended: 'gave-up'; pid: number; reason: string };

export interface SupervisionOptions {
  policy: RestartPolicy;
  ready: { timeoutMs: number; pollers: PollerSource };
  onEvent?: (event: SupervisionEvent) => void;
  signal?: AbortSignal;
  /** How often to look at a worker this process did not spawn (default 1 s). */
  pollMs?: number;
  /**
   * Keep this process alive while supervising (default true: a CLI in the foreground). A host
   * process with its own lifetime (the control worker) passes false.
   */
  keepAlive?: boolean;
}

async function isCurrent(spec: WorkerSpec, pid: number): Promise<boolean> {
  const records = await readPidRecords(spec.stateDir, { kind: 'worker', project: spec.project });
  return records.some((r) => r.pid === pid);
}

function aborted(signal?: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Resolves with the exit once the whole group is gone (a wrapper's orphaned child keeps it alive). */
async function groupExit(
  record: PidRecord,
  exited: Promise<ExitInfo> | undefined,
  pollMs: number,
  signal?: AbortSignal,
): Promise<ExitInfo | undefined> {
  let exit: ExitInfo | undefined;
  if (exited) exit = await Promise.race([exited, aborted(signal)]);
  while (observeWorker(record).alive) await sleep(pollMs, undefined, { signal, ref: false });
  return exit ?? record.exit;
}

/** Watches the worker of `first` and restarts it after crashes per `policy`; resolves when supervision ends. */
export async function superviseWorker(
  spec: WorkerSpec,
  first: EnsureOutcome,
  options: SupervisionOptions,
): Promise<SupervisionEnd> {
  const emit = options.onEvent ?? (() => undefined);
  const crashes: CrashFact[] = [];
  let current = first.record;
  // A worker that daemonised is recorded under its daemon; the spawned parent's exit says nothing.
  const exitOfSpawn = (outcome: EnsureOutcome) => (outcome.record.spawned ? undefined : outcome.exited);
  let exited = exitOfSpawn(first);
  // Timers below are unref'd; this one interval decides whether supervision holds the process open.
  const keepAlive = options.keepAlive === false ? undefined : setInterval(() => undefined, 60_000);
  // The worker writes its log itself: cap it while it runs.
  const capLog = setInterval(() => void rotateIfLarge(current.logPath).catch(() => false), 5000);
  capLog.unref();
  try {
    for (;;) {
      const exit = await groupExit(current, exited, options.pollMs ?? 1000, options.signal);
      // Under the lock: a stop in progress holds it until the record is removed, so it is not taken for a crash.
      const crashed = await withWorkerLock(spec.stateDir, spec.project, spec.taskQueue, () =>
        isCurrent(spec, current.pid),
      );
      if (!crashed) return { ended: 'stopped', pid: current.pid };
      const ranMs = (exit?.atMs ?? Date.now()) - Date.parse(current.startedAt);
      crashes.push({ ranMs });
      emit({ type: 'crashed', pid: current.pid, exit, ranMs, logTail: await sectionTail(current, 20) });
      for (;;) {
        const decision = nextRestart(options.policy, crashes);
        if (decision.action === 'give-up') {
          const gaveUp = { atMs: Date.now(), reason: decision.reason };
          await withWorkerLock(spec.stateDir, spec.project, spec.taskQueue, () =>
            updatePidRecord(spec.stateDir, current, { gaveUp }),
          );
          emit({ type: 'gave-up', reason: decision.reason });
          return { ended: 'gave-up', pid: current.pid, reason: decision.reason };
        }
        emit({ type: 'restarting', attempt: decision.attempt, delayMs: decision.delayMs });
        await sleep(decision.delayMs, undefined, { signal: options.signal, ref: false });
        const startedAt = Date.now();
        try {
          const outcome = await ensureWorker(spec, {
            mode: 'restart',
            ready: options.ready,
            onlyIfRecorded: current.pid,
          });
          if (outcome.action === 'skipped') return { ended: 'stopped', pid: current.pid };
          current = outcome.record;
          exited = exitOfSpawn(outcome);
          emit({ type: 'restarted', pid: current.pid });
          break;
        } catch (error) {
          if (!(error instanceof WorkerNotReadyError)) throw error;
          // The failed start left its record (with how it ended): it is the one the next try replaces.
          emit({ type: 'restart-failed', message: error.message.split('\n')[0] ?? error.message });
          crashes.push({ ranMs: Date.now() - startedAt });
          const failed = (
            await readPidRecords(spec.stateDir, { kind: 'worker', project: spec.project })
          ).find((r) => r.pid === error.pid);
          if (!failed) return { ended: 'stopped', pid: error.pid };
          current = failed;
        }
      }
    }
  } catch (error) {
    if (options.signal?.aborted) return { ended: 'aborted', pid: current.pid };
    throw error;
  } finally {
    clearInterval(keepAlive);
    clearInterval(capLog);
  }
}

const background = new Map<string, AbortController>();
const backgroundKey = (stateDir: string, project: string, taskQueue: string) =>
  `${stateDir}\0${project}\0${taskQueue}`;

/** Whether this process supervises the worker of `project` on `taskQueue` in `stateDir` right now. */
export function supervisesInBackground(stateDir: string, project: string, taskQueue: string): boolean {
  return background.has(backgroundKey(stateDir, project, taskQueue));
}

/**
 * Supervises in the background of a long-lived host process (the control worker): one supervision
 * per project, task queue and state dir, a newer one replacing the older. Returns whether it now runs.
 */
export function superviseInBackground(
  spec: WorkerSpec,
  first: EnsureOutcome,
  options: Omit<SupervisionOptions, 'signal' | 'keepAlive'>,
): boolean {
  const key = backgroundKey(spec.stateDir, spec.project, spec.taskQueue);
  background.get(key)?.abort();
  const stop = new AbortController();
  background.set(key, stop);
  void superviseWorker(spec, first, { ...options, signal: stop.signal, keepAlive: false })
    .catch(() => undefined)
    .finally(() => background.get(key) === stop && background.delete(key));
  return true;
}
