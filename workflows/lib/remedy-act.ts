// DebugStalled with `act`: plan one remedy per stalled workflow, check the project, ask for
// approval, wait for the code fix, apply (diverged runs first, then the worker once, then the
// reruns) and verify every remedy. The report's actions are updated as each one is done.
import { uuid4 } from '@temporalio/workflow';
import { planNeedsWorker, planRemedies } from '../../src/diagnosis/remedy-plan.js';
import type { Finding } from '../../src/contract/verdicts.js';
import type { DebugStalledInput } from '../../src/contract/debug-stalled-input.js';
import type { WorkerFields } from '../../src/contract/worker-fields.js';
import type { Approvals } from './approval.js';
import type { RecipeContext } from './recipe.js';
import type { FixWatch } from './remedy-fix-wait.js';
import { approve, waitForFix } from './remedy-gate.js';
import { actionOf, type Act, type ActReport } from './remedy-report.js';
import { remedyRuns, reruns, unpauseActivities } from './remedy-runs.js';
import { verify } from './remedy-verify.js';
import { resetAfterRestart } from './replay-gate.js';
import {
  ensureWorkerStep,
  gateStep,
  prepareStep,
  WORKER_STEPS,
  workerSpec,
  type WorkerPhaseState,
} from './worker-phase.js';

export type { ActReport } from './remedy-report.js';

/** The steps `act` adds after the diagnosis. */
export function actSteps(input: DebugStalledInput): [string, string][] {
  return [
    ['plan', 'Plan one remedy per stalled workflow'],
    WORKER_STEPS[0]!,
    ['approval', input.autoApprove ? 'Approval (autoApprove)' : 'Wait for approval (approve update)'],
    ['wait-fix', 'Wait for the code fix (fingerprint or codeFixed)'],
    ['remedy-runs', 'Terminate or reset the diverged runs'],
    ['unpause', 'Unpause the paused activities'],
    WORKER_STEPS[1]!,
    WORKER_STEPS[2]!,
    ['rerun', 'Start new runs of the terminated workflows'],
    ['verify', 'Verify each remedy'],
  ];
}

/** The worker spec of `act`: the input's worker fields, on the queue the plan chose. */
function workerFields(input: DebugStalledInput, queue: string): WorkerFields {
  return workerSpec({ ...input, projectDir: input.projectDir ?? '', taskQueue: queue });
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
        autoApprove: input.autoApprove === true,
        resetAttempts: input.resetAttempts === true,
        ...(input.remedies ? { only: input.remedies } : {}),
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
  const appliedAtMs = Date.now();
  await remedyRuns(act);
  await unpauseActivities(act);
  let restartAtMs = Date.now();
  let pollerIdentity: string | undefined;
  const workerPairs = pairs.filter(
    (p) => p.go && (p.planned.remedy === 'restart-worker' || p.planned.remedy === 'start-worker'),
  );
  if (planNeedsWorker({ actions: workerPairs.map((p) => p.planned) })) {
    try {
      const gate = await gateStep(ctx, { ...fields, replayGate: input.replayGate }, prepared, state);
      const worker = await ensureWorkerStep(ctx, fields, prepared, state);
      await resetAfterRestart(gate);
      if (worker.startedAtMs > 0) restartAtMs = worker.startedAtMs;
      pollerIdentity = worker.pollerIdentity;
      const what = `${worker.action === 'adopted' ? 'adopted' : 'started'} worker ${worker.pid} on "${queue}"`;
      for (const p of workerPairs) Object.assign(p.action, { applied: true, detail: what });
    } finally {
      report.worker = state.worker;
      if (state.replayGate) report.replayGate = state.replayGate;
    }
  } else {
    checklist.mark('replay-gate', 'skipped', 'no worker restart needed');
    checklist.mark('ensure-worker', 'skipped', 'no worker restart needed');
  }
  await reruns(act);
  await verify(act, { appliedAtMs, restartAtMs }, pollerIdentity);
  const failed = report.actions.filter((a) => !a.applied || !a.verified);
  report.ok = failed.length === 0;
  if (!report.ok)
    report.problem = `${failed.length} of ${report.actions.length} remedies not verified: ${failed[0]!.workflowId}: ${failed[0]!.detail}`;
}
