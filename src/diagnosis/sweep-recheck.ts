// Which runs a repeat sweep describes again, from what the last sweep remembered and what the
// visibility list and the task queues say now. Pure: no I/O, no clock.
import type { WorkflowFacts } from '../contract/facts.js';
import type { RecheckKind, RememberedRun } from '../contract/sweep-memory.js';
import type { Finding, Verdict } from '../contract/verdicts.js';

/**
 * Stalls on a failing (or timing out) workflow task: they hold while the server keeps reporting the
 * problem; a fix restarts the worker, which changes the queue's state, or clears the report.
 */
const WORKFLOW_TASK_FAILING: ReadonlySet<Verdict> = new Set<Verdict>([
  'non-determinism',
  'workflow-code-bug',
  'workflow-not-registered',
  'sandbox-violation',
  'workflow-task-timeout',
]);

/** How the run is to be re-checked, from the facts it was diagnosed on and its finding. */
export function recheckKind(facts: WorkflowFacts, finding: Finding): RecheckKind {
  const idle =
    !facts.pendingWorkflowTask &&
    facts.pendingActivities.length === 0 &&
    !facts.pendingChildWorkflows &&
    !facts.pendingNexusOperations?.length;
  if (finding.verdict === 'healthy-wait') return idle ? 'idle' : 'recheck';
  if (finding.verdict === 'no-worker' && facts.pendingActivities.length === 0) return 'steady';
  // Without the server's report, a failing task is seen only by describing it (its attempt).
  if (WORKFLOW_TASK_FAILING.has(finding.verdict) && (facts.reportedProblems?.length ?? 0) > 0)
    return 'steady';
  return 'recheck';
}

/** The rotation slot of a run, 0 to `every - 1`: FNV-1a of its IDs, so it stays put from sweep to sweep. */
export function rotationSlot(workflowId: string, runId: string, every: number): number {
  let hash = 0x811c9dc5;
  const text = `${workflowId}\0${runId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % every;
}

/** A steady stall is described at least every `every` times this many sweeps. */
const STEADY_ROTATION = 4;

/** A listed run as the repeat sweep sees it, beside the state of its queue before and now. */
export interface RecheckQuestion {
  workflowId: string;
  runId: string;
  /** TemporalReportedProblems as listed now, joined. */
  problems: string;
  remembered: RememberedRun | undefined;
  /** The queue's state now and as the last sweep saw it (undefined: not known). */
  queueNow: string | undefined;
  queueBefore: string | undefined;
  /** The number of this sweep in the scope (the memory's count of sweeps before it). */
  sweep: number;
  every: number;
}

/**
 * Why the run must be described again, or undefined when what the last sweep found still holds:
 * new runs, reported problems that changed, a queue whose workers changed, a run that may move by
 * itself, and the rotation slot, so every quiet run is described at least every `every` sweeps (a
 * steady stall, which the queue and the reported problems speak for, every 4 x `every`).
 */
export function recheckReason(q: RecheckQuestion): string | undefined {
  const r = q.remembered;
  if (!r || r.runId !== q.runId) return 'new run';
  if (r.problems !== q.problems) return 'reported problems changed';
  if (q.queueNow === undefined || q.queueNow !== q.queueBefore) return 'task queue changed';
  if (r.kind === 'recheck') return 'may move by itself';
  // A steady stall changes only with its queue or its reported problems, both read at every sweep: it
  // is described on a slower rotation, which refreshes its evidence.
  const every = r.kind === 'steady' ? q.every * STEADY_ROTATION : q.every;
  if (rotationSlot(q.workflowId, q.runId, every) === q.sweep % every) return 'rotation';
  return undefined;
}

/**
 * A workflow task queue's state as a repeat sweep compares it: the live pollers' identities, or,
 * with none live, the backlog of workflow tasks (a signal to a run nobody serves adds one).
 */
export function queueState(liveIdentities: readonly string[], backlog: number | undefined): string {
  if (liveIdentities.length > 0) return `live:${[...liveIdentities].sort().join(',')}`;
  return `none:${backlog ?? '?'}`;
}
