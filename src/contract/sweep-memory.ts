// What a sweep remembers of its scope for the next one: the runs it saw, what each was found to be,
// and what the server said about their task queues. Pure data, written and read as JSON.
import type { Finding, Verdict } from './verdicts.js';

/**
 * How a remembered run is re-checked on a repeat sweep:
 * - `idle`: a healthy wait with nothing pending; only a signal, an update or a timer moves it, so it is
 *   described again on its rotation slot (or when its queue or reported problems change).
 * - `steady`: a stall that lasts until its queue's workers change (no worker; a workflow task failing
 *   while the server reports the problem): described again when those change, or on its slot.
 * - `recheck`: anything else (pending activities, children, Nexus operations, a workflow task in flight,
 *   a stall that may move by itself): described at every sweep.
 */
export type RecheckKind = 'idle' | 'steady' | 'recheck';

/** One run as the last sweep that described (or remembered) it left it. */
export interface RememberedRun {
  runId: string;
  taskQueue: string;
  verdict: Verdict;
  stalled: boolean;
  kind: RecheckKind;
  /** The server's TemporalReportedProblems of the run, joined, as visibility listed it. */
  problems: string;
  /** The finding, kept for stalled runs (up to the sweep's cap): a remembered stall is reported with it. */
  finding?: Finding;
}

/** A scope's memory: written by a sweep, read by the next one of the same scope. */
export interface SweepMemory {
  version: 1;
  /** The scope it belongs to (namespace, query and policy): another scope's memory is never used. */
  scope: string;
  /** Sweeps of this scope done so far: picks the rotation slot. */
  sweeps: number;
  /** The sweep that wrote it (a retried activity finds its own). */
  writtenBy: string;
  writtenAtMs: number;
  /**
   * When that sweep began listing (the control worker's clock): the next one lists only the runs
   * started or closed since, less a margin, and those the server reports problems for.
   */
  listedFromMs: number;
  /** Each workflow task queue's state as the sweep saw it (live poller identities, or none and the backlog). */
  queues: Record<string, string>;
  /** By workflow ID. */
  runs: Record<string, RememberedRun>;
}

/** How a sweep uses the memory of its scope. */
export interface SweepRecall {
  /** The memory of the last sweep of the scope; absent, the sweep is a full one. */
  previous?: SweepMemory;
  /** Describe every run at least every this many sweeps (the rotation). */
  recheckEvery: number;
  /** Stalled findings kept in the memory (the report's cap). */
  maxFindings: number;
}
