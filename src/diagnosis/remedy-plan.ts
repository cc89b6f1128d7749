// The remedy plan of DebugStalled with `act`: one action per stalled workflow, decided from its
// finding alone. Pure: the workflow calls it (IDs come from the caller, so a replay plans the same).
import { isRecipeType } from '../contract/ops-workflows.js';
import type { Finding, Verdict } from '../contract/verdicts.js';

/**
 * - `restart-worker`: restart the project's worker (once for all); the run resumes by itself.
 * - `start-worker`: start the project's worker on the queue nobody polls.
 * - `terminate`: terminate the diverged run (and start a new one when `rerun`).
 * - `reset`: reset the diverged run to the workflow task before the divergence.
 * - `unpause`: unpause the paused activity (a person's approval required: autoApprove does not cover it).
 * - `manual`: nothing this recipe can do (the reason says why); it is reported, not touched.
 */
export type RemedyKind = 'restart-worker' | 'start-worker' | 'terminate' | 'reset' | 'unpause' | 'manual';

export interface PlannedRemedy {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  verdict: Verdict;
  remedy: RemedyKind;
  /** True when the remedy only helps once the code is fixed (code bug, missing registration). */
  needsCodeFix: boolean;
  /** The failing activity the restart should let complete, or the paused activity to unpause. */
  activityId?: string;
  /** With `unpause`: also reset the activity's attempts to 1. */
  resetAttempts?: boolean;
  /** Request id of the terminate or reset, decided once so a retry does not apply it twice. */
  requestId?: string;
  /** With `terminate` and rerun: the new run's workflow ID and start request id, decided once. */
  rerun?: { workflowId: string; requestId: string };
  why: string;
}

export interface RemedyPlan {
  actions: PlannedRemedy[];
  /** The task queue the project's worker polls after the restart (when any action needs it). */
  workerQueue?: string;
}

export interface RemedyOptions {
  nonDeterminism: 'terminate' | 'reset';
  rerun: boolean;
  /** The queue the recipe runs the project's worker on; default: the one queue the findings need. */
  taskQueue?: string;
  /** A fresh short id (workflow code passes its deterministic uuid4). */
  newId: () => string;
  /** True when the plan is applied without a person's approval: a paused activity is then left alone. */
  autoApprove?: boolean;
  /** With an unpause: also reset the activity's attempts. */
  resetAttempts?: boolean;
  /** Apply only remedies of these kinds; the others are planned as manual, for a person. */
  only?: readonly RemedyKind[];
}

/** `action` as a remedy left to a person when its kind is not among `only`. */
function keptTo(action: PlannedRemedy, only: readonly RemedyKind[] | undefined): PlannedRemedy {
  if (only === undefined || action.remedy === 'manual' || only.includes(action.remedy)) return action;
  const { workflowId, runId, workflowType, taskQueue, verdict } = action;
  // Nothing here waits for a code fix on its behalf.
  return {
    workflowId,
    runId,
    workflowType,
    taskQueue,
    verdict,
    needsCodeFix: false,
    remedy: 'manual',
    why: `${action.remedy} is not among the remedies applied here (${only.join(', ')}): ${action.why}`,
  };
}

/** Unpauses a paused activity, only with a person's approval: someone paused it on purpose. */
function unpauseRemedy(
  f: Finding,
  options: RemedyOptions,
): Pick<PlannedRemedy, 'remedy' | 'why' | 'activityId' | 'resetAttempts'> {
  const a = f.evidence.activity;
  if (a === undefined) return { remedy: 'manual', why: 'the paused activity is not named in the evidence' };
  const pause = a.pause;
  const by = pause?.identity ?? (pause?.ruleId !== undefined ? `rule ${pause.ruleId}` : undefined);
  const who = `${by !== undefined ? ` by ${by}` : ''}${pause?.reason ? ` (reason: ${JSON.stringify(pause.reason)})` : ''}`;
  if (options.autoApprove)
    return {
      remedy: 'manual',
      why: `activity "${a.activityType}" (${a.activityId}) was paused${who}; autoApprove does not undo a pause: run act without it and approve the unpause`,
    };
  const reset = options.resetAttempts === true;
  return {
    remedy: 'unpause',
    activityId: a.activityId,
    ...(reset && { resetAttempts: true }),
    why: `unpause activity "${a.activityType}" (${a.activityId}), paused${who}${reset ? ', and reset its attempts' : `, at attempt ${a.attempt}`}`,
  };
}

const restartVerdicts: Partial<Record<Verdict, boolean>> = {
  'workflow-code-bug': true,
  'sandbox-violation': true,
  'workflow-not-registered': true,
  'activity-retry-storm': true,
  'activity-not-registered': true,
  'worker-frozen': true,
  'pending-limit': true,
  'workflow-task-timeout': false,
};

/** The queue whose worker the finding needs: the activity's queue for activity verdicts. */
function neededQueue(f: Finding): string {
  return f.evidence.activity?.taskQueue ?? f.taskQueue;
}

function workerNeeded(f: Finding): boolean {
  return f.verdict === 'no-worker' || restartVerdicts[f.verdict] !== undefined;
}

/** Plans one remedy per stalled finding; healthy and closed runs are not in the plan. */
export function planRemedies(findings: readonly Finding[], options: RemedyOptions): RemedyPlan {
  const stalled = findings.filter((f) => f.stalled);
  const queues = [
    ...new Set(stalled.filter((f) => workerNeeded(f) && !isRecipeType(f.workflowType)).map(neededQueue)),
  ];
  const workerQueue = options.taskQueue ?? (queues.length === 1 ? queues[0] : undefined);
  const actions = stalled.map((f): PlannedRemedy => {
    const base = {
      workflowId: f.workflowId,
      runId: f.runId,
      workflowType: f.workflowType,
      taskQueue: f.taskQueue,
      verdict: f.verdict,
      needsCodeFix: restartVerdicts[f.verdict] === true,
    };
    // Sweeps leave ops workflows out already; one analyzed by ID is still never touched.
    if (isRecipeType(f.workflowType))
      return { ...base, remedy: 'manual', why: 'an ops workflow is never remedied' };
    if (f.verdict === 'non-determinism') {
      if (options.nonDeterminism === 'reset')
        return {
          ...base,
          remedy: 'reset',
          requestId: options.newId(),
          why: 'reset to the last good workflow task',
        };
      const rerun = options.rerun
        ? { workflowId: `${f.workflowId}-rerun-${options.newId()}`, requestId: options.newId() }
        : undefined;
      return {
        ...base,
        remedy: 'terminate',
        requestId: options.newId(),
        ...(rerun && { rerun }),
        why: rerun ? `terminate, then start ${rerun.workflowId} with the same input` : 'terminate',
      };
    }
    if (f.verdict === 'activity-paused') return { ...base, ...unpauseRemedy(f, options) };
    const queue = neededQueue(f);
    if (!workerNeeded(f)) return { ...base, remedy: 'manual', why: f.remedy.text };
    if (workerQueue === undefined)
      return {
        ...base,
        remedy: 'manual',
        why: `workers are needed on several queues (${queues.join(', ')}): name the one to run with taskQueue`,
      };
    if (queue !== workerQueue)
      return {
        ...base,
        remedy: 'manual',
        why: `needs a worker on "${queue}", but the recipe runs the project's worker on "${workerQueue}"`,
      };
    const activityId = f.evidence.activity?.activityId;
    if (f.verdict === 'no-worker')
      return { ...base, remedy: 'start-worker', why: `start the project's worker on "${queue}"` };
    return {
      ...base,
      remedy: 'restart-worker',
      ...(activityId !== undefined && { activityId }),
      why: base.needsCodeFix
        ? `restart the worker on the fixed code; ${f.evidence.summary}`
        : `restart the worker; ${f.evidence.summary}`,
    };
  });
  return {
    actions: actions.map((a) => keptTo(a, options.only)),
    ...(workerQueue !== undefined && { workerQueue }),
  };
}

/** True when the plan restarts or starts the project's worker. */
export function planNeedsWorker(plan: RemedyPlan): boolean {
  return plan.actions.some((a) => a.remedy === 'restart-worker' || a.remedy === 'start-worker');
}

/** The plan as markdown, word for word what the approver sees. */
export function renderRemedyPlan(
  plan: RemedyPlan,
  context: { projectDir?: string; waitForFixSeconds: number },
): string {
  const lines = [`**${plan.actions.length} remedies planned**`, ''];
  for (const a of plan.actions)
    lines.push(`- \`${a.workflowId}\` (run \`${a.runId}\`, ${a.verdict}): **${a.remedy}** — ${a.why}`);
  if (planNeedsWorker(plan))
    lines.push(
      '',
      `The worker of ${context.projectDir ?? 'the project'} is restarted once, on task queue "${plan.workerQueue ?? ''}"` +
        (plan.actions.some((a) => a.needsCodeFix) && context.waitForFixSeconds > 0
          ? `, after a code change in ${context.projectDir ?? 'the project'} (up to ${context.waitForFixSeconds} s).`
          : '.'),
    );
  return lines.join('\n');
}
