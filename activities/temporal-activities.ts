// Activities that talk to the Temporal server about target workflows. They can run anywhere.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  QueryNotRegisteredError,
  QueryRejectedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { WorkflowStatusName } from '../src/diagnosis/facts.js';
import type { Interaction } from '../src/recipes/test-interactive-input.js';
import { nanoid } from 'nanoid';
import { checkResult, type ResultCheck, type ResultRule } from '../src/diagnosis/result-check.js';
import { runStarter } from '../src/inspect/starter.js';
import { describeStatus, failureChain, waitForClose, type ClosedTarget } from '../src/inspect/target.js';
import type { StartSpec } from '../src/recipes/clean-start-input.js';
import { checkServer, type ServerCheck } from '../src/server/probe.js';
import { FailureType } from '../src/recipes/failure-types.js';

export interface TemporalDeps {
  client: Client;
  address: string;
  /** Connection env handed to starter commands (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE). */
  workerEnv: Record<string, string>;
}

export interface StartedTarget {
  workflowId: string;
  runId: string;
}

export type CheckedTarget = ClosedTarget & { resultCheck?: ResultCheck };

export interface InteractionOutcome {
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Builds the activities that inspect and drive target workflows. */
export function createTemporalActivities({ client, address, workerEnv }: TemporalDeps) {
  return {
    /** Health, namespace and our search attributes; throws (retryable) while the server does not answer. */
    async verifyServer(): Promise<ServerCheck> {
      const check = await checkServer(client, address);
      if (!check.healthy || !check.namespaceOk) {
        throw ApplicationFailure.create({
          message: check.problems.join('; '),
          type: FailureType.ServerUnavailable,
        });
      }
      return check;
    },

    /** Starts the target workflow directly, or by running the project's starter and reading its output. */
    async startTargetWorkflow(input: {
      projectDir: string;
      taskQueue: string;
      start: StartSpec;
      env?: Record<string, string>;
      timeoutSeconds?: number;
    }): Promise<StartedTarget> {
      const { start } = input;
      if ('workflowType' in start) {
        const handle = await client.workflow.start(start.workflowType, {
          taskQueue: input.taskQueue,
          workflowId: start.workflowId ?? `${start.workflowType}-${nanoid(10)}`,
          args: start.args,
        });
        return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
      }
      const ctx = Context.current();
      const outcome = await runStarter(
        start.command,
        input.projectDir,
        { ...workerEnv, TEMPORAL_TASK_QUEUE: input.taskQueue, ...input.env },
        (input.timeoutSeconds ?? 60) * 1000,
        start.workflowIdPattern,
        ctx.cancellationSignal,
      );
      if (!outcome.workflowId) {
        throw ApplicationFailure.create({
          message: `starter "${start.command}" exited ${outcome.exitCode} without printing a workflow ID; output tail:\n${outcome.output.slice(-2000)}`,
          type: FailureType.StarterFailed,
          nonRetryable: true,
        });
      }
      const runId = outcome.runId ?? (await client.workflow.getHandle(outcome.workflowId).describe()).runId;
      return { workflowId: outcome.workflowId, runId };
    },

    /** Status of the target run by name (RUNNING, COMPLETED, ...). */
    async describeTarget(input: {
      workflowId: string;
      runId: string;
    }): Promise<{ status: WorkflowStatusName }> {
      return { status: await describeStatus(client, input.workflowId, input.runId) };
    },

    /**
     * Sends one signal, update or query to the target. A rejected update or failed query is an
     * outcome (`ok: false` with the error), not an activity failure: the recipe decides.
     */
    async interactWithTarget(input: {
      workflowId: string;
      runId: string;
      interaction: Interaction;
    }): Promise<InteractionOutcome> {
      const handle = client.workflow.getHandle(input.workflowId, input.runId);
      const { kind, name, args } = input.interaction;
      try {
        if (kind === 'signal') {
          await handle.signal(name, ...args);
          return { ok: true };
        }
        if (kind === 'update')
          return { ok: true, value: await handle.executeUpdate(name, { args: args as [unknown] }) };
        return { ok: true, value: await handle.query(name, ...args) };
      } catch (error) {
        if (
          error instanceof WorkflowUpdateFailedError ||
          error instanceof QueryNotRegisteredError ||
          error instanceof QueryRejectedError
        ) {
          return { ok: false, error: failureChain(error) };
        }
        throw error;
      }
    },

    /** Long-polls until the target closes (or the timeout), then decodes and checks its result. */
    async waitTargetClosed(input: {
      workflowId: string;
      runId: string;
      timeoutSeconds: number;
      resultRule?: Partial<ResultRule>;
    }): Promise<CheckedTarget> {
      const ctx = Context.current();
      const closed = await waitForClose(
        client,
        input.workflowId,
        input.runId,
        input.timeoutSeconds * 1000,
        () => ctx.heartbeat(),
      );
      if (closed.status !== 'COMPLETED') return closed;
      return { ...closed, resultCheck: checkResult(closed.result, input.resultRule) };
    },
  };
}

export type TemporalActivities = ReturnType<typeof createTemporalActivities>;
