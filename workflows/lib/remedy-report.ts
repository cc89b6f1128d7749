// The `actions[]` of DebugStalled's report: one entry per planned remedy, updated as it is
// applied and verified, so a cancelled recipe's memo says how far it got.
import type { WorkflowStatusName } from '../../src/contract/facts.js';
import type { PlannedRemedy, RemedyKind, RemedyPlan } from '../../src/diagnosis/remedy-plan.js';
import type { Verdict } from '../../src/contract/verdicts.js';
import type { DebugStalledInput } from '../../src/contract/debug-stalled-input.js';
import type { RecipeContext, RecipeReport } from './recipe.js';
import type { GateReport } from './replay-gate.js';
import type { FixWait } from './remedy-fix-wait.js';
import type { PhaseWorker } from './worker-phase.js';

export interface RemedyAction {
  workflowId: string;
  runId: string;
  verdict: Verdict;
  remedy: RemedyKind;
  applied: boolean;
  verified: boolean;
  /** The remedied run's status when verified (or when the recipe stopped). */
  statusAfter?: WorkflowStatusName;
  /** The run a rerun or reset started. */
  newRunId?: string;
  /** The rerun's workflow ID (a reset keeps the workflow ID). */
  newWorkflowId?: string;
  /** What was done and the evidence of the verification (or why nothing was done). */
  detail: string;
}

/** The report entry of a planned remedy, before anything is applied. */
export function actionOf(planned: PlannedRemedy): RemedyAction {
  return {
    workflowId: planned.workflowId,
    runId: planned.runId,
    verdict: planned.verdict,
    remedy: planned.remedy,
    applied: false,
    verified: false,
    detail: planned.remedy === 'manual' ? `not applied: ${planned.why}` : `planned: ${planned.why}`,
  };
}

/** One line per action, for the summary and the CLI. */
export function actionLine(a: RemedyAction): string {
  const state = !a.applied ? 'not applied' : a.verified ? 'verified' : 'NOT verified';
  const next = a.newRunId ? ` -> ${a.newWorkflowId ?? a.workflowId} run ${a.newRunId}` : '';
  return `${a.remedy} ${a.workflowId}${next}: ${state} (${a.detail})`;
}

/** What `act` adds to DebugStalled's report. */
export interface ActReport extends RecipeReport {
  plan?: RemedyPlan;
  approval?: { by: string; approved: boolean; planId: string } | null;
  fixWait?: FixWait;
  actions?: RemedyAction[];
  project?: string;
  worker?: PhaseWorker;
  /** The replay gate before the worker restart, when the code changed. */
  replayGate?: GateReport;
}

/** The act steps' shared state: the plan and, per planned remedy, its report entry. */
export interface Act {
  ctx: RecipeContext<DebugStalledInput>;
  report: ActReport;
  plan: RemedyPlan;
  /** Planned remedy and its report entry, side by side. */
  pairs: {
    planned: PlannedRemedy;
    action: RemedyAction;
    go: boolean;
    next?: { workflowId: string; runId: string };
  }[];
}
