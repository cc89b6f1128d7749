// `worker list`: our recorded workers joined with what the server sees on their task queues.
import { hostname } from 'node:os';
import { codeFingerprint } from '../projects/fingerprint.js';
import { localProcesses, observeWorker, type WorkerView } from './observe.js';
import { parseIdentity, reconcile, type LocalWorkerFacts, type Reconciliation } from './reconcile.js';
import { readPidRecords, type ExitInfo } from '../records/pid-file.js';
import type { LivenessOracle } from '../../diagnosis/poller-liveness.js';
import { localLivenessOracle, type PollerSource } from './pollers.js';
import { workerState, type WorkerState } from './state.js';

export interface WorkerRow {
  project: string;
  pid: number;
  state: WorkerState;
  /** Why the state: identity proof, exit, give-up reason. */
  why: string;
  uptimeMs?: number;
  rssBytes: number;
  taskQueue: string;
  /** Pollers of its group on its task queue; undefined when the server was not asked. */
  pollersSeen?: number;
  lastPollMs?: number;
  fingerprint: string;
  /** The working tree's fingerprint now; differs from `fingerprint` when the worker runs old code. */
  currentFingerprint: string;
  stale: boolean;
  restarts: number;
  exit?: ExitInfo;
  logPath: string;
  command: string;
  startedAt: string;
  memberPids: number[];
}

export interface Inventory {
  workers: WorkerRow[];
  /** Every poller of each task queue involved, classified (ours, ours-stale, foreign, silent, ghost). */
  queues: Reconciliation[];
  /** Set when the server could not be asked about pollers. */
  serverError?: string;
  /** The views behind the rows, for callers that measure more (health). */
  views: WorkerView[];
}

export interface InventoryOptions {
  project?: string;
  pollers?: PollerSource;
  /** Task queues to reconcile besides those of the recorded workers. */
  taskQueues?: string[];
  /** Tells whether a poller's process still runs (default: this host's process backend). */
  oracle?: LivenessOracle;
}

/** The inventory without the internal views: what JSON output and activities return. */
export function inventoryFacts({ workers, queues, serverError }: Inventory): Omit<Inventory, 'views'> {
  return { workers, queues, ...(serverError ? { serverError } : {}) };
}

function whyOf(view: WorkerView, state: WorkerState): string {
  const { exit, gaveUp } = view.record;
  if (state === 'gave-up' && gaveUp) return gaveUp.reason;
  if (state === 'exited') {
    if (!exit) return 'exited; its exit status was not seen (the process that started it had ended)';
    const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    return exit.note ? `${exit.note} (${how})` : how;
  }
  return view.why;
}

async function fingerprints(dirs: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(dirs)];
  const values = await Promise.all(unique.map((dir) => codeFingerprint(dir).catch(() => 'unknown')));
  return new Map(unique.map((dir, i) => [dir, values[i] ?? 'unknown']));
}

/** Observes every recorded worker (never signals) and reconciles the pollers of their queues. */
export async function takeInventory(stateDir: string, options: InventoryOptions = {}): Promise<Inventory> {
  const records = await readPidRecords(stateDir, { kind: 'worker', project: options.project });
  const views = records.map((r) => observeWorker(r));
  const current = await fingerprints(records.map((r) => r.cwd));
  const facts: LocalWorkerFacts[] = views.map((v) => ({
    project: v.record.project,
    pid: v.record.pid,
    taskQueue: v.record.taskQueue,
    ownership: v.ownership,
    memberPids: v.memberPids,
    fingerprint: v.record.fingerprint,
    currentFingerprint: current.get(v.record.cwd),
  }));
  const queueNames = [...new Set([...records.map((r) => r.taskQueue), ...(options.taskQueues ?? [])])];
  const queues: Reconciliation[] = [];
  let serverError: string | undefined;
  if (options.pollers) {
    try {
      const lists = await Promise.all(queueNames.map((q) => options.pollers!(q)));
      const host = hostname();
      // One check per distinct identity, though it may poll several of the queues.
      const ask = options.oracle ?? localLivenessOracle(host);
      const checked = new Map<string, ReturnType<LivenessOracle>>();
      const oracle: LivenessOracle = (identity) => {
        if (!checked.has(identity)) checked.set(identity, ask(identity));
        return checked.get(identity);
      };
      lists.forEach((pollers, i) => {
        const pids = pollers
          .map((p) => parseIdentity(p.identity))
          .filter((p) => p.host === host && p.pid !== undefined)
          .map((p) => p.pid!);
        queues.push(
          reconcile({
            taskQueue: queueNames[i]!,
            pollers,
            host,
            nowMs: Date.now(),
            workers: facts,
            processes: localProcesses(pids),
            oracle,
          }),
        );
      });
    } catch (error) {
      serverError = error instanceof Error ? error.message : String(error);
    }
  }
  const workers = views.map((view): WorkerRow => {
    const { record } = view;
    const queue = queues.find((q) => q.taskQueue === record.taskQueue);
    const own = queue?.pollers.filter(
      (p) =>
        p.pid !== undefined &&
        view.memberPids.includes(p.pid) &&
        p.class !== 'ghost' &&
        p.class !== 'foreign',
    );
    const state = workerState({
      ownership: view.ownership,
      alive: view.alive,
      polling: own ? own.length > 0 : undefined,
      gaveUp: record.gaveUp !== undefined,
    });
    const currentFingerprint = current.get(record.cwd) ?? 'unknown';
    return {
      project: record.project,
      pid: record.pid,
      state,
      why: whyOf(view, state),
      uptimeMs: view.uptimeMs,
      rssBytes: view.rssBytes,
      taskQueue: record.taskQueue,
      pollersSeen: own?.length,
      lastPollMs: own && own.length > 0 ? Math.max(...own.map((p) => p.lastAccessTimeMs)) : undefined,
      fingerprint: record.fingerprint,
      currentFingerprint,
      stale: currentFingerprint !== 'unknown' && currentFingerprint !== record.fingerprint,
      restarts: record.restarts ?? 0,
      exit: record.exit,
      logPath: record.logPath,
      command: record.command,
      startedAt: record.startedAt,
      memberPids: view.memberPids,
    };
  });
  return { workers, queues, serverError, views };
}
