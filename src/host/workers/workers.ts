// Target workers of a project: observe the records, plan, then stop the ones proven ours and start
// exactly one fresh worker, all under the lock of that task queue's worker (a project may run one
// worker per queue; each queue's changes wait only for each other).
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerNotReadyError } from '../../errors.js';
import { codeFingerprint } from '../projects/fingerprint.js';
import { failpoint } from '../records/failpoint.js';
import { withWorkerLock, type LockOptions } from '../records/lock.js';
import { exitOf, spawnWorker, type WorkerSpec } from './launch.js';
import { defaultLogPolicy, type LogPolicy } from '../logs/logs.js';
import { observeWorker } from './observe.js';
import { readIntents } from '../records/intent.js';
import { readPidRecords, removePidRecord, type ExitInfo, type PidRecord } from '../records/pid-file.js';
import { planStop, planWorkers, type PlanMode, type RecordedWorker } from './plan.js';
import type { PollerSource } from './pollers.js';
import { confirmReady, type ReadyInfo } from './ready-check.js';
import { settleIntents } from './recover.js';
import { forgetToken, freshToken } from '../records/spawn-token.js';
import { stopRecorded, type StopOutcome } from './stop.js';

export { type WorkerSpec } from './launch.js';

export interface EnsureOptions {
  mode?: PlanMode;
  /** When the caller asked (default now); a matching worker started later is adopted. */
  requestedAtMs?: number;
  /** Wait for readiness inside the lock, so queued requests see a ready worker or none. */
  ready?: {
    timeoutMs: number;
    pollers: PollerSource;
    onTick?: () => void;
    /**
     * True when the server answers. With it, a fresh worker that exits before polling while the
     * server is down (a blip: a restart, a network hiccup) is started again once the server is
     * back, within the ready bound, up to SERVER_BLIP_RESPAWNS times.
     */
    serverUp?: () => Promise<boolean>;
  };
  /** Act only while this pid is still recorded (crash supervision must not undo a stop). */
  onlyIfRecorded?: number;
  /** Who asks (kept in the record as `startedBy`). */
  requester?: string;
  logPolicy?: LogPolicy;
  /**
   * The same for every attempt of one request (see tokenFor): a worker carrying it is the one an
   * interrupted attempt spawned, and is adopted instead of spawning a second. Default: a fresh one.
   */
  token?: string;
  /** Stops waiting (for the lock, for readiness) when it aborts; a fresh worker not yet ready is stopped. */
  signal?: AbortSignal;
  /** How the lock is waited for (bound, heartbeat, holder name). */
  lock?: Omit<LockOptions, 'signal'>;
}

/** The worker an `adopted` outcome took over, as another request recorded it. */
export interface AdoptedFrom {
  pid: number;
  startedBy?: string;
  startedAtMs: number;
}

/** `started` a new worker, `adopted` one started after the request, `kept` the running one (start). */
export interface EnsureOutcome {
  action: 'started' | 'adopted' | 'kept';
  record: PidRecord;
  stopped: StopOutcome[];
  reason: string;
  ready?: ReadyInfo;
  /** Resolves when the worker exits; only when this process spawned it. */
  exited?: Promise<ExitInfo>;
  /** With `adopted`: whose worker it is. */
  adoptedFrom?: AdoptedFrom;
  /** With `started`: an interrupted attempt of this request spawned it; this one adopted it. */
  recovered?: boolean;
  /** How many times the worker was started again because it exited while the server was down. */
  serverBlips?: number;
}

/** Nothing done: `onlyIfRecorded` was no longer recorded. */
export interface SkippedEnsure {
  action: 'skipped';
  reason: string;
}

function recorded(record: PidRecord): RecordedWorker {
  const view = observeWorker(record);
  return {
    pid: record.pid,
    ownership: view.ownership,
    alive: view.alive,
    startedAtMs: Date.parse(record.startedAt),
    spec: { command: record.command, taskQueue: record.taskQueue, cwd: record.cwd, env: record.env ?? {} },
    fingerprint: record.fingerprint,
    startedBy: record.startedBy,
    spawnToken: record.spawnToken,
  };
}

/** Readiness as noted in the record by an earlier wait (a retry, or a worker adopted from another request). */
function notedReady(record: PidRecord): ReadyInfo | undefined {
  if (record.readyAtMs === undefined) return undefined;
  return {
    waitedMs: Math.max(0, record.readyAtMs - Date.parse(record.startedAt)),
    readyAtMs: record.readyAtMs,
    firstPollMs: record.readyAtMs,
    pollerIdentity: record.pollerIdentity ?? '',
    record,
  };
}

async function stopAndForget(
  stateDir: string,
  records: PidRecord[],
  graceMs: number,
  keep?: PidRecord,
): Promise<StopOutcome[]> {
  const outcomes = await Promise.all(
    records.map((record) => stopRecorded(stateDir, record, graceMs, { keep })),
  );
  await Promise.all(records.map((record) => removePidRecord(stateDir, record)));
  for (const token of new Set(records.map((r) => r.spawnToken)))
    if (token !== undefined && token !== keep?.spawnToken) forgetToken(stateDir, token);
  return outcomes;
}

/** How many times a fresh worker is started again after it exited while the server was down. */
const SERVER_BLIP_RESPAWNS = 3;

/** Probes `serverUp` every second until stopped; remembers whether the server was ever down. */
function watchServer(serverUp: () => Promise<boolean>): { sawDown(): boolean; stop(): void } {
  let down = false;
  let stopped = false;
  const probe = async () => {
    while (!stopped) {
      if (!(await serverUp().catch(() => false)) && !stopped) down = true;
      await sleep(1000, undefined, { ref: false });
    }
  };
  void probe();
  return { sawDown: () => down, stop: () => void (stopped = true) };
}

/** Waits until `serverUp` answers true (every 500 ms), before `deadline`; false when it did not. */
async function serverBack(serverUp: () => Promise<boolean>, deadline: number, signal: AbortSignal) {
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    if (await serverUp()) return true;
    await sleep(500, undefined, { signal });
  }
  return false;
}

/**
 * Makes one fresh worker of the project run, per `mode` (see planWorkers): stops the workers proven
 * ours, leaves the rest alone, spawns, and (with `ready`) waits until the server sees it polling.
 */
export function ensureWorker(
  spec: WorkerSpec,
  options: EnsureOptions & { onlyIfRecorded: number },
): Promise<EnsureOutcome | SkippedEnsure>;
export function ensureWorker(spec: WorkerSpec, options?: EnsureOptions): Promise<EnsureOutcome>;
export function ensureWorker(
  spec: WorkerSpec,
  options: EnsureOptions = {},
): Promise<EnsureOutcome | SkippedEnsure> {
  const requestedAtMs = options.requestedAtMs ?? Date.now();
  const token = options.token ?? freshToken();
  return withWorkerLock(
    spec.stateDir,
    spec.project,
    spec.taskQueue,
    async (signal): Promise<EnsureOutcome | SkippedEnsure> => {
      failpoint('ensure:locked');
      const settled = await settleIntents(spec.stateDir, spec.project, spec.taskQueue, spec.graceMs);
      // A project may run one worker per task queue: only this queue's workers are this request's.
      const records = (await readPidRecords(spec.stateDir, { kind: 'worker', project: spec.project })).filter(
        (r) => r.taskQueue === spec.taskQueue,
      );
      if (options.onlyIfRecorded !== undefined && !records.some((r) => r.pid === options.onlyIfRecorded)) {
        return {
          action: 'skipped',
          reason: `worker ${options.onlyIfRecorded} is no longer recorded (stopped or replaced)`,
        };
      }
      const fingerprint = await codeFingerprint(spec.projectDir);
      const plan = planWorkers(
        {
          mode: options.mode ?? 'ensure',
          requestedAtMs,
          fingerprint,
          token,
          spec: { command: spec.command, taskQueue: spec.taskQueue, cwd: spec.projectDir, env: spec.env },
        },
        records.map(recorded),
      );
      if (plan.action === 'keep')
        return {
          action: 'kept',
          record: records.find((r) => r.pid === plan.pid)!,
          stopped: settled.stopped,
          reason: plan.reason,
        };
      const targets = records.filter((r) => plan.stop.includes(r.pid) || plan.forget.includes(r.pid));
      let record = records.find((r) => plan.action === 'adopt' && r.pid === plan.pid);
      const stopped = [
        ...settled.stopped,
        ...(await stopAndForget(spec.stateDir, targets, spec.graceMs, record)),
      ];
      signal.throwIfAborted();
      let exited: Promise<ExitInfo> | undefined;
      if (!record) {
        const restarts = records.length === 0 ? 0 : Math.max(...records.map((r) => r.restarts ?? 0)) + 1;
        ({ record, exited } = await spawnWorker(
          spec,
          restarts,
          fingerprint,
          options.logPolicy ?? defaultLogPolicy,
          token,
          options.requester,
        ));
      }
      const own = plan.action !== 'adopt' || plan.own === true;
      const base = {
        action: own ? ('started' as const) : ('adopted' as const),
        stopped,
        reason: plan.reason,
        exited,
        ...(plan.action === 'adopt' && plan.own ? { recovered: true } : {}),
        ...(own
          ? {}
          : {
              adoptedFrom: {
                pid: record.pid,
                startedBy: record.startedBy,
                startedAtMs: Date.parse(record.startedAt),
              },
            }),
      };
      const noted = notedReady(record);
      if (!options.ready || noted) return { ...base, record, ready: noted };
      const ready = options.ready;
      // The ready bound runs from the first spawn: a retry that adopts the worker its interrupted
      // attempt started, or a start again after a server blip, waits only what is left of it.
      const deadline = Date.parse(record.startedAt) + ready.timeoutMs;
      for (let blips = 0; ; blips++) {
        const watch = ready.serverUp && watchServer(ready.serverUp);
        try {
          const confirmed = await confirmReady(spec.stateDir, record, {
            ...ready,
            timeoutMs: Math.max(1000, deadline - Date.now()),
            graceMs: spec.graceMs,
            exited,
            exitOf,
            signal,
          });
          return {
            ...base,
            record: confirmed.record,
            ready: confirmed,
            ...(blips ? { serverBlips: blips } : {}),
          };
        } catch (error) {
          // Cancelled while waiting: a worker this request started and nobody saw ready goes too.
          if (signal.aborted) {
            if (own) await stopAndForget(spec.stateDir, [record], spec.graceMs);
            throw error;
          }
          const blip =
            own &&
            blips < SERVER_BLIP_RESPAWNS &&
            error instanceof WorkerNotReadyError &&
            error.reason === 'exited' &&
            ready.serverUp !== undefined &&
            watch !== undefined &&
            (watch.sawDown() || !(await ready.serverUp())) &&
            (await serverBack(ready.serverUp, deadline, signal));
          if (!blip) throw error;
          ({ record, exited } = await spawnWorker(
            spec,
            (record.restarts ?? 0) + 1,
            fingerprint,
            options.logPolicy ?? defaultLogPolicy,
            token,
            options.requester,
          ));
        } finally {
          watch?.stop();
        }
      }
    },
    { timeoutMs: 5 * 60_000, ...options.lock, ...(options.signal ? { signal: options.signal } : {}) },
  );
}

interface StopSpare {
  spareStartedAfterMs?: number;
  requester?: string;
}

/** Stops the project's workers on one task queue under that queue's lock. */
function stopQueueWorkers(
  stateDir: string,
  project: string,
  taskQueue: string,
  graceMs: number,
  spare: StopSpare,
  lock: LockOptions,
): Promise<StopOutcome[]> {
  return withWorkerLock(
    stateDir,
    project,
    taskQueue,
    async () => {
      const settled = await settleIntents(stateDir, project, taskQueue, graceMs);
      const records = (await readPidRecords(stateDir, { kind: 'worker', project })).filter(
        (r) => r.taskQueue === taskQueue,
      );
      const plan = planStop(records.map(recorded), spare);
      const outcomes = await stopAndForget(
        stateDir,
        records.filter((r) => !plan.spared.includes(r.pid)),
        graceMs,
      );
      const spared: StopOutcome[] = plan.spared.map((pid) => ({
        pid,
        ownership: 'ours',
        result: 'spared',
        members: [],
        detail: 'started after this stop was requested, by a concurrent request; left running',
      }));
      return [...settled.stopped, ...outcomes, ...spared];
    },
    lock,
  );
}

/** The task queues the project has workers (or interrupted spawns) on. */
async function queuesOf(stateDir: string, project: string): Promise<string[]> {
  const records = await readPidRecords(stateDir, { kind: 'worker', project });
  const intents = await readIntents(stateDir, project);
  return [...new Set([...records, ...intents].map((r) => r.taskQueue))].sort();
}

/**
 * Stops every worker of the project (of `taskQueue` only, when given) that is proven ours; others
 * are reported as left alone. With `spareStartedAfterMs`, workers started after that time by
 * another requester keep running. Without a queue, each queue's workers are stopped under that
 * queue's lock in turn, until no queue is left with a worker this stop has not seen.
 */
export async function stopProjectWorkers(
  stateDir: string,
  project: string,
  graceMs: number,
  spare: StopSpare & { taskQueue?: string } = {},
  lock: LockOptions = {},
): Promise<StopOutcome[]> {
  const { taskQueue, ...spareOnly } = spare;
  if (taskQueue !== undefined)
    return stopQueueWorkers(stateDir, project, taskQueue, graceMs, spareOnly, lock);
  const outcomes: StopOutcome[] = [];
  const done = new Set<string>();
  // A queue started meanwhile is stopped too; a spared worker keeps its queue listed, hence `done`.
  for (let queues = await queuesOf(stateDir, project); ; queues = await queuesOf(stateDir, project)) {
    const left = queues.filter((q) => !done.has(q));
    if (left.length === 0) return outcomes;
    for (const queue of left) {
      outcomes.push(...(await stopQueueWorkers(stateDir, project, queue, graceMs, spareOnly, lock)));
      done.add(queue);
    }
  }
}
