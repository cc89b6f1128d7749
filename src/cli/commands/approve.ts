// `temporal-ops approve WORKFLOW_ID --plan-id ID [--reject]`: answer the plan a recipe is waiting on.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { PendingApproval } from '../../../workflows/lib/approval.js';
import { ExitError } from '../../errors.js';
import { isNotFound } from '../../temporal/grpc.js';
import { failureChain } from '../../inspect/target.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface ApproveOptions {
  workflowId: string;
  /** The plan the caller read; approving needs it unless a person confirms at a terminal. */
  planId?: string;
  /** False to reject the plan. */
  approve: boolean;
  by: string;
  /** The chosen option, when the plan offers several (the replay gate does). */
  choice?: string;
}

/** The command that approves exactly this plan. */
function approveCommand(workflowId: string, pending: PendingApproval): string {
  const choice = pending.choices ? ` --choice <${pending.choices.join('|')}>` : '';
  return `temporal-ops approve ${workflowId} --plan-id ${pending.planId}${choice}`;
}

/** The plan as `approve` shows it: its ID, its size and its markdown. */
const planText = (pending: PendingApproval) =>
  `plan ${pending.planId} (${pending.actions} actions):\n${pending.plan}`;

/** The plan, then how to approve it (or refuse it). */
export const describePending = (workflowId: string, pending: PendingApproval) =>
  `${planText(pending)}\napprove it: ${approveCommand(workflowId, pending)} (or --reject)`;

/** Whether the plan shown is the one to answer: the --plan-id given, else a person's "y" at a terminal. */
async function confirmed(options: ApproveOptions, pending: PendingApproval, ctx: CommandContext) {
  if (options.planId !== undefined) {
    if (options.planId === pending.planId) return true;
    throw new ExitError(
      `--plan-id: expected the plan pending now, ${pending.planId}, got ${JSON.stringify(options.planId)}`,
      ExitCode.usage,
    );
  }
  // Refusing sends nothing to the target workflows: it needs no plan ID.
  if (!options.approve) return true;
  if (!ctx.prompt)
    throw new ExitError(
      `--plan-id: required without a terminal to confirm on; read the plan above, then: ${approveCommand(options.workflowId, pending)}`,
      ExitCode.usage,
    );
  const answer = await ctx.prompt(`approve plan ${pending.planId}? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
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
  ctx.out.info(planText(pending));
  if (options.approve && pending.choices && options.choice === undefined)
    throw new ExitError(
      `--choice: plan ${pending.planId} offers ${pending.choices.join(', ')}; pick one`,
      ExitCode.usage,
    );
  if (!(await confirmed(options, pending, ctx)))
    throw new ExitError(`plan ${pending.planId} not approved: not confirmed`, ExitCode.notOk);
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
