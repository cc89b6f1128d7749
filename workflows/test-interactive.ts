// TestInteractive: the runbook's "Recipe 4". Fresh worker, start the interactive workflow, see it
// RUNNING, drive it through its signals, updates and queries (checking each answer), wait for it
// to complete, check the result, stop the worker (on every path, cancellation included).
import type { InteractionOutcome } from '../activities/interact-activities.js';
import type { CheckedTarget, StartedTarget } from '../activities/temporal-activities.js';
import { ExpectationFailed } from '../src/errors.js';
import { mismatch } from '../src/contract/expect.js';
import { DEFAULTS } from '../src/defaults.js';
import { unreadableResult } from '../src/diagnosis/result-check.js';
import {
  parseTestInteractiveInput,
  type Interaction,
  type TestInteractiveInput,
} from '../src/contract/test-interactive-input.js';
import { clusterActivities, processOp, shortOp, waitOp } from './lib/activities.js';
import { runRecipe, type RecipeContext, type RecipeReport } from './lib/recipe.js';
import { workflowInfo } from '@temporalio/workflow';
import { freshWorkerThenTarget, stillRunning, waitTargetStep } from './lib/target-steps.js';
import { phaseFields, WORKER_STEPS, type WorkerPhaseState } from './lib/worker-phase.js';

export interface InteractionReport extends InteractionOutcome {
  /** Its place in `interactions`, from 1. */
  index: number;
  kind: Interaction['kind'];
  name: string;
  /** True when the answer met the interaction's expectation (an expected rejection included). */
  ok: boolean;
  /** Whether the workflow accepted the signal, update or query (false: rejected or failed). */
  accepted: boolean;
  /** Why the answer did not meet the expectation (then `ok` is false). */
  mismatch?: string;
}

/** What became of the target at the end: `cleanupTarget` applied to a failed test. */
export interface TargetCleanup {
  cleanupTarget: 'terminate' | 'leave';
  /** True when this recipe terminated it (the test failed with the target still running). */
  terminated: boolean;
  /** True when the target is still running after the recipe. */
  leftRunning: boolean;
  status: string;
}

export interface TestInteractiveReport extends RecipeReport, Omit<WorkerPhaseState, 'prepared'> {
  recipe: 'TestInteractive';
  target?: CheckedTarget | StartedTarget;
  /** The target's failing workflow task, when it wedged (at start or on an interaction). */
  workflowTaskFailure?: string;
  interactions: InteractionReport[];
  targetCleanup?: TargetCleanup;
}

/** How long the target's first workflow task may take before the recipe moves on without its verdict. */
const FIRST_TASK_SECONDS = 30;

/** "interaction 2 (update set_note)": which step of the input went wrong. */
const named = (n: number, interaction: Interaction) =>
  `interaction ${n} (${interaction.kind} ${interaction.name})`;

function judge(n: number, interaction: Interaction, outcome: InteractionOutcome): string | undefined {
  const wrong = verdict(interaction, outcome);
  return wrong === undefined ? undefined : `${named(n, interaction)}: ${wrong}`;
}

function verdict(interaction: Interaction, outcome: InteractionOutcome): string | undefined {
  if (interaction.expectError !== undefined) {
    if (outcome.ok)
      return `expected the ${interaction.kind} to be rejected with "${interaction.expectError}", it succeeded`;
    return outcome.error?.includes(interaction.expectError)
      ? undefined
      : `expected a rejection containing "${interaction.expectError}", got "${outcome.error}"`;
  }
  if (!outcome.ok) return `failed: ${outcome.error}`;
  return 'expect' in interaction ? mismatch(outcome.value, interaction.expect) : undefined;
}

function interactionDetail(entry: InteractionReport): string {
  if (entry.value !== undefined) return `→ ${JSON.stringify(entry.value)}`;
  return entry.error === undefined ? 'sent' : `rejected as expected: ${entry.error}`;
}

/** Runs step `target-cleanup`: a failed test's target is terminated, or left as `cleanupTarget` says. */
async function cleanUpTarget(
  ctx: RecipeContext<TestInteractiveInput>,
  target: StartedTarget,
  passed: boolean,
): Promise<TargetCleanup> {
  const cleanupTarget = ctx.input.cleanupTarget ?? 'terminate';
  if (passed) {
    ctx.checklist.mark('target-cleanup', 'skipped', 'the test passed: the target closed');
    return { cleanupTarget, terminated: false, leftRunning: false, status: 'COMPLETED' };
  }
  return ctx.checklist.run(
    'target-cleanup',
    async () => {
      const after = await clusterActivities.cleanUpTarget.executeWithOptions(
        { ...shortOp, summary: `${cleanupTarget} ${target.workflowId}` },
        [
          {
            ...target,
            terminate: cleanupTarget === 'terminate',
            reason: `TestInteractive ${workflowInfo().workflowId} failed (cleanupTarget: terminate)`,
          },
        ],
      );
      return { cleanupTarget, ...after, leftRunning: after.status === 'RUNNING' };
    },
    (c) => (c.terminated ? 'terminated' : c.leftRunning ? 'left running' : `not running (${c.status})`),
  );
}

/** Runs the interactive-workflow recipe; bad input fails the workflow, everything else ends in a report. */
export function TestInteractive(raw: unknown): Promise<TestInteractiveReport> {
  let state: WorkerPhaseState;
  let target: StartedTarget | undefined;
  const stopAfter = (input: TestInteractiveInput) => input.stopWorkerAfter ?? DEFAULTS.stopWorkerAfter;
  /** Runs step `stop-worker` when the input asks for it (the default) and a worker was prepared. */
  async function stopWorker(ctx: RecipeContext<TestInteractiveInput>, report: TestInteractiveReport) {
    const prepared = state.prepared;
    if (!stopAfter(ctx.input) || !prepared) return;
    report.stopped = await ctx.checklist.run(
      'stop-worker',
      () =>
        ctx.onHost.stopWorkers.executeWithOptions(
          { ...processOp, summary: `stop workers of ${prepared.project}` },
          [
            {
              project: prepared.project,
              taskQueue: ctx.input.taskQueue,
              graceSeconds: ctx.input.graceSeconds,
            },
          ],
        ),
      (outcomes) => outcomes.map((o) => `${o.pid} ${o.result}`).join(', ') || 'none running',
    );
  }
  return runRecipe<TestInteractiveInput, TestInteractiveReport>(
    {
      name: 'TestInteractive',
      parse: parseTestInteractiveInput,
      steps: (input) => [
        ...WORKER_STEPS,
        ['start-target', 'Start the interactive workflow'],
        ['wait-running', 'See it RUNNING'],
        ...input.interactions.map((i, n): [string, string] => [
          `interact-${n + 1}`,
          `${i.kind[0]!.toUpperCase()}${i.kind.slice(1)} ${i.name}`,
        ]),
        ['wait-target', 'Wait for it to close'],
        ['check-result', 'Check the result'],
        [
          'target-cleanup',
          (input.cleanupTarget ?? 'terminate') === 'terminate'
            ? 'Terminate the target if the test failed (cleanupTarget)'
            : 'Leave the target as it is (cleanupTarget: leave)',
        ],
        ...(stopAfter(input) ? [['stop-worker', 'Stop the worker (cleanup)'] as [string, string]] : []),
      ],
      label: (input) => input.project ?? input.projectDir,
      placement: (input) => ({ host: input.host, projectDir: input.projectDir }),
      initialReport: (input, steps) => {
        state = { project: input.project ?? input.projectDir, stopped: [] };
        return { recipe: 'TestInteractive', ok: false, ...phaseFields(state), interactions: [], steps };
      },
      async body(ctx, report) {
        const { input, checklist } = ctx;
        const started = await freshWorkerThenTarget(ctx, input, state, report);
        target = started;
        await checklist.run(
          'wait-running',
          async () => {
            const first = await clusterActivities.watchFirstWorkflowTask.executeWithOptions(
              { ...waitOp(FIRST_TASK_SECONDS), summary: `first workflow task of ${started.workflowId}` },
              [{ ...started, timeoutSeconds: FIRST_TASK_SECONDS }],
            );
            if (first.workflowTaskFailure) {
              report.workflowTaskFailure = first.workflowTaskFailure;
              throw new ExpectationFailed(
                `the target is wedged at start: its first workflow task failed: ${first.workflowTaskFailure}`,
              );
            }
            if (first.status !== 'RUNNING')
              throw new ExpectationFailed(`expected RUNNING, the workflow is ${first.status}`);
            return first.status;
          },
          (s) => s,
        );
        for (const [n, interaction] of input.interactions.entries()) {
          await checklist.run(
            `interact-${n + 1}`,
            async () => {
              const outcome = await clusterActivities.interactWithTarget.executeWithOptions(
                { ...shortOp, summary: `${interaction.kind} ${interaction.name}` },
                [{ ...started, interaction }],
              );
              const wrong = judge(n + 1, interaction, outcome);
              if (outcome.workflowTaskFailure) report.workflowTaskFailure = outcome.workflowTaskFailure;
              // `ok` says whether the interaction met its expectation, not only whether it was delivered.
              const entry: InteractionReport = {
                index: n + 1,
                kind: interaction.kind,
                name: interaction.name,
                ...outcome,
                ok: wrong === undefined,
                accepted: outcome.ok,
                ...(wrong ? { mismatch: wrong } : {}),
              };
              report.interactions.push(entry);
              if (wrong) throw new ExpectationFailed(wrong);
              return entry;
            },
            interactionDetail,
          );
        }
        const timeoutSeconds = input.resultTimeoutSeconds ?? DEFAULTS.interactiveResultTimeoutSeconds;
        const closed = await waitTargetStep(ctx, started, timeoutSeconds, input.resultRule);
        report.target = closed;
        await checklist.run(
          'check-result',
          async () => {
            if (closed.status === 'RUNNING') throw new ExpectationFailed(stillRunning(timeoutSeconds));
            if (closed.status !== 'COMPLETED')
              throw new ExpectationFailed(
                `target ${closed.status}${closed.failure ? `: ${closed.failure}` : ''}`,
              );
            if (closed.resultCheck?.unreadable)
              throw new ExpectationFailed(unreadableResult(closed.resultCheck.unreadable));
            if (closed.resultCheck?.looksLikeError)
              throw new ExpectationFailed(`result reads like an error: ${closed.resultCheck.reason}`);
            const wrong =
              'expectResult' in input ? mismatch(closed.result, input.expectResult, 'result') : undefined;
            if (wrong) throw new ExpectationFailed(wrong);
            return 'result looks right';
          },
          (text) => text,
        );
        report.ok = true;
      },
      async cleanup(ctx, report) {
        try {
          if (target) report.targetCleanup = await cleanUpTarget(ctx, target, report.ok);
        } finally {
          await stopWorker(ctx, report);
        }
      },
      summary: (report) =>
        report.ok
          ? `${report.interactions.length} interactions ok; result checked`
          : (report.problem ?? 'failed'),
    },
    raw,
  );
}
