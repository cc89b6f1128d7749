// Following a recipe for a tool call: its steps as progress lines, until it reports or stops to
// wait for an approval (which the caller gives with the `approve` tool).
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { Progress, StepReport } from '../../workflows/lib/checklist.js';
import type { CommandContext } from '../cli/context.js';
import { recipeReport, type RecipeReport } from '../cli/commands/run-recipe.js';

/** Where a followed recipe stopped: closed with its report, or waiting for an approval. */
export type Followed =
  | { state: 'closed'; workflowId: string; report: RecipeReport }
  | {
      state: 'waiting-for-approval';
      workflowId: string;
      pendingApproval: PendingApproval;
      steps: StepReport[];
    };

const stepLine = (step: StepReport) =>
  `${step.title}: ${step.outcome}${step.detail ? ` — ${step.detail}` : ''}`;

/** Reads progress and pendingApproval until the run closes (its failure as the CLI's ExitError) or asks for approval. */
export async function followRecipeRun(
  handle: WorkflowHandle,
  ctx: CommandContext,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<Followed> {
  let closed = false;
  const result = handle.result().finally(() => {
    closed = true;
  });
  result.catch(() => undefined);
  const seen = new Map<string, string>();
  const show = (steps: StepReport[]) => {
    for (const step of steps) {
      const line = stepLine(step);
      if (step.outcome !== 'pending' && seen.get(step.name) !== line) {
        seen.set(step.name, line);
        onLine(line);
      }
    }
  };
  while (!closed) {
    signal.throwIfAborted();
    try {
      const [progress, pending] = await Promise.all([
        handle.query<Progress>('progress'),
        handle.query<PendingApproval | null>('pendingApproval'),
      ]);
      show(progress.steps);
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
    await Promise.race([sleep(500), result.catch(() => undefined)]);
  }
  const report = await recipeReport(handle, false, ctx);
  // The run may close between two reads: its report carries every step.
  show(report.steps);
  return { state: 'closed', workflowId: handle.workflowId, report };
}
