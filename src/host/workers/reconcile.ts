// Reconciliation with the server: join the pollers DescribeTaskQueue lists to local processes and
// our pid records. Answers "why is old code still answering my workflows?". Pure.
import { judgePoller, parsePollerIdentity, type LivenessOracle } from '../../diagnosis/poller-liveness.js';
import { type ProcessFact } from '../../contract/facts.js';
import type { Ownership } from '../records/identity.js';

/** A poller identity on a task queue, merged over the workflow and activity task types. */
export interface QueuePoller {
  identity: string;
  lastAccessTimeMs: number;
  types: ('workflow' | 'activity')[];
  /** The process its identity names, when already known; else `ReconcileInput.oracle` is asked. */
  process?: ProcessFact;
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
  /** Live local processes named by poller identities, to describe the ones that are not ours. */
  processes: LocalProcessFacts[];
  /** Whether the process a poller identity names still runs (src/host/workers/pollers.ts on this host). */
  oracle?: LivenessOracle;
}

/**
 * - `ours`: a process of one of our workers, running the code of the working tree.
 * - `ours-stale`: ours, but started from other code than the working tree has now.
 * - `foreign`: polling, but no record of ours proves it (another tool, a terminal, another host).
 * - `silent`: not ours, and has not polled within the live window; nothing proves its process gone
 *   (another host, a custom identity, or a live process that stopped polling).
 * - `ghost`: listed by the server, but its process is proven gone (the server keeps dead pollers ~5 min).
 */
export type PollerClass = 'ours' | 'ours-stale' | 'foreign' | 'silent' | 'ghost';

interface ClassifiedPoller {
  identity: string;
  class: PollerClass;
  pid?: number;
  host?: string;
  project?: string;
  lastAccessTimeMs: number;
  types: QueuePoller['types'];
  why: string;
  /** The process fact the judgement used, when the identity names one this host could check. */
  process?: ProcessFact;
}

export interface Reconciliation {
  taskQueue: string;
  pollers: ClassifiedPoller[];
  /** Our live workers recorded on this queue that no poller names: starting, wedged, or on another queue. */
  silent: { project: string; pid: number }[];
}

/** An idle worker re-polls at least every minute (the server's long-poll expiry); older entries are dead. */
const LIVE_POLL_WINDOW_MS = 80_000;

/** Splits `<pid>@<host>`; undefined parts when the identity has another form. */
export function parseIdentity(identity: string): { pid?: number; host?: string } {
  return parsePollerIdentity(identity) ?? {};
}

type Classified = Omit<ClassifiedPoller, 'identity' | 'lastAccessTimeMs' | 'types'>;

function classifyOne(input: ReconcileInput, poller: QueuePoller): Classified {
  const { pid, host } = parseIdentity(poller.identity);
  const process = poller.process ?? input.oracle?.(poller.identity);
  const judged = judgePoller({ ...poller, process }, input.nowMs, LIVE_POLL_WINDOW_MS);
  const base = { pid, host, ...(process && { process }) };
  const local = pid !== undefined && host === input.host;
  const worker = local
    ? input.workers.find((w) => w.ownership !== 'recycled' && w.memberPids.includes(pid))
    : undefined;
  // A record with this pid that is not a live worker: our worker died (a recycled pid proves it).
  const former = local && !worker ? input.workers.find((w) => w.pid === pid) : undefined;
  if (judged.liveness === 'ghost' || former?.ownership === 'recycled') {
    const was = former ? `was worker ${pid} of ${former.project}; ` : '';
    const why = judged.liveness === 'ghost' ? judged.why : `pid ${pid} is no longer that worker`;
    return { ...base, class: 'ghost', project: former?.project, why: `${was}${why}` };
  }
  if (worker) {
    const stale = worker.currentFingerprint !== undefined && worker.currentFingerprint !== worker.fingerprint;
    return stale
      ? {
          ...base,
          class: 'ours-stale',
          project: worker.project,
          why: `worker ${worker.pid} of ${worker.project} runs code ${worker.fingerprint}; the working tree is ${worker.currentFingerprint}`,
        }
      : {
          ...base,
          class: 'ours',
          project: worker.project,
          why: `worker ${worker.pid} of ${worker.project}, code ${worker.fingerprint}`,
        };
  }
  if (judged.liveness === 'silent') return { ...base, class: 'silent', why: judged.why };
  if (!local) {
    const where = pid === undefined ? 'its identity names no pid' : `it runs on host ${host}`;
    return { ...base, class: 'foreign', why: `${where}, so no record of ours can prove it` };
  }
  const described = process?.running ? input.processes.find((p) => p.pid === pid) : undefined;
  const what = described
    ? `runs "${described.cmdline.join(' ')}"${described.cwd ? ` in ${described.cwd}` : ''}`
    : process?.running
      ? 'is alive'
      : 'could not be checked on this host';
  return { ...base, class: 'foreign', why: `pid ${pid} ${what}; not started by temporal-ops` };
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
