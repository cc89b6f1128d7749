// CleanStart: the runbook's "Recipe 1". Stop stale workers, check the server, start one fresh
// worker, wait until it really polls, run the target workflow, check its result.
import type { CheckedTarget, StartedTarget } from '../activities/temporal-activities.js';
import { parseCleanStartInput } from '../src/recipes/clean-start-input.js';
import { Checklist, type StepReport } from './lib/checklist.js';
import { startTargetStep, waitTargetStep } from './lib/target-steps.js';
import { OutcomeRecorder, recordFailure, requireInput } from './lib/outcome.js';
import { freshWorkerPhase, phaseFields, WORKER_STEPS, type WorkerPhaseState } from './lib/worker-phase.js';

export interface CleanStartReport extends Omit<WorkerPhaseState, 'prepared' | 'outcome'> {
  recipe: 'CleanStart';
  ok: boolean;
  /** Why the recipe is not ok: the failed step's error, or the target's status / result check. */
  problem?: string;
  failedStep?: string;
  target?: CheckedTarget | StartedTarget;
  steps: StepReport[];
}

const STEPS: [string, string][] = [
  ...WORKER_STEPS,
  ['start-target', 'Start the target workflow'],
  ['wait-target', 'Wait for the target workflow to close'],
  ['check-result', 'Check the result'],
];

/** Runs the clean-start recipe; bad input fails the workflow, step failures end in a report with ok=false. */
export async function CleanStart(raw: unknown): Promise<CleanStartReport> {
  const input = requireInput('CleanStart', parseCleanStartInput(raw));
  const checklist = new Checklist('CleanStart', STEPS);
  const state: WorkerPhaseState = { project: input.project ?? input.projectDir, stopped: [] };
  const report: CleanStartReport = { recipe: 'CleanStart', ok: false, ...state, steps: checklist.steps };
  try {
    await freshWorkerPhase('CleanStart', checklist, input, state);
    Object.assign(report, phaseFields(state));

    const started = await startTargetStep(checklist, input);
    report.target = started;

    const timeoutSeconds = input.resultTimeoutSeconds ?? 300;
    const closed = await waitTargetStep(checklist, started, timeoutSeconds, input.resultRule);
    report.target = closed;

    if (closed.status !== 'COMPLETED') {
      checklist.mark(
        'check-result',
        'failed',
        `status ${closed.status}${closed.failure ? `: ${closed.failure}` : ''}`,
      );
      report.problem =
        closed.status === 'RUNNING'
          ? `target still RUNNING after ${timeoutSeconds} s`
          : `target ${closed.status}: ${closed.failure ?? ''}`;
    } else if (closed.resultCheck?.looksLikeError) {
      checklist.mark('check-result', 'failed', `COMPLETED but ${closed.resultCheck.reason}`);
      report.problem = `target COMPLETED but its result reads like an error: ${closed.resultCheck.reason}`;
    } else {
      checklist.mark('check-result', 'ok', 'result looks right');
      report.ok = true;
    }
  } catch (error) {
    Object.assign(report, phaseFields(state));
    recordFailure('CleanStart', error, report);
  } finally {
    checklist.finish();
  }
  report.failedStep = checklist.failedStep?.name;
  const summary = report.ok
    ? `worker ${report.worker?.pid} ready; ${report.target?.workflowId} COMPLETED`
    : (report.problem ?? 'failed').split('\n')[0]!;
  (state.outcome ?? new OutcomeRecorder('CleanStart', report.project)).record(
    report.ok ? 'ok' : 'failed',
    summary,
  );
  return report;
}
