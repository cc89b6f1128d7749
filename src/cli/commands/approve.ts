// `temporal-ops approve WORKFLOW_ID [--reject]`: answer the plan a recipe is waiting on.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { PendingApproval } from '../../../workflows/lib/approval.js';
import { ExitError } from '../../errors.js';
import { isNotFound } from '../../temporal/grpc.js';
import { failureChain } from '../../inspect/target.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface ApproveOptions {
  workflowId: string;
  /** False to reject the plan. */
  approve: boolean;
  by: string;
  /** The chosen option, when the plan offers several (the replay gate does). */
  choice?: string;
}

/** Shows the pending plan, then sends the `approve` update with its plan ID; exit 7 when no such workflow. */
export async function approvePlan(options: ApproveOptions, ctx: CommandContext): Promise<number> {
  const { workflowId } = options;
  const handle = (await ctx.client()).workflow.getHandle(workflowId);
  const pending = await handle.query<PendingApproval | null>('pendingApproval').catch((error: unknown) => {
    if (isNotFound(error)) throw new ExitError(`workflow ${workflowId} not found`, ExitCode.notFound);
    throw new ExitError(`cannot read the plan of ${workflowId}: ${failureChain(error)}`, ExitCode.notOk);
  });
  if (!pending) throw new ExitError(`${workflowId} is not waiting for approval`, ExitCode.notOk);
  ctx.out.info(`plan ${pending.planId} (${pending.actions} actions):\n${pending.plan}`);
  if (options.approve && pending.choices && options.choice === undefined)
    throw new ExitError(
      `--choice: plan ${pending.planId} offers ${pending.choices.join(', ')}; pick one`,
      ExitCode.usage,
    );
  try {
    const answer = await handle.executeUpdate<string, [unknown]>('approve', {
      args: [
        {
          planId: pending.planId,
          approve: options.approve,
          by: options.by,
          ...(options.choice === undefined ? {} : { choice: options.choice }),
        },
      ],
    });
    ctx.out.result(
      { workflowId, planId: pending.planId, approved: options.approve, choice: options.choice, answer },
      (r) => r.answer,
    );
    return ExitCode.ok;
  } catch (error) {
    const message =
      error instanceof WorkflowUpdateFailedError ? failureChain(error.cause) : failureChain(error);
    throw new ExitError(`approval was not accepted: ${message}`, ExitCode.notOk);
  }
}
