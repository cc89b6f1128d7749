// What a replay check reports: one result per open workflow, grouped by workflow type.
import type { ReplayIsolation } from './isolation.js';

/** `replays`: the new code reproduces the history; `would-break`: a restart onto it would fail the run. */
type ReplayOutcome = 'replays' | 'would-break';

/**
 * Why a run would break: `nondeterminism` (the SDK's NondeterminismError, `[TMPRL1100]`),
 * `task-failure` (the new code fails the workflow task during replay, e.g. an exception or an
 * unregistered type), `replay-error` (the history could not be replayed at all).
 */
export type BreakCause = 'nondeterminism' | 'task-failure' | 'replay-error';

/** Where the new code leaves the recorded history. */
export interface Divergence {
  /** First diverging history event, when the SDK message or the diverging workflow task names it. */
  eventId?: number;
  eventType?: string;
  /** What the history recorded there (activity type, timer id, marker name, ...). */
  recorded?: string;
  /** What the new code produced instead, e.g. `ScheduleActivityTask farewell`, `no command`. */
  produced?: string;
  /** The SDK's own message (`[TMPRL1100] Nondeterminism error: ...`). */
  message: string;
  /** The replay failure as the Replayer raised it, when it wraps `message`. */
  failure?: string;
}

export interface ReplayResult {
  workflowId: string;
  runId: string;
  workflowType: string;
  outcome: ReplayOutcome;
  cause?: BreakCause;
  /** Python exception class of the replay failure (NondeterminismError, RuntimeError, ...). */
  failureClass?: string;
  divergence?: Divergence;
}

export interface ReplayReport {
  taskQueue: string;
  checked: number;
  replays: number;
  wouldBreak: number;
  byType: Record<string, { replays: number; wouldBreak: number }>;
  results: ReplayResult[];
  /** More RUNNING workflows exist on the task queue than `max`: only the newest were checked. */
  truncated: boolean;
  /** False when there was nothing to replay and no Python process was started. */
  spawned: boolean;
  /** How the replay process was kept off the network, when one was started (see ReplayIsolation). */
  isolation?: ReplayIsolation;
  /** How many replay processes shared the histories, when any was started. */
  processes?: number;
  /** How many of them were warm (started before the check, the SDK already imported). */
  warmProcesses?: number;
  fetchMs: number;
  replayMs: number;
  durationMs: number;
}
