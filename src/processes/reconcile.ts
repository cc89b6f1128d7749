// Reconciliation with the server: join the pollers DescribeTaskQueue lists to local processes and
// our pid records. Answers "why is old code still answering my workflows?". Pure.
import type { Ownership } from './identity.js';

/** A poller identity on a task queue, merged over the workflow and activity task types. */
export interface QueuePoller {
  identity: string;
  lastAccessTimeMs: number;
  types: ('workflow' | 'activity')[];
}

/** One of our recorded workers, as observed on this host. */
export interface LocalWorkerFacts {
  project: string;
  pid: number;
  taskQueue: string;
  ownership: Ownership;
  /** Live pids of its process group. */
  memberPids: number[];
  fingerprint: string;
  /** Fingerprint of its project's working tree now; undefined when unknown. */
  currentFingerprint?: string;
}

/** A live local process named by a poller identity. */
export interface LocalProcessFacts {
  pid: number;
  cmdline: string[];
  cwd?: string;
}

export interface ReconcileInput {
  taskQueue: string;
  pollers: QueuePoller[];
  /** This machine's hostname, as the Python SDK writes it in `<pid>@<host>`. */
  host: string;
  nowMs: number;
  workers: LocalWorkerFacts[];
  /** Live local processes; a poller pid missing here is not running. */
  processes: LocalProcessFacts[];
}

/**
 * - `ours`: a process of one of our workers, running the code of the working tree.
 * - `ours-stale`: ours, but started from other code than the working tree has now.
 * - `foreign`: polling, but no record of ours proves it (another tool, a terminal, another host).
 * - `ghost`: listed by the server, but its process is gone (the server keeps dead pollers ~5 min).
 */
export type PollerClass = 'ours' | 'ours-stale' | 'foreign' | 'ghost';

export interface ClassifiedPoller {
  identity: string;
  class: PollerClass;
  pid?: number;
  host?: string;
  project?: string;
  lastAccessTimeMs: number;
  types: QueuePoller['types'];
  why: string;
}

export interface Reconciliation {
  taskQueue: string;
  pollers: ClassifiedPoller[];
  /** Our live workers recorded on this queue that no poller names: starting, wedged, or on another queue. */
  silent: { project: string; pid: number }[];
}

/** An idle worker re-polls at least every minute (the server's long-poll expiry); older entries are dead. */
export const LIVE_POLL_WINDOW_MS = 80_000;

/** Splits `<pid>@<host>`; undefined parts when the identity has another form. */
export function parseIdentity(identity: string): { pid?: number; host?: string } {
  const match = /^(\d+)@(.+)$/.exec(identity);
  return match ? { pid: Number(match[1]), host: match[2] } : {};
}

function ago(input: ReconcileInput, poller: QueuePoller): string {
  return `${Math.round((input.nowMs - poller.lastAccessTimeMs) / 1000)} s ago`;
}

function classifyOne(
  input: ReconcileInput,
  poller: QueuePoller,
): Omit<ClassifiedPoller, 'identity' | 'lastAccessTimeMs' | 'types'> {
  const { pid, host } = parseIdentity(poller.identity);
  const fresh = input.nowMs - poller.lastAccessTimeMs <= LIVE_POLL_WINDOW_MS;
  if (pid === undefined || host !== input.host) {
    const where = pid === undefined ? 'its identity names no pid' : `it runs on host ${host}`;
    return fresh
      ? { class: 'foreign', pid, host, why: `${where}, so no record of ours can prove it` }
      : { class: 'ghost', pid, host, why: `${where} and it last polled ${ago(input, poller)}` };
  }
  const worker = input.workers.find((w) => w.ownership !== 'recycled' && w.memberPids.includes(pid));
  if (worker) {
    const stale = worker.currentFingerprint !== undefined && worker.currentFingerprint !== worker.fingerprint;
    return stale
      ? {
          class: 'ours-stale',
          pid,
          host,
          project: worker.project,
          why: `worker ${worker.pid} of ${worker.project} runs code ${worker.fingerprint}; the working tree is ${worker.currentFingerprint}`,
        }
      : {
          class: 'ours',
          pid,
          host,
          project: worker.project,
          why: `worker ${worker.pid} of ${worker.project}, code ${worker.fingerprint}`,
        };
  }
  const process = input.processes.find((p) => p.pid === pid);
  // A record with this pid that did not prove ours above: the worker died (its pid may be reused).
  const former = input.workers.find((w) => w.pid === pid);
  if (!process || former) {
    const was = former ? `was worker ${pid} of ${former.project}; ` : '';
    return {
      class: 'ghost',
      pid,
      host,
      project: former?.project,
      why: `${was}no process ${pid} of ours polls any more (last poll ${ago(input, poller)})`,
    };
  }
  if (!fresh)
    return {
      class: 'ghost',
      pid,
      host,
      why: `pid ${pid} is alive but last polled ${ago(input, poller)}; the pid was likely reused`,
    };
  const where = process.cwd ? ` in ${process.cwd}` : '';
  return {
    class: 'foreign',
    pid,
    host,
    why: `pid ${pid} runs "${process.cmdline.join(' ')}"${where}; not started by temporal-ops`,
  };
}

/** Classifies every poller of the queue and lists our live workers on it that do not poll. */
export function reconcile(input: ReconcileInput): Reconciliation {
  const pollers = input.pollers.map((p) => ({
    identity: p.identity,
    lastAccessTimeMs: p.lastAccessTimeMs,
    types: p.types,
    ...classifyOne(input, p),
  }));
  const polling = new Set(
    pollers.filter((p) => p.class === 'ours' || p.class === 'ours-stale').map((p) => p.pid),
  );
  const silent = input.workers
    .filter((w) => w.taskQueue === input.taskQueue && w.ownership !== 'recycled' && w.memberPids.length > 0)
    .filter((w) => !w.memberPids.some((pid) => polling.has(pid)))
    .map((w) => ({ project: w.project, pid: w.pid }));
  return { taskQueue: input.taskQueue, pollers, silent };
}
