// `temporal-ops approve WORKFLOW_ID [--reject]`: answer the plan a recipe is waiting on.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { PendingApproval } from '../../../workflows/clear-stalled-environment.js';
import { ExitError } from '../../errors.js';
import { failureChain } from '../../inspect/target.js';
import { ExitCode, info, printJson } from '../output.js';

/** Shows the pending plan, then sends the `approve` update with its plan ID. */
export async function approvePlan(
  client: Client,
  workflowId: string,
  options: { approve: boolean; by: string; json: boolean },
): Promise<number> {
  const handle = client.workflow.getHandle(workflowId);
  const pending = await handle.query<PendingApproval | null>('pendingApproval').catch((error: unknown) => {
    throw new ExitError(`cannot read the plan of ${workflowId}: ${failureChain(error)}`, ExitCode.notOk);
  });
  if (!pending) throw new ExitError(`${workflowId} is not waiting for approval`, ExitCode.notOk);
  info(`plan ${pending.planId} (${pending.actions} workflows):\n${pending.plan}`);
  try {
    const answer = await handle.executeUpdate<string, [unknown]>('approve', {
      args: [{ planId: pending.planId, approve: options.approve, by: options.by }],
    });
    if (options.json) printJson({ workflowId, planId: pending.planId, approved: options.approve, answer });
    else process.stdout.write(`${answer}\n`);
    return ExitCode.ok;
  } catch (error) {
    const message =
      error instanceof WorkflowUpdateFailedError ? failureChain(error.cause) : failureChain(error);
    throw new ExitError(`approval was not accepted: ${message}`, ExitCode.notOk);
  }
}
