// Activities that talk to the Temporal server about target workflows. They can run anywhere.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { WorkflowStatusName } from '../src/contract/facts.js';
import type { ResultCheck } from '../src/diagnosis/result-check.js';
import type { ResultRule } from '../src/contract/result-rule.js';
import { formatFailureChain } from '../src/inspect/failure.js';
import { outcomeOfRun } from '../src/inspect/result.js';
import { describeStatus, type ClosedTarget } from '../src/inspect/target.js';
import { WAITABLE_STATUSES, waitForStatus } from '../src/inspect/wait.js';
import { checkServer, type ServerCheck } from '../src/host/server/probe.js';
import { isNotFound } from '../src/temporal/grpc.js';
import { mapBounded } from '../src/inspect/pool.js';
import { FailureType } from '../src/contract/failure-types.js';
import { workerStartedRun } from '../src/host/starter/starter-found.js';
import { typedFailures } from './failures.js';

export interface TemporalDeps {
  client: Client;
  /** A client on the bookkeeping namespace (ProjectHost, HostProcesses): `client` itself when they share one. */
  bookkeeping: Client;
  address: string;
}

export interface StartedTarget {
  workflowId: string;
  runId: string;
}

export type CheckedTarget = ClosedTarget & { resultCheck?: ResultCheck };

/** Builds the activities that inspect and drive target workflows. */
export function createTemporalActivities({ client, address }: TemporalDeps) {
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

    /**
     * Starts the target workflow under the ID the recipe chose, tagged with the recipe run in its
     * memo. A retry that finds the run already started by this recipe returns it instead of failing.
     */
    async startTargetWorkflow(input: {
      taskQueue: string;
      workflowType: string;
      workflowId: string;
      args: unknown[];
    }): Promise<StartedTarget> {
      const starter = Context.current().info.workflowExecution;
      const startedBy = starter ? `${starter.workflowId}/${starter.runId}` : 'temporal-ops';
      try {
        const handle = await client.workflow.start(input.workflowType, {
          taskQueue: input.taskQueue,
          workflowId: input.workflowId,
          args: input.args,
          memo: { opsStartedBy: startedBy },
        });
        return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        const existing = await client.workflow.getHandle(input.workflowId).describe();
        if (existing.memo?.opsStartedBy === startedBy)
          return { workflowId: existing.workflowId, runId: existing.runId };
        throw ApplicationFailure.create({
          message: `start.workflowId: a workflow "${input.workflowId}" is already running (run ${existing.runId}), not started by this recipe; choose another ID or omit it`,
          type: FailureType.InvalidInput,
          nonRetryable: true,
          details: [{ field: 'start.workflowId', value: input.workflowId, expected: 'an ID not in use' }],
        });
      }
    },

    /** Status of each run (bounded parallel): how far a half-applied plan got. */
    async describeTargets(input: {
      targets: { workflowId: string; runId: string }[];
    }): Promise<{ workflowId: string; runId: string; status: WorkflowStatusName | 'NOT_FOUND' }[]> {
      const results = [];
      for await (const result of mapBounded(input.targets, 8, async (t) => ({
        ...t,
        status: await describeStatus(client, t.workflowId, t.runId).catch((error: unknown) => {
          if (isNotFound(error)) return 'NOT_FOUND' as const;
          throw error;
        }),
      })))
        results.push(result);
      return results;
    },

    /** Status of the target run by name (RUNNING, COMPLETED, ...). */
    async describeTarget(input: {
      workflowId: string;
      runId: string;
    }): Promise<{ status: WorkflowStatusName }> {
      return { status: await describeStatus(client, input.workflowId, input.runId) };
    },

    /**
     * Long-polls until the target run closes or `timeoutSeconds` pass, counted from the step's first
     * schedule (a retried attempt waits only what is left); RUNNING on timeout. A closed run comes
     * back with its decoded, checked result (COMPLETED) or how it ended.
     */
    async waitTargetClosed(input: {
      workflowId: string;
      runId: string;
      timeoutSeconds: number;
      resultRule?: Partial<ResultRule>;
    }): Promise<CheckedTarget> {
      const ctx = Context.current();
      const { workflowId, runId } = input;
      const deadline = ctx.info.scheduledTimestampMs + input.timeoutSeconds * 1000;
      const ticker = setInterval(() => ctx.heartbeat(), 2000);
      try {
        const closed = WAITABLE_STATUSES.filter((s) => s !== 'RUNNING');
        const waited = await waitForStatus(
          client,
          { workflowId, runId },
          closed,
          deadline - Date.now(),
          ctx.cancellationSignal,
        );
        if (waited.outcome === 'not-found')
          throw ApplicationFailure.create({
            message: `target ${workflowId} (run ${runId}) not found`,
            type: 'TargetNotFound',
            nonRetryable: true,
          });
        const status = waited.status ?? 'RUNNING';
        if (waited.outcome === 'timeout') return { workflowId, runId, status };
        const { result, resultCheck, close } = await outcomeOfRun(
          client,
          { workflowId, runId, status },
          input.resultRule,
        );
        if (status === 'COMPLETED')
          return { workflowId, runId, status, result, ...(resultCheck && { resultCheck }) };
        const failure = close?.failure?.length ? formatFailureChain(close.failure) : close?.reason;
        return { workflowId, runId, status, ...(failure && { failure }) };
      } finally {
        clearInterval(ticker);
      }
    },

    /**
     * The run a worker program started itself (`start.byWorker`): the one workflow on the task
     * queue that started since the worker's spawn, waited for up to `timeoutSeconds`.
     */
    findRunStartedByWorker: typedFailures(
      async (input: {
        command: string;
        taskQueue: string;
        startedAtMs: number;
        opsTaskQueue: string;
        timeoutSeconds: number;
      }): Promise<StartedTarget> => {
        const ctx = Context.current();
        return workerStartedRun(client, input, input.opsTaskQueue, {
          timeoutMs: input.timeoutSeconds * 1000,
          signal: ctx.cancellationSignal,
          onTick: () => ctx.heartbeat(),
        });
      },
    ),
  };
}
