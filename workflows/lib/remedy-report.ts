// The `actions[]` of DebugStalled's report: one entry per planned remedy, updated as it is
// applied and verified, so a cancelled recipe's memo says how far it got.
import type { WorkflowStatusName } from '../../src/diagnosis/facts.js';
import type { PlannedRemedy, RemedyKind } from '../../src/diagnosis/remedy-plan.js';
import type { Verdict } from '../../src/diagnosis/verdicts.js';

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
