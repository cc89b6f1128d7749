// TestInteractive: the runbook's "Recipe 4". Fresh worker, start the interactive workflow, see it
// RUNNING, drive it through its signals, updates and queries (checking each answer), wait for it
// to complete, check the result, stop the worker.
import type { CheckedTarget, InteractionOutcome, StartedTarget } from '../activities/temporal-activities.js';
import { mismatch } from '../src/recipes/expect.js';
import { parseTestInteractiveInput, type Interaction } from '../src/recipes/test-interactive-input.js';
import { processActivities, processOp, shortOp, temporalActivities } from './lib/activities.js';
import { Checklist, type StepReport } from './lib/checklist.js';
import { startTargetStep, waitTargetStep } from './lib/target-steps.js';
import { OutcomeRecorder, recordFailure, requireInput } from './lib/outcome.js';
import { freshWorkerPhase, phaseFields, WORKER_STEPS, type WorkerPhaseState } from './lib/worker-phase.js';

export interface InteractionReport extends InteractionOutcome {
  kind: Interaction['kind'];
  name: string;
  /** Why the answer did not meet the expectation. */
  mismatch?: string;
}

export interface TestInteractiveReport extends Omit<WorkerPhaseState, 'prepared' | 'outcome'> {
  recipe: 'TestInteractive';
  ok: boolean;
  problem?: string;
  failedStep?: string;
  target?: CheckedTarget | StartedTarget;
  interactions: InteractionReport[];
  steps: StepReport[];
}

/** Thrown inside the recipe when an answer does not meet its expectation. */
class ExpectationFailed extends Error {}

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

/** Runs the interactive-workflow recipe; bad input fails the workflow, everything else ends in a report. */
export async function TestInteractive(raw: unknown): Promise<TestInteractiveReport> {
  const input = requireInput('TestInteractive', parseTestInteractiveInput(raw));
  const stopAfter = input.stopWorkerAfter ?? true;
  const interactionSteps = input.interactions.map((i, n): [string, string] => [
    `interact-${n + 1}`,
    `${i.kind[0]!.toUpperCase()}${i.kind.slice(1)} ${i.name}`,
  ]);
  const checklist = new Checklist('TestInteractive', [
    ...WORKER_STEPS,
    ['start-target', 'Start the interactive workflow'],
    ['wait-running', 'See it RUNNING'],
    ...interactionSteps,
    ['wait-target', 'Wait for it to close'],
    ['check-result', 'Check the result'],
    ...(stopAfter ? [['stop-worker', 'Stop the worker (cleanup)'] as [string, string]] : []),
  ]);
  const state: WorkerPhaseState = { project: input.project ?? input.projectDir, stopped: [] };
  const report: TestInteractiveReport = {
    recipe: 'TestInteractive',
    ok: false,
    ...state,
    interactions: [],
    steps: checklist.steps,
  };
  try {
    await freshWorkerPhase('TestInteractive', checklist, input, state);
    Object.assign(report, phaseFields(state));
    const started = await startTargetStep(checklist, input);
    report.target = started;
    await checklist.run(
      'wait-running',
      async () => {
        const { status } = await temporalActivities.describeTarget.executeWithOptions(
          { ...shortOp, summary: `describe ${started.workflowId}` },
          [started],
        );
        if (status !== 'RUNNING') throw new ExpectationFailed(`expected RUNNING, the workflow is ${status}`);
        return status;
      },
      (s) => s,
    );

    for (const [n, interaction] of input.interactions.entries()) {
      await checklist.run(
        `interact-${n + 1}`,
        async () => {
          const outcome = await temporalActivities.interactWithTarget.executeWithOptions(
            { ...shortOp, summary: `${interaction.kind} ${interaction.name}` },
            [{ ...started, interaction }],
          );
          const entry: InteractionReport = {
            kind: interaction.kind,
            name: interaction.name,
            ...outcome,
            mismatch: judge(interaction, outcome),
          };
          report.interactions.push(entry);
          if (entry.mismatch) throw new ExpectationFailed(entry.mismatch);
          return entry;
        },
        (entry) =>
          entry.value === undefined
            ? entry.ok
              ? 'sent'
              : `rejected: ${entry.error}`
            : `→ ${JSON.stringify(entry.value)}`,
      );
    }

    const timeoutSeconds = input.resultTimeoutSeconds ?? 120;
    const closed = await waitTargetStep(checklist, started, timeoutSeconds, input.resultRule);
    report.target = closed;
    await checklist.run(
      'check-result',
      async () => {
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
  } catch (error) {
    recordFailure('TestInteractive', error, Object.assign(report, phaseFields(state)));
  } finally {
    if (stopAfter && state.prepared) {
      const project = state.prepared.project;
      await checklist
        .run(
          'stop-worker',
          () =>
            processActivities(input.host).stopWorkers.executeWithOptions(
              { ...processOp, summary: `stop workers of ${project}` },
              [{ project, graceSeconds: input.graceSeconds }],
            ),
          (outcomes) => outcomes.map((o) => `${o.pid} ${o.result}`).join(', ') || 'none running',
        )
        .catch(() => undefined);
    }
    checklist.finish();
  }
  report.failedStep = checklist.failedStep?.name;
  const summary = report.ok
    ? `${report.interactions.length} interactions ok; result checked`
    : (report.problem ?? 'failed').split('\n')[0]!;
  (state.outcome ?? new OutcomeRecorder('TestInteractive', report.project)).record(
    report.ok ? 'ok' : 'failed',
    summary,
  );
  return report;
}
