// What to do with a project's workers, decided from facts alone (no I/O): read state -> plan -> act.
import type { Ownership } from '../records/identity.js';

/** What a start request asks for; two requests with equal specs want the same worker. */
interface WorkerSpecFacts {
  command: string;
  taskQueue: string;
  cwd: string;
  env: Record<string, string>;
}

/** One recorded worker of the project as observed now. */
export interface RecordedWorker {
  pid: number;
  ownership: Ownership;
  /** Live members of its process group (orphans of a wrapper count while the leader is gone). */
  alive: boolean;
  startedAtMs: number;
  spec: WorkerSpecFacts;
  fingerprint: string;
  startedBy?: string;
  spawnToken?: string;
}

/**
 * - `ensure`: stop the project's workers and start one fresh (the runbook's ensure-worker).
 * - `start`: start one unless a worker of ours already runs.
 * - `restart`: like ensure, usually with the spec of the recorded worker.
 */
export type PlanMode = 'ensure' | 'start' | 'restart';

export interface PlanRequest {
  mode: PlanMode;
  spec: WorkerSpecFacts;
  /** When the caller asked (epoch ms): a worker started later answers the request as well as a new one. */
  requestedAtMs: number;
  /** Code fingerprint of the working tree now. */
  fingerprint: string;
  /** The spawn token of this request: a worker carrying it was spawned by an interrupted attempt of it. */
  token?: string;
}

export type WorkerPlan =
  | {
      action: 'adopt';
      pid: number;
      stop: number[];
      forget: number[];
      reason: string;
      /** The worker was spawned by an earlier, interrupted attempt of this same request. */
      own?: boolean;
    }
  | { action: 'keep'; pid: number; reason: string }
  | { action: 'replace'; stop: number[]; forget: number[]; reason: string };

function sameSpec(a: WorkerSpecFacts, b: WorkerSpecFacts): boolean {
  const keys = Object.keys(a.env);
  return (
    a.command === b.command &&
    a.taskQueue === b.taskQueue &&
    a.cwd === b.cwd &&
    keys.length === Object.keys(b.env).length &&
    keys.every((k) => a.env[k] === b.env[k])
  );
}

/** Records we may signal (proven ours, or orphans of a gone leader) and those only to forget. */
function split(workers: RecordedWorker[]): { stop: number[]; forget: number[] } {
  const stop = workers.filter((w) => w.alive && w.ownership !== 'recycled').map((w) => w.pid);
  return { stop, forget: workers.filter((w) => !stop.includes(w.pid)).map((w) => w.pid) };
}

/**
 * Decides how to satisfy a start request. A worker started after the request, with the same spec
 * and the current code, is adopted: serializing the two requests the other way round gives the
 * same result, and twenty concurrent ensures then end with one worker instead of nineteen kills.
 */
export function planWorkers(request: PlanRequest, workers: RecordedWorker[]): WorkerPlan {
  const live = workers
    .filter((w) => w.ownership === 'ours' && w.alive)
    .sort((a, b) => b.startedAtMs - a.startedAtMs);
  const own = request.token === undefined ? undefined : live.find((w) => w.spawnToken === request.token);
  if (own) {
    const { stop, forget } = split(workers.filter((w) => w.pid !== own.pid));
    return {
      action: 'adopt',
      pid: own.pid,
      stop,
      forget,
      own: true,
      reason: `worker ${own.pid} was started by an interrupted attempt of this request`,
    };
  }
  if (request.mode === 'start' && live[0]) {
    const stale =
      live[0].fingerprint !== request.fingerprint
        ? ` (its code ${live[0].fingerprint} differs from ${request.fingerprint})`
        : '';
    return { action: 'keep', pid: live[0].pid, reason: `worker ${live[0].pid} already runs${stale}` };
  }
  const fresh = live.find(
    (w) =>
      w.startedAtMs >= request.requestedAtMs &&
      w.fingerprint === request.fingerprint &&
      sameSpec(w.spec, request.spec),
  );
  if (fresh) {
    const { stop, forget } = split(workers.filter((w) => w.pid !== fresh.pid));
    return {
      action: 'adopt',
      pid: fresh.pid,
      stop,
      forget,
      reason: `worker ${fresh.pid} was started after this request with the same command and code`,
    };
  }
  const { stop, forget } = split(workers);
  const reason =
    workers.length === 0
      ? 'no worker recorded'
      : `replacing ${stop.length} running, forgetting ${forget.length} stale record(s)`;
  return { action: 'replace', stop, forget, reason };
}

/**
 * Which recorded workers a stop request covers. With `spareStartedAfterMs`, workers started after
 * the request was made by someone other than `requester` (a concurrent recipe) keep running:
 * stopping them would undo a newer start. A requester's own worker is always stopped.
 */
export function planStop(
  workers: RecordedWorker[],
  spare: { spareStartedAfterMs?: number; requester?: string } = {},
): { stop: number[]; forget: number[]; spared: number[] } {
  const after = spare.spareStartedAfterMs;
  const spared =
    after === undefined
      ? []
      : workers
          .filter(
            (w) =>
              w.ownership === 'ours' &&
              w.alive &&
              w.startedAtMs >= after &&
              (spare.requester === undefined || w.startedBy !== spare.requester),
          )
          .map((w) => w.pid);
  const { stop, forget } = split(workers.filter((w) => !spared.includes(w.pid)));
  return { stop, forget, spared };
}
