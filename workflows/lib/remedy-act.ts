// DebugStalled with `act`: plan one remedy per stalled workflow, check the project, ask for
// approval, wait for the code fix, apply (diverged runs first, then the worker once, then the
// reruns) and verify every remedy. The report's actions are updated as each one is done.
import { isCancellation, uuid4, workflowInfo } from '@temporalio/workflow';
import type { RemedyCheck } from '../../activities/remedy-activities.js';
import {
  planNeedsWorker,
  planRemedies,
  renderRemedyPlan,
  type PlannedRemedy,
  type RemedyPlan,
} from '../../src/diagnosis/remedy-plan.js';
import { defaultDiagnosisPolicy, type Finding } from '../../src/diagnosis/verdicts.js';
import type { DebugStalledInput } from '../../src/recipes/debug-stalled-input.js';
import type { WorkerFields } from '../../src/recipes/worker-fields.js';
import { clusterActivities, shortOp, waitOp } from './activities.js';
import type { Approvals } from './approval.js';
import { failureMessage } from './checklist.js';
import type { RecipeContext, RecipeReport } from './recipe.js';
import type { FixWait, FixWatch } from './remedy-fix-wait.js';
import { actionOf, type RemedyAction } from './remedy-report.js';
import {
  ensureWorkerStep,
  prepareStep,
  WORKER_STEPS,
  type PhaseWorker,
  type WorkerPhaseState,
} from './worker-phase.js';

/** The steps `act` adds after the diagnosis. */
export function actSteps(input: DebugStalledInput): [string, string][] {
  return [
    ['plan', 'Plan one remedy per stalled workflow'],
    WORKER_STEPS[0]!,
    ['approval', input.autoApprove ? 'Approval (autoApprove)' : 'Wait for approval (approve update)'],
    ['wait-fix', 'Wait for the code fix (fingerprint or codeFixed)'],
    ['remedy-runs', 'Terminate or reset the diverged runs'],
    WORKER_STEPS[1]!,
    ['rerun', 'Start new runs of the terminated workflows'],
    ['verify', 'Verify each remedy'],
  ];
}

export interface ActReport extends RecipeReport {
  plan?: RemedyPlan;
  approval?: { by: string; approved: boolean; planId: string } | null;
  fixWait?: FixWait;
  actions?: RemedyAction[];
  project?: string;
  worker?: PhaseWorker;
}

interface Act {
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

function workerFields(input: DebugStalledInput, queue: string): WorkerFields {
  const { projectDir = '', workerCommand, project, env, readyTimeoutSeconds, graceSeconds, host } = input;
  return {
    projectDir,
    taskQueue: queue,
    workerCommand,
    project,
    env,
    readyTimeoutSeconds,
    graceSeconds,
    host,
  };
}

async function approve(act: Act, approvals: Approvals): Promise<void> {
  const { ctx, report, plan } = act;
  const { input, checklist } = ctx;
  const planned = act.pairs.filter((p) => p.go).length;
  await checklist.run(
    'approval',
    async () => {
      const answer = input.autoApprove
        ? { approved: true, by: 'autoApprove', timedOut: false, planId: 'auto' }
        : await approvals.ask({
            kind: 'remedies',
            actions: planned,
            markdown: renderRemedyPlan(plan, input),
            timeoutSeconds: input.approvalTimeoutSeconds ?? 3600,
          });
      report.approval = { by: answer.by, approved: answer.approved, planId: answer.planId };
      if (!answer.approved || answer.timedOut) {
        const why = answer.timedOut
          ? `no approval within ${input.approvalTimeoutSeconds ?? 3600} s`
          : `plan rejected by ${answer.by}`;
        for (const p of act.pairs) if (p.go) p.action.detail = `not applied: ${why}`;
        throw new Error(`${why}; nothing was touched`);
      }
      return answer;
    },
    (d) => `approved by ${d.by}`,
  );
}

async function waitForFix(
  act: Act,
  watch: FixWatch,
  baseline: string | undefined,
  projectDir: string,
): Promise<void> {
  const { ctx, report } = act;
  const { input, checklist } = ctx;
  const fixing = act.pairs.filter((p) => p.go && p.planned.needsCodeFix);
  if (fixing.length === 0 || baseline === undefined) {
    checklist.mark(
      'wait-fix',
      'skipped',
      fixing.length ? 'waitForFixSeconds 0: the code is fixed' : 'no code fix needed',
    );
    return;
  }
  checklist.setNote(
    `**Waiting for a code change in ${projectDir}** (up to ${input.waitForFixSeconds} s), or the \`codeFixed\` update or signal.`,
  );
  ctx.outcome.record('running', `waiting for a code change in ${projectDir}`);
  try {
    report.fixWait = await checklist.run(
      'wait-fix',
      () => watch.wait(ctx, projectDir, baseline, input.waitForFixSeconds),
      (w) =>
        w.how === 'timeout'
          ? `no code change within ${input.waitForFixSeconds} s`
          : w.how === 'codeFixed'
            ? `codeFixed by ${w.by}`
            : `code changed (${w.fingerprint})`,
    );
  } finally {
    checklist.setNote('');
  }
  if (report.fixWait.how !== 'timeout') return;
  for (const p of fixing) {
    p.go = false;
    p.action.detail = `not applied: no code change in ${projectDir} within ${input.waitForFixSeconds} s (restarting on the same code would not help)`;
  }
}

/** Terminates or resets each diverged run; a failure is recorded on its action, the others go on. */
async function remedyRuns(act: Act): Promise<void> {
  const { ctx } = act;
  const diverged = act.pairs.filter(
    (p) => p.go && (p.planned.remedy === 'terminate' || p.planned.remedy === 'reset'),
  );
  if (diverged.length === 0) return ctx.checklist.mark('remedy-runs', 'skipped', 'no diverged runs');
  const reason = `temporal-ops DebugStalled ${workflowInfo().workflowId}: non-determinism`;
  await ctx.checklist.run(
    'remedy-runs',
    async () => {
      for (const p of diverged) {
        const { workflowId, runId, requestId = '' } = p.planned;
        try {
          if (p.planned.remedy === 'reset') {
            const reset = await clusterActivities.resetRun.executeWithOptions(
              { ...shortOp, summary: `reset ${workflowId}` },
              [{ workflowId, runId, reason, requestId }],
            );
            Object.assign(p.action, {
              applied: true,
              newRunId: reset.newRunId,
              detail: `reset to event ${reset.eventId}`,
            });
            p.next = { workflowId, runId: reset.newRunId };
          } else {
            const done = await clusterActivities.terminateRun.executeWithOptions(
              { ...shortOp, summary: `terminate ${workflowId}` },
              [{ workflowId, runId, reason }],
            );
            const applied = done.terminated || done.status === 'TERMINATED';
            Object.assign(p.action, {
              applied,
              statusAfter: done.status,
              detail: done.terminated ? 'terminated' : `already ${done.status}`,
            });
            if (!applied) p.go = false;
          }
        } catch (error) {
          if (isCancellation(error)) throw error;
          p.go = false;
          p.action.detail = `failed: ${failureMessage(error)}`;
        }
      }
      return diverged.filter((p) => p.action.applied).length;
    },
    (n) => `${n} of ${diverged.length} done`,
  );
}

async function reruns(act: Act): Promise<void> {
  const { ctx } = act;
  const todo = act.pairs.filter((p) => p.go && p.planned.remedy === 'terminate' && p.planned.rerun);
  if (todo.length === 0) return ctx.checklist.mark('rerun', 'skipped', 'nothing to rerun');
  await ctx.checklist.run(
    'rerun',
    async () => {
      for (const p of todo) {
        const { workflowId, runId, rerun } = p.planned;
        try {
          const started = await clusterActivities.rerunWorkflow.executeWithOptions(
            { ...shortOp, summary: `rerun ${workflowId}` },
            [{ workflowId, runId, newWorkflowId: rerun!.workflowId, requestId: rerun!.requestId }],
          );
          Object.assign(p.action, {
            newWorkflowId: started.workflowId,
            newRunId: started.runId,
            detail: `${p.action.detail}; rerun as ${started.workflowId}`,
          });
          p.next = { workflowId: started.workflowId, runId: started.runId };
        } catch (error) {
          if (isCancellation(error)) throw error;
          p.action.detail = `${p.action.detail}; rerun failed: ${failureMessage(error)}`;
        }
      }
      return todo.filter((p) => p.next).length;
    },
    (n) => `${n} of ${todo.length} started`,
  );
}

async function verify(act: Act, restartAtMs: number, pollerIdentity: string | undefined): Promise<void> {
  const { ctx } = act;
  const { input } = ctx;
  const pollerFreshMs = input.policy?.pollerFreshMs ?? defaultDiagnosisPolicy.pollerFreshMs;
  const watched = act.pairs.filter((p) => p.action.applied);
  if (watched.length === 0) return ctx.checklist.mark('verify', 'skipped', 'nothing was applied');
  const checks = watched.map(({ planned, next }): RemedyCheck => {
    const run = { workflowId: planned.workflowId, runId: planned.runId };
    if (planned.remedy === 'restart-worker')
      return {
        run,
        goal: {
          kind: 'resumes',
          sinceMs: restartAtMs,
          ...(planned.activityId !== undefined && { activityId: planned.activityId }),
        },
      };
    if (planned.remedy === 'start-worker')
      return { run, goal: { kind: 'picked-up', pollerIdentity, pollerFreshMs } };
    const how = planned.remedy === 'reset' ? 'reset' : 'terminate';
    return {
      run,
      ...(next && { next }),
      goal: {
        kind: 'replaced',
        how,
        sinceMs: restartAtMs,
        expectNewRun: how === 'reset' || planned.rerun !== undefined,
      },
    };
  });
  const results = await ctx.checklist.run(
    'verify',
    () =>
      clusterActivities.watchRemedies.executeWithOptions(
        { ...waitOp(input.verifySeconds), summary: `verify ${checks.length} remedies` },
        [{ checks, seconds: input.verifySeconds }],
      ),
    (r) => `${r.filter((v) => v.verified).length} of ${r.length} verified within ${input.verifySeconds} s`,
  );
  watched.forEach((p, i) => {
    const v = results[i]!;
    Object.assign(p.action, {
      verified: v.verified,
      statusAfter: v.statusAfter,
      detail: `${p.action.detail}; ${v.verified ? 'verified' : 'NOT verified'}: ${v.evidence}`,
    });
  });
}

/** Runs the act steps on the findings; sets `report.ok` when every stalled workflow's remedy verified. */
export async function actOnFindings(
  ctx: RecipeContext<DebugStalledInput>,
  report: ActReport,
  findings: readonly Finding[],
  handlers: { approvals: Approvals; watch: FixWatch },
): Promise<void> {
  const { input, checklist } = ctx;
  const plan = await checklist.run(
    'plan',
    async () =>
      planRemedies(findings, {
        nonDeterminism: input.nonDeterminism,
        rerun: input.rerun,
        taskQueue: input.taskQueue,
        newId: () => uuid4().slice(0, 8),
      }),
    (p) => `${p.actions.length} remedies: ${p.actions.map((a) => a.remedy).join(', ') || 'none'}`,
  );
  report.plan = plan;
  const pairs = plan.actions.map((planned) => ({
    planned,
    action: actionOf(planned),
    go: planned.remedy !== 'manual',
  }));
  report.actions = pairs.map((p) => p.action);
  const act: Act = { ctx, report, plan, pairs };
  if (!pairs.some((p) => p.go)) {
    report.ok = pairs.length === 0;
    if (!report.ok)
      report.problem = `${pairs.length} stalled workflows need a remedy this recipe cannot apply: ${pairs[0]!.action.detail}`;
    return;
  }
  const queue = plan.workerQueue ?? input.taskQueue ?? pairs[0]!.planned.taskQueue;
  const fields = workerFields(input, queue);
  const state: WorkerPhaseState = { project: input.project ?? fields.projectDir, stopped: [] };
  const prepared = await prepareStep(ctx, fields, state);
  report.project = prepared.project;
  const needsFix = pairs.some((p) => p.planned.needsCodeFix) && input.waitForFixSeconds > 0;
  const baseline = needsFix ? await handlers.watch.baseline(ctx, prepared.projectDir) : undefined;
  await approve(act, handlers.approvals);
  await waitForFix(act, handlers.watch, baseline, prepared.projectDir);
  await remedyRuns(act);
  let restartAtMs = Date.now();
  let pollerIdentity: string | undefined;
  const workerPairs = pairs.filter(
    (p) => p.go && (p.planned.remedy === 'restart-worker' || p.planned.remedy === 'start-worker'),
  );
  if (planNeedsWorker({ actions: workerPairs.map((p) => p.planned) })) {
    try {
      const worker = await ensureWorkerStep(ctx, fields, prepared, state);
      if (worker.startedAtMs > 0) restartAtMs = worker.startedAtMs;
      pollerIdentity = worker.pollerIdentity;
      const what = `${worker.action === 'adopted' ? 'adopted' : 'started'} worker ${worker.pid} on "${queue}"`;
      for (const p of workerPairs) Object.assign(p.action, { applied: true, detail: what });
    } finally {
      report.worker = state.worker;
    }
  } else checklist.mark('ensure-worker', 'skipped', 'no worker restart needed');
  await reruns(act);
  await verify(act, restartAtMs, pollerIdentity);
  const failed = report.actions.filter((a) => !a.applied || !a.verified);
  report.ok = failed.length === 0;
  if (!report.ok)
    report.problem = `${failed.length} of ${report.actions.length} remedies not verified: ${failed[0]!.workflowId}: ${failed[0]!.detail}`;
}
