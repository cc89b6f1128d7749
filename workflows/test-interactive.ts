// TestInteractive: the runbook's "Recipe 4". Fresh worker, start the interactive workflow, see it
// RUNNING, drive it through its signals, updates and queries (checking each answer), wait for it
// to complete, check the result, stop the worker (on every path, cancellation included).
import type { CheckedTarget, InteractionOutcome, StartedTarget } from '../activities/temporal-activities.js';
import { ExpectationFailed } from '../src/errors.js';
import { mismatch } from '../src/contract/expect.js';
import { DEFAULTS } from '../src/defaults.js';
import {
  parseTestInteractiveInput,
  type Interaction,
  type TestInteractiveInput,
} from '../src/contract/test-interactive-input.js';
import { clusterActivities, processOp, shortOp } from './lib/activities.js';
import { runRecipe, type RecipeReport } from './lib/recipe.js';
import { freshWorkerThenTarget, stillRunning, waitTargetStep } from './lib/target-steps.js';
import { phaseFields, WORKER_STEPS, type WorkerPhaseState } from './lib/worker-phase.js';

export interface InteractionReport extends InteractionOutcome {
  kind: Interaction['kind'];
  name: string;
  /** True when the answer met the interaction's expectation (an expected rejection included). */
  ok: boolean;
  /** Whether the workflow accepted the signal, update or query (false: rejected or failed). */
  accepted: boolean;
  /** Why the answer did not meet the expectation (then `ok` is false). */
  mismatch?: string;
}

export interface TestInteractiveReport extends RecipeReport, Omit<WorkerPhaseState, 'prepared'> {
  recipe: 'TestInteractive';
  target?: CheckedTarget | StartedTarget;
  interactions: InteractionReport[];
}

function judge(interaction: Interaction, outcome: InteractionOutcome): string | undefined {
  if (interaction.expectError !== undefined) {
    if (outcome.ok)
      return `expected the ${interaction.kind} to be rejected with "${interaction.expectError}", it succeeded`;
    return outcome.error?.includes(interaction.expectError)
      ? undefined
      : `expected a rejection containing "${interaction.expectError}", got "${outcome.error}"`;
  }
  if (!outcome.ok) return `${interaction.kind} ${interaction.name} failed: ${outcome.error}`;
  return 'expect' in interaction ? mismatch(outcome.value, interaction.expect) : undefined;
}

function interactionDetail(entry: InteractionReport): string {
  if (entry.value !== undefined) return `→ ${JSON.stringify(entry.value)}`;
  return entry.error === undefined ? 'sent' : `rejected as expected: ${entry.error}`;
}

/** Runs the interactive-workflow recipe; bad input fails the workflow, everything else ends in a report. */
export function TestInteractive(raw: unknown): Promise<TestInteractiveReport> {
  let state: WorkerPhaseState;
  const stopAfter = (input: TestInteractiveInput) => input.stopWorkerAfter ?? DEFAULTS.stopWorkerAfter;
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
        await checklist.run(
          'wait-running',
          async () => {
            const { status } = await clusterActivities.describeTarget.executeWithOptions(
              { ...shortOp, summary: `describe ${started.workflowId}` },
              [started],
            );
            if (status !== 'RUNNING')
              throw new ExpectationFailed(`expected RUNNING, the workflow is ${status}`);
            return status;
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
              const wrong = judge(interaction, outcome);
              // `ok` says whether the interaction met its expectation, not only whether it was delivered.
              const entry: InteractionReport = {
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
      },
      summary: (report) =>
        report.ok
          ? `${report.interactions.length} interactions ok; result checked`
          : (report.problem ?? 'failed'),
    },
    raw,
  );
}
