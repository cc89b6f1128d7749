// CleanStart: the runbook's "Recipe 1". Stop stale workers, check the server, start one fresh
// worker, wait until it really polls, run the target workflow, check its result.
import type { CheckedTarget, StartedTarget } from '../activities/temporal-activities.js';
import { parseCleanStartInput, type CleanStartInput } from '../src/contract/clean-start-input.js';
import { DEFAULTS } from '../src/defaults.js';
import { unreadableResult } from '../src/diagnosis/result-check.js';
import { runRecipe, type RecipeReport } from './lib/recipe.js';
import { freshWorkerThenTarget, stillRunning, waitTargetStep } from './lib/target-steps.js';
import { phaseFields, WORKER_STEPS, type WorkerPhaseState } from './lib/worker-phase.js';

export interface CleanStartReport extends RecipeReport, Omit<WorkerPhaseState, 'prepared'> {
  recipe: 'CleanStart';
  target?: CheckedTarget | StartedTarget;
}

/** Runs the clean-start recipe; bad input fails the workflow, step failures end in a report with ok=false. */
export function CleanStart(raw: unknown): Promise<CleanStartReport> {
  let state: WorkerPhaseState;
  return runRecipe<CleanStartInput, CleanStartReport>(
    {
      name: 'CleanStart',
      parse: parseCleanStartInput,
      steps: () => [
        ...WORKER_STEPS,
        ['start-target', 'Start the target workflow'],
        ['wait-target', 'Wait for the target workflow to close'],
        ['check-result', 'Check the result'],
      ],
      label: (input) => input.project ?? input.projectDir,
      placement: (input) => ({ host: input.host, projectDir: input.projectDir }),
      initialReport: (input, steps) => {
        state = { project: input.project ?? input.projectDir, stopped: [] };
        return { recipe: 'CleanStart', ok: false, ...phaseFields(state), steps };
      },
      async body(ctx, report) {
        const { input, checklist } = ctx;
        const started = await freshWorkerThenTarget(ctx, input, state, report);
        const timeoutSeconds = input.resultTimeoutSeconds ?? DEFAULTS.resultTimeoutSeconds;
        const closed = await waitTargetStep(ctx, started, timeoutSeconds, input.resultRule);
        report.target = closed;
        if (closed.status !== 'COMPLETED') {
          const detail = `status ${closed.status}${closed.failure ? `: ${closed.failure}` : ''}`;
          checklist.mark('check-result', 'failed', detail);
          report.problem =
            closed.status === 'RUNNING'
              ? stillRunning(timeoutSeconds)
              : `target ${closed.status}: ${closed.failure ?? ''}`;
        } else if (closed.resultCheck?.unreadable) {
          report.problem = unreadableResult(closed.resultCheck.unreadable);
          checklist.mark('check-result', 'failed', report.problem);
        } else if (closed.resultCheck?.looksLikeError) {
          checklist.mark('check-result', 'failed', `COMPLETED but ${closed.resultCheck.reason}`);
          report.problem = `target COMPLETED but its result reads like an error: ${closed.resultCheck.reason}`;
        } else {
          checklist.mark('check-result', 'ok', 'result looks right');
          report.ok = true;
        }
      },
      summary: (report) =>
        report.ok
          ? `worker ${report.worker?.pid} ready; ${report.target?.workflowId} COMPLETED`
          : (report.problem ?? 'failed'),
    },
    raw,
  );
}
