// Following a recipe for a tool call: its steps as progress, until it reports, stops to wait for an
// approval (which the caller gives with the `approve` tool), or the call is cancelled (which cancels it).
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { Progress, StepReport } from '../../workflows/lib/checklist.js';
import type { CommandContext } from '../cli/context.js';
import { recipeReport, type RecipeReport } from '../cli/commands/run-recipe.js';
import type { ProgressState } from './progress.js';

/** Where a followed recipe stopped: closed with its report, cancelled after its cleanup, or waiting for an approval. */
export type Followed =
  | { state: 'closed'; workflowId: string; report: RecipeReport }
  | { state: 'canceled'; workflowId: string; report?: unknown }
  | {
      state: 'waiting-for-approval';
      workflowId: string;
      pendingApproval: PendingApproval;
      steps: StepReport[];
    };

/** `Title: ok — detail`, as the CLI prints a step. */
const stepLine = (step: StepReport) =>
  `${step.title}: ${step.outcome}${step.detail ? ` — ${step.detail}` : ''}`;

const DONE: ReadonlySet<StepReport['outcome']> = new Set(['ok', 'failed', 'skipped', 'canceled']);

/** The progress a checklist stands for: steps done of all, and the step running now (or next). */
function checklistProgress(progress: Progress): ProgressState {
  const { steps } = progress;
  const done = steps.filter((s) => DONE.has(s.outcome)).length;
  const index = steps.findIndex((s) => s.outcome === 'running' || s.outcome === 'pending');
  const step = steps[index];
  const current = step
    ? `${progress.recipe} step ${index + 1} of ${steps.length}: ${step.title}`
    : `${progress.recipe}: finishing`;
  return { done, total: steps.length, current };
}

/** The report a cancelled recipe kept in its memo (a cancelled workflow returns no result). */
export async function canceledReport(handle: WorkflowHandle): Promise<unknown> {
  const description = await handle.describe();
  return description.memo?.opsReport;
}

/** Cancels the recipe and waits until it closed after its cleanup. */
export async function cancelRecipe(handle: WorkflowHandle): Promise<Followed> {
  await handle.cancel();
  await handle.result().catch(() => undefined);
  return { state: 'canceled', workflowId: handle.workflowId, report: await canceledReport(handle) };
}

/**
 * Reads progress and pendingApproval until the run closes (a failure as the CLI's ExitError), asks
 * for approval, or `signal` aborts: then the recipe is cancelled and this returns once it closed.
 */
export async function followRecipeRun(
  handle: WorkflowHandle,
  ctx: CommandContext,
  onProgress: (state: ProgressState) => void,
  signal: AbortSignal,
): Promise<Followed> {
  let closed = false;
  const result = handle.result().finally(() => {
    closed = true;
  });
  result.catch(() => undefined);
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const seen = new Map<string, string>();
  const show = (progress: Progress) => {
    const state = checklistProgress(progress);
    const finished: string[] = [];
    for (const step of progress.steps) {
      const line = stepLine(step);
      if (DONE.has(step.outcome) && seen.get(step.name) !== line) {
        seen.set(step.name, line);
        finished.push(line);
      }
    }
    onProgress(finished.length > 0 ? { ...state, finished: finished.join('; ') } : state);
  };
  onProgress({ done: 0, current: `${handle.workflowId}: waiting for a control worker to run it` });
  while (!closed) {
    if (signal.aborted) return cancelRecipe(handle);
    try {
      const pending = await handle.query<PendingApproval | null>('pendingApproval');
      // Read after the plan, so no step shows an earlier state than the plan's.
      const progress = await handle.query<Progress>('progress');
      show(progress);
      if (pending)
        return {
          state: 'waiting-for-approval',
          workflowId: handle.workflowId,
          pendingApproval: pending,
          steps: progress.steps,
        };
    } catch {
      // No worker answered the query yet, or the run just closed: look again.
    }
    await Promise.race([sleep(500), result.catch(() => undefined), aborted]);
  }
  const { status } = await handle.describe();
  if (status.name === 'CANCELLED')
    return { state: 'canceled', workflowId: handle.workflowId, report: await canceledReport(handle) };
  const report = await recipeReport(handle, false, ctx);
  show({ recipe: report.recipe, steps: report.steps, done: true });
  return { state: 'closed', workflowId: handle.workflowId, report };
}
