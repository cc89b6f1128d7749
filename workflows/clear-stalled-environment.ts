// ClearStalledEnvironment: the runbook's "Recipe 3". Find the stalled workflows, plan what to do
// to each (terminate or cancel; healthy waits and ops workflows are never touched), wait for
// approval unless autoApprove, carry out the plan, then start one fresh worker if asked.
import {
  condition,
  defineQuery,
  defineUpdate,
  setHandler,
  uuid4,
  proxyActivities,
} from '@temporalio/workflow';
import type { ClearActivities, ClearResult } from '../activities/clear-activities.js';
import type { InspectActivities, SweepReport } from '../activities/inspect-activities.js';
import { planClear, renderPlan, type ClearPlan } from '../src/recipes/clear-plan.js';
import { parseClearStalledInput } from '../src/recipes/clear-stalled-input.js';
import { hostQueue, shortOp, temporalActivities, waitOp } from './lib/activities.js';
import { Checklist, type StepReport } from './lib/checklist.js';
import { OutcomeRecorder, recordFailure, requireInput } from './lib/outcome.js';
import { freshWorkerPhase, WORKER_STEPS, type WorkerPhaseState } from './lib/worker-phase.js';

export interface ApprovalRequest {
  planId: string;
  /** True to carry out the plan, false to end the recipe without touching anything. */
  approve: boolean;
  by?: string;
}

export interface PendingApproval {
  planId: string;
  actions: number;
  plan: string;
}

export const approveUpdate = defineUpdate<string, [ApprovalRequest]>('approve');
export const pendingApprovalQuery = defineQuery<PendingApproval | null>('pendingApproval');

export interface ClearStalledReport {
  recipe: 'ClearStalledEnvironment';
  ok: boolean;
  problem?: string;
  failedStep?: string;
  scanned: number;
  plan: ClearPlan;
  approval: { by: string; approved: boolean } | null;
  cleared: ClearResult[];
  worker?: WorkerPhaseState['worker'];
  steps: StepReport[];
}

const sweepSeconds = 900;

/** Runs the clear-stalled recipe; bad input fails the workflow, everything else ends in a report. */
export async function ClearStalledEnvironment(raw: unknown): Promise<ClearStalledReport> {
  const input = requireInput('ClearStalledEnvironment', parseClearStalledInput(raw));
  const checklist = new Checklist('ClearStalledEnvironment', [
    ['find-stalled', 'Find stalled workflows'],
    ['plan', 'Plan: terminate or cancel each'],
    ['approval', input.autoApprove ? 'Approval (autoApprove)' : 'Wait for approval (approve update)'],
    ['clear', 'Terminate / cancel the planned workflows'],
    ...(input.restartWorker ? WORKER_STEPS : []),
  ]);
  const report: ClearStalledReport = {
    recipe: 'ClearStalledEnvironment',
    ok: false,
    scanned: 0,
    plan: { actions: [], skipped: [] },
    approval: null,
    cleared: [],
    steps: checklist.steps,
  };
  const outcome = new OutcomeRecorder(
    'ClearStalledEnvironment',
    input.taskQueue ?? input.restartWorker?.project ?? 'all',
  );
  const inspect = proxyActivities<InspectActivities>({ ...shortOp, taskQueue: hostQueue(input.host) });
  const clear = proxyActivities<ClearActivities>({ ...waitOp(300) });

  let pending: PendingApproval | null = null;
  let decision: ApprovalRequest | undefined;
  setHandler(pendingApprovalQuery, () => pending);
  setHandler(
    approveUpdate,
    (request) => {
      decision = request;
      return request.approve ? `plan ${request.planId} approved` : `plan ${request.planId} rejected`;
    },
    {
      validator: (request) => {
        if (!pending) throw new Error('nothing is waiting for approval');
        if (request?.planId !== pending.planId)
          throw new Error(`planId: expected "${pending.planId}", got ${JSON.stringify(request?.planId)}`);
        if (typeof request.approve !== 'boolean')
          throw new Error(`approve: expected true or false, got ${JSON.stringify(request.approve)}`);
      },
    },
  );

  try {
    const server = await temporalActivities.verifyServer.executeWithOptions(
      { ...shortOp, summary: 'verify server' },
      [],
    );
    outcome.enableSearchAttributes(server.missingSearchAttributes.length === 0);
    outcome.record('running', 'started');

    const swept: SweepReport = await checklist.run(
      'find-stalled',
      () =>
        inspect.sweepStalled.executeWithOptions(
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
    const plan = await checklist.run(
      'plan',
      async () => planClear(swept.findings, input.mode, input.verdicts),
      (p) =>
        `${p.actions.filter((a) => a.action === 'terminate').length} terminate, ${p.actions.filter((a) => a.action === 'cancel').length} cancel, ${p.skipped.length} left alone`,
    );
    report.plan = plan;

    if (plan.actions.length === 0) {
      checklist.mark('approval', 'skipped', 'nothing to clear');
      checklist.mark('clear', 'skipped', 'nothing to clear');
    } else {
      const approved = await checklist.run(
        'approval',
        async () => {
          if (input.autoApprove) {
            report.approval = { by: 'autoApprove', approved: true };
            return true;
          }
          pending = { planId: uuid4().slice(0, 8), actions: plan.actions.length, plan: renderPlan(plan) };
          checklist.setNote(
            `**Waiting for approval of plan \`${pending.planId}\`** (update \`approve\` with \`{"planId": "${pending.planId}", "approve": true}\`):\n\n${pending.plan}`,
          );
          outcome.record(
            'waiting-approval',
            `${plan.actions.length} workflows to clear; approve plan ${pending.planId}`,
          );
          const answered = await condition(() => decision !== undefined, `${input.approvalTimeoutSeconds}s`);
          pending = null;
          checklist.setNote('');
          if (!answered)
            throw new Error(`no approval within ${input.approvalTimeoutSeconds} s; nothing was touched`);
          report.approval = { by: decision!.by ?? 'unknown', approved: decision!.approve };
          if (!decision!.approve)
            throw new Error(`plan rejected by ${decision!.by ?? 'unknown'}; nothing was touched`);
          return true;
        },
        () => `approved by ${report.approval?.by}`,
      );
      if (approved) {
        report.cleared = await checklist.run(
          'clear',
          () =>
            clear.clearTargets.executeWithOptions(
              { ...waitOp(300), summary: `clear ${plan.actions.length} workflows` },
              [{ actions: plan.actions, reason: input.reason }],
            ),
          (results) =>
            `${results.filter((r) => r.result === 'done').length} done, ${results.filter((r) => r.result === 'failed').length} failed`,
        );
        const failed = report.cleared.filter((r) => r.result === 'failed' || r.result === 'refused');
        if (failed.length > 0)
          throw new Error(
            `${failed.length} workflows could not be cleared: ${failed[0]!.workflowId}: ${failed[0]!.error}`,
          );
      }
    }
    if (input.restartWorker) {
      const state: WorkerPhaseState = { project: input.restartWorker.projectDir, stopped: [] };
      try {
        await freshWorkerPhase(
          'ClearStalledEnvironment',
          checklist,
          { ...input.restartWorker, host: input.host },
          state,
        );
      } finally {
        report.worker = state.worker;
      }
    }
    report.ok = true;
  } catch (error) {
    recordFailure('ClearStalledEnvironment', error, report);
  } finally {
    checklist.finish();
  }
  report.failedStep = checklist.failedStep?.name;
  const summary = report.ok
    ? `cleared ${report.cleared.filter((r) => r.result === 'done').length} of ${report.plan.actions.length} planned`
    : (report.problem ?? 'failed').split('\n')[0]!;
  outcome.record(report.ok ? 'ok' : 'failed', summary);
  return report;
}
