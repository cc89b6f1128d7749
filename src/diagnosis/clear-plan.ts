// What ClearStalledEnvironment will do to which workflows: a pure plan from findings (stalled mode)
// or from the running workflows a query or pattern selected (bulk mode), shown for approval before
// anything is terminated or cancelled.
import type { Finding, Verdict } from '../contract/verdicts.js';
import { isRecipeType } from '../contract/ops-workflows.js';

export type ClearMode = 'auto' | 'terminate' | 'cancel';
export type ClearAction = 'terminate' | 'cancel';

export interface PlannedClear {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  /** The stall verdict; absent in bulk mode, which selects whatever the verdict. */
  verdict?: Verdict;
  action: ClearAction;
  why: string;
}

export interface ClearPlan {
  actions: PlannedClear[];
  /** Workflows left alone, and why (verdict not selected, an ops workflow). */
  skipped: { workflowId: string; verdict?: Verdict; why: string }[];
}

/** A running workflow that a bulk selection listed. */
export interface SelectedWorkflow {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  /** Set when the run carries our OpsRecipe search attribute: an ops workflow on any queue. */
  opsRecipe?: string;
}

/**
 * Cancel is delivered to workflow code, so it only clears a workflow whose code still runs (an
 * activity retrying); a workflow whose tasks fail, time out or find no worker can only be terminated.
 */
const CANCELLABLE: ReadonlySet<Verdict> = new Set([
  'activity-retry-storm',
  'activity-not-registered',
  'activity-paused',
  'worker-saturated',
  'activity-on-dead-worker',
  'history-limit',
  'blocked',
]);

function actionFor(verdict: Verdict, mode: ClearMode): { action: ClearAction; why: string } {
  if (mode === 'terminate') return { action: 'terminate', why: 'mode terminate' };
  if (mode === 'cancel') return { action: 'cancel', why: 'mode cancel' };
  return CANCELLABLE.has(verdict)
    ? { action: 'cancel', why: 'workflow code still runs: cancellation reaches it' }
    : { action: 'terminate', why: 'its workflow tasks cannot run: only terminate clears it' };
}

/** Plans one action per stalled finding; healthy waits and ops workflows are never touched. */
export function planClear(findings: Finding[], mode: ClearMode, verdicts?: readonly Verdict[]): ClearPlan {
  const plan: ClearPlan = { actions: [], skipped: [] };
  for (const f of findings) {
    if (!f.stalled || f.verdict === 'healthy-wait') continue;
    if (isRecipeType(f.workflowType)) {
      plan.skipped.push({ workflowId: f.workflowId, verdict: f.verdict, why: 'an ops workflow' });
    } else if (verdicts && !verdicts.includes(f.verdict)) {
      plan.skipped.push({ workflowId: f.workflowId, verdict: f.verdict, why: 'verdict not selected' });
    } else {
      const { workflowId, runId, workflowType, taskQueue, verdict } = f;
      plan.actions.push({ workflowId, runId, workflowType, taskQueue, verdict, ...actionFor(verdict, mode) });
    }
  }
  return plan;
}

/** Plans `action` on every selected workflow but ops workflows, which are listed as left alone. */
export function planBulk(selected: SelectedWorkflow[], action: ClearAction, selection: string): ClearPlan {
  const plan: ClearPlan = { actions: [], skipped: [] };
  for (const w of selected) {
    if (isRecipeType(w.workflowType) || w.opsRecipe !== undefined) {
      plan.skipped.push({ workflowId: w.workflowId, why: 'an ops workflow' });
    } else {
      const { workflowId, runId, workflowType, taskQueue } = w;
      plan.actions.push({
        workflowId,
        runId,
        workflowType,
        taskQueue,
        action,
        why: `selected by ${selection}`,
      });
    }
  }
  return plan;
}

/** The plan as a markdown list for current details and the approval prompt. */
export function renderPlan(plan: ClearPlan, limit = 25): string {
  if (plan.actions.length === 0) return '_nothing to clear_';
  const lines = plan.actions
    .slice(0, limit)
    .map(
      (a) =>
        `- **${a.action}** \`${a.workflowId}\` (${a.workflowType}${a.verdict ? `, ${a.verdict}` : ''}) — ${a.why}`,
    );
  if (plan.actions.length > limit) lines.push(`- … and ${plan.actions.length - limit} more`);
  return lines.join('\n');
}
