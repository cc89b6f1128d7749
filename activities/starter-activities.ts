// Running the project's starter command on the project's host and reading the workflow it started.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { runStarter } from '../src/inspect/starter.js';
import { FailureType } from '../src/recipes/failure-types.js';

export interface RunStarterInput {
  projectDir: string;
  taskQueue: string;
  command: string;
  workflowIdPattern?: string;
  env?: Record<string, string>;
  timeoutSeconds?: number;
}

/** Builds the host-bound starter activity. */
export function createStarterActivities({
  client,
  workerEnv,
}: {
  client: Client;
  workerEnv: Record<string, string>;
}) {
  return {
    /** Runs the starter and returns the workflow it printed. */
    async runStarter(input: RunStarterInput): Promise<{ workflowId: string; runId: string }> {
      const ctx = Context.current();
      const outcome = await runStarter(
        input.command,
        input.projectDir,
        { ...workerEnv, TEMPORAL_TASK_QUEUE: input.taskQueue, ...input.env },
        (input.timeoutSeconds ?? 60) * 1000,
        input.workflowIdPattern,
        ctx.cancellationSignal,
      );
      if (!outcome.workflowId) {
        throw ApplicationFailure.create({
          message: `starter "${input.command}" exited ${outcome.exitCode} without printing a workflow ID; output tail:\n${outcome.output.slice(-2000)}`,
          type: FailureType.StarterFailed,
          nonRetryable: true,
        });
      }
      const runId = outcome.runId ?? (await client.workflow.getHandle(outcome.workflowId).describe()).runId;
      return { workflowId: outcome.workflowId, runId };
    },
  };
}
