// ClearStalledEnvironment: the runbook's "Recipe 3". Find the stalled workflows, plan what to do
// to each (terminate or cancel; healthy waits and ops workflows are never touched), wait for
// approval unless autoApprove, carry out the plan, then start one fresh worker if asked. With
// `action` it is the runbook's bulk cancel instead: every running workflow that a query or
// workflow-ID pattern selects, whatever its verdict (ops workflows never). A cancel mid-way reports
// how far the plan got.
import type { ClearResult, Selection } from '../activities/clear-activities.js';
import type { SweepReport } from '../activities/inspect-activities.js';
import { planBulk, planClear, renderPlan, type ClearPlan } from '../src/diagnosis/clear-plan.js';
import { parseClearStalledInput, type ClearStalledInput } from '../src/contract/clear-stalled-input.js';
import { clusterActivities, shortOp, waitOp } from './lib/activities.js';
import type { Approvals, ApprovalDecision } from './lib/approval.js';
import { runRecipe, type RecipeContext, type RecipeReport } from './lib/recipe.js';
import { freshWorkerPhase, WORKER_STEPS, type WorkerPhaseState } from './lib/worker-phase.js';

export type { PendingApproval } from './lib/approval.js';

export interface ClearStalledReport extends RecipeReport {
  recipe: 'ClearStalledEnvironment';
  /** Stalled mode: running workflows diagnosed. Bulk mode: running target workflows that matched. */
  scanned: number;
  /** Bulk mode: what selected the workflows. */
  selection?: { query: string; pattern?: string; matched: number };
  plan: ClearPlan;
  approval: { by: string; approved: boolean } | null;
  cleared: ClearResult[];
  /** When the recipe was cancelled after approval: each planned workflow's status at the end. */
  halfApplied?: { workflowId: string; runId: string; status: string }[];
  worker?: WorkerPhaseState['worker'];
}

const sweepSeconds = 900;

/** `pattern "order-*" and query "…"`: the words the plan and the refusal use. */
function selectionText(input: ClearStalledInput): string {
  const parts: string[] = [];
  if (input.pattern !== undefined) parts.push(`pattern ${JSON.stringify(input.pattern)}`);
  if (input.query !== undefined) parts.push(`query ${JSON.stringify(input.query)}`);
  if (input.taskQueue !== undefined) parts.push(`task queue ${JSON.stringify(input.taskQueue)}`);
  return parts.join(' and ');
}

/** Stalled mode: sweep, then one action per stalled finding by its verdict. */
async function planStalled(ctx: RecipeContext<ClearStalledInput>, report: ClearStalledReport) {
  const { input, checklist } = ctx;
  const swept: SweepReport = await checklist.run(
    'find-stalled',
    () =>
      clusterActivities.sweepStalled.executeWithOptions(
        { ...waitOp(sweepSeconds), summary: 'find stalled workflows' },
        [
          {
            query: input.query,
            taskQueue: input.taskQueue,
            policy: input.policy,
            maxFindings: input.maxWorkflows + 1,
          },
        ],
      ),
    (s) => `${s.stalledCount} stalled of ${s.scanned} running`,
  );
  report.scanned = swept.scanned;
  if (swept.truncated || swept.stalledCount > input.maxWorkflows) {
    throw new Error(
      `${swept.stalledCount} stalled workflows exceed maxWorkflows ${input.maxWorkflows}; narrow the query or raise the limit`,
    );
  }
  return checklist.run(
    'plan',
    async () => planClear(swept.findings, input.mode, input.verdicts),
    planSummary,
  );
}

/** Bulk mode: every running workflow the selection lists gets `action`; refuses above maxWorkflows. */
async function planSelected(ctx: RecipeContext<ClearStalledInput>, report: ClearStalledReport) {
  const { input, checklist } = ctx;
  const action = input.action!;
  const what = selectionText(input);
  const found: Selection = await checklist.run(
    'find-matching',
    () =>
      clusterActivities.selectRunning.executeWithOptions(
        { ...waitOp(sweepSeconds), summary: `find running workflows: ${what}` },
        [
          {
            query: input.query,
            pattern: input.pattern,
            taskQueue: input.taskQueue,
            limit: input.maxWorkflows,
          },
        ],
      ),
    (s) => `${s.matched} running workflows match`,
  );
  report.scanned = found.matched;
  report.selection = {
    query: found.query,
    ...(input.pattern !== undefined && { pattern: input.pattern }),
    matched: found.matched,
  };
  if (found.matched > input.maxWorkflows) {
    throw new Error(
      `${found.matched} running workflows match ${what}, more than maxWorkflows ${input.maxWorkflows}; nothing was touched: narrow the selection or raise maxWorkflows`,
    );
  }
  return checklist.run('plan', async () => planBulk(found.selected, action, what), planSummary);
}

function planSummary(p: ClearPlan): string {
  const count = (action: string) => p.actions.filter((a) => a.action === action).length;
  return `${count('terminate')} terminate, ${count('cancel')} cancel, ${p.skipped.length} left alone`;
}

/** Runs the clear-stalled recipe; bad input fails the workflow, everything else ends in a report. */
export function ClearStalledEnvironment(raw: unknown): Promise<ClearStalledReport> {
  let approvals: Approvals | undefined;
  let approved = false;
  return runRecipe<ClearStalledInput, ClearStalledReport>(
    {
      name: 'ClearStalledEnvironment',
      parse: parseClearStalledInput,
      steps: (input) => [
        input.action
          ? ['find-matching', `Find running workflows: ${selectionText(input)}`]
          : ['find-stalled', 'Find stalled workflows'],
        [
          'plan',
          input.action
            ? `Plan: ${input.action} each (ops workflows left alone)`
            : 'Plan: terminate or cancel each',
        ],
        ['approval', input.autoApprove ? 'Approval (autoApprove)' : 'Wait for approval (approve update)'],
        ['clear', 'Terminate / cancel the planned workflows'],
        ...(input.restartWorker ? WORKER_STEPS : []),
      ],
      label: (input) => input.taskQueue ?? input.restartWorker?.project ?? 'all',
      placement: (input) =>
        input.restartWorker
          ? { host: input.restartWorker.host ?? input.host, projectDir: input.restartWorker.projectDir }
          : null,
      initialReport: (_input, steps) => ({
        recipe: 'ClearStalledEnvironment',
        ok: false,
        scanned: 0,
        plan: { actions: [], skipped: [] },
        approval: null,
        cleared: [],
        steps,
      }),
      async body(ctx, report) {
        const { input, checklist } = ctx;
        approvals = ctx.approvals();
        const plan = input.action ? await planSelected(ctx, report) : await planStalled(ctx, report);
        report.plan = plan;
        if (plan.actions.length === 0) {
          checklist.mark('approval', 'skipped', 'nothing to clear');
          checklist.mark('clear', 'skipped', 'nothing to clear');
        } else {
          const decision: ApprovalDecision = await checklist.run(
            'approval',
            async () => {
              const answer = input.autoApprove
                ? { approved: true, by: 'autoApprove', timedOut: false, planId: 'auto' }
                : await approvals!.ask({
                    kind: 'clear',
                    actions: plan.actions.length,
                    markdown: renderPlan(plan),
                    timeoutSeconds: input.approvalTimeoutSeconds,
                  });
              report.approval = { by: answer.by, approved: answer.approved };
              if (answer.timedOut)
                throw new Error(
                  `no approval within approvalTimeoutSeconds (${input.approvalTimeoutSeconds} s); nothing was touched`,
                );
              if (!answer.approved) throw new Error(`plan rejected by ${answer.by}; nothing was touched`);
              return answer;
            },
            (d) => `approved by ${d.by}`,
          );
          approved = decision.approved;
          report.cleared = await checklist.run(
            'clear',
            () =>
              clusterActivities.clearTargets.executeWithOptions(
                {
                  ...waitOp(300 + input.cancelWaitSeconds),
                  summary: `clear ${plan.actions.length} workflows`,
                },
                [{ actions: plan.actions, reason: input.reason, cancelWaitSeconds: input.cancelWaitSeconds }],
              ),
            (results) =>
              `${results.filter((r) => r.result === 'terminated').length} terminated, ${results.filter((r) => r.result === 'cancelled').length} cancelled, ${results.filter((r) => r.result === 'cancel-requested').length} still running after cancel, ${results.filter((r) => r.result === 'failed').length} failed`,
          );
          const failed = report.cleared.filter((r) => r.result === 'failed' || r.result === 'refused');
          if (failed.length > 0)
            throw new Error(
              `${failed.length} workflows could not be cleared: ${failed[0]!.workflowId}: ${failed[0]!.error}`,
            );
        }
        if (input.restartWorker) {
          const state: WorkerPhaseState = { project: input.restartWorker.projectDir, stopped: [] };
          try {
            await freshWorkerPhase(ctx, input.restartWorker, state);
          } finally {
            report.worker = state.worker;
          }
        }
        report.ok = true;
      },
      async cleanup(_ctx, report) {
        // Only a cancel after approval can leave the plan half done: say where each workflow stands.
        if (!approved || report.cleared.length === report.plan.actions.length) return;
        report.halfApplied = await clusterActivities.describeTargets.executeWithOptions(
          { ...shortOp, summary: 'status of the planned workflows' },
          [{ targets: report.plan.actions.map(({ workflowId, runId }) => ({ workflowId, runId })) }],
        );
      },
      summary: (report) =>
        report.ok
          ? `cleared ${report.cleared.filter((r) => r.result === 'terminated' || r.result === 'cancelled').length} of ${report.plan.actions.length} planned`
          : (report.problem ?? 'failed'),
    },
    raw,
  );
}
