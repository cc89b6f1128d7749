// DebugStalled's remedies on the server: terminate, reset, rerun, and watching the remedied runs
// until they verify. Cluster-only (Temporal calls). Each is retry-safe: the workflow decides the
// request ids and the rerun's workflow ID, and a retry finds what the first attempt did.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { WorkflowStatusName } from '../src/contract/facts.js';
import { resetEventId } from '../src/diagnosis/reset-point.js';
import { judgeRemedy, type Verification, type VerifyGoal } from '../src/diagnosis/verify.js';
import { toNumber } from '../src/inspect/convert.js';
import { isNotFound } from '../src/temporal/grpc.js';
import { eventTypeName, workflowTaskFailureFact } from '../src/inspect/history.js';
import { describeStatus } from '../src/inspect/target.js';
import { factsFromDescribe } from '../src/inspect/describe-facts.js';
import { isPaused } from '../src/diagnosis/stall-rules.js';
import { isRecipeType } from '../src/contract/ops-workflows.js';
import { divergenceOf } from '../src/host/replay/divergence.js';
import type { Settings } from '../src/config.js';
import { remoteLiveness } from '../src/inspect/remote-liveness.js';
import { localLivenessOracle } from '../src/host/workers/pollers.js';
import { progressFacts, runHistory } from './remedy-progress.js';

const RemedyFailure = {
  /** The run is an ops workflow, or has no workflow task to reset to. */
  Refused: 'RemedyRefusedError',
} as const;

interface Run {
  workflowId: string;
  runId: string;
}

export interface RemedyCheck {
  goal: VerifyGoal;
  run: Run;
  /** The rerun, or the run a reset made. */
  next?: Run;
}

const { temporal } = proto;
const ALREADY_EXISTS = 6;

function refuse(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: RemedyFailure.Refused, nonRetryable: true });
}

async function refuseOps(client: Client, run: Run): Promise<void> {
  const described = await client.workflow.getHandle(run.workflowId, run.runId).describe();
  if (isRecipeType(described.type)) throw refuse(`${run.workflowId} is an ops workflow: never remedied`);
}

/** Builds the remedy activities (cluster-only: any control worker may run them). */
/** How often the watch asks whether the worker the recipe started still runs (another host: a workflow each time). */
const WORKER_CHECK_MS = 5000;

/**
 * Whether the process behind a poller identity is proven gone: this host's /proc, or for another
 * host its control worker (when the settings are known); undefined when nothing can tell.
 */
async function goneWorker(
  client: Client,
  identity: string,
  settings: Settings | undefined,
): Promise<string | undefined> {
  const host = hostname();
  let fact = localLivenessOracle(host)(identity);
  if (!fact && settings !== undefined)
    fact = (await remoteLiveness(client, settings, host)([identity])).get(identity);
  return fact && !fact.running ? `pid ${fact.pid} is not running on ${fact.host}` : undefined;
}

export function createRemedyActivities({ client, settings }: { client: Client; settings?: Settings }) {
  const namespace = client.options.namespace;
  return {
    /** Terminates the run; a run already closed is reported with its status, not terminated again. */
    async terminateRun(
      input: Run & { reason: string },
    ): Promise<{ terminated: boolean; status: WorkflowStatusName }> {
      await refuseOps(client, input);
      try {
        await client.workflow.getHandle(input.workflowId, input.runId).terminate(input.reason);
        return { terminated: true, status: 'TERMINATED' };
      } catch (error) {
        if (!isNotFound(error)) throw error;
        return { terminated: false, status: await describeStatus(client, input.workflowId, input.runId) };
      }
    },

    /**
     * Resets the run to the last workflow task before its divergence; returns the new run. A run
     * already reset (by an earlier attempt) answers with the run that reset made. Used by
     * DebugStalled's remedies and by the replay gate's `restart-and-reset`.
     */
    async resetRun(
      input: Run & {
        reason: string;
        requestId: string;
        /** The first diverging event when already known (the replay gate's); else read off the history. */
        divergenceEventId?: number;
      },
    ): Promise<{ newRunId: string; eventId: number; alreadyReset: boolean }> {
      await refuseOps(client, input);
      const described = await client.workflowService.describeWorkflowExecution({
        namespace,
        execution: input,
      });
      const earlier = described.workflowExtendedInfo?.resetRunId;
      const events = await runHistory(client, input.workflowId, input.runId);
      const refs = events.map((e) => ({
        eventId: toNumber(e.eventId as never),
        eventType: eventTypeName(e),
      }));
      const failed = [...events].reverse().find((e) => eventTypeName(e) === 'WorkflowTaskFailed');
      const divergenceEventId =
        input.divergenceEventId ??
        (failed
          ? divergenceOf(workflowTaskFailureFact(failed).message, [], { guess: false }).eventId
          : undefined);
      const eventId = resetEventId(refs, divergenceEventId);
      if (earlier) return { newRunId: earlier, eventId: eventId ?? 0, alreadyReset: true };
      if (eventId === undefined) throw refuse(`${input.workflowId}: no workflow task to reset to`);
      const reset = await client.workflowService.resetWorkflowExecution({
        namespace,
        workflowExecution: { workflowId: input.workflowId, runId: input.runId },
        reason: input.reason,
        // protobufjs takes a number for an int64 field.
        workflowTaskFinishEventId: eventId as never,
        requestId: input.requestId,
      });
      return { newRunId: reset.runId ?? '', eventId, alreadyReset: false };
    },

    /**
     * Unpauses the run's paused activity (optionally resetting its attempts). An activity no longer
     * paused (a retry, or someone unpaused it) or no longer pending (it completed, the run closed)
     * is reported as found, not unpaused again.
     */
    async unpauseActivity(
      input: Run & { activityId: string; resetAttempts?: boolean; identity: string },
    ): Promise<{ unpaused: boolean; state: 'unpaused' | 'not-paused' | 'not-pending' }> {
      await refuseOps(client, input);
      const facts = factsFromDescribe(
        await client.workflowService.describeWorkflowExecution({ namespace, execution: input }),
      );
      const pending = facts.pendingActivities.find((a) => a.activityId === input.activityId);
      if (!pending || facts.status !== 'RUNNING') return { unpaused: false, state: 'not-pending' };
      if (!isPaused(pending)) return { unpaused: false, state: 'not-paused' };
      try {
        await client.workflowService.unpauseActivity({
          namespace,
          execution: input,
          identity: input.identity,
          id: input.activityId,
          resetAttempts: input.resetAttempts === true,
          resetHeartbeat: false,
        });
      } catch (error) {
        // The activity completed (or the run closed) between the describe and the unpause.
        if (!isNotFound(error)) throw error;
        return { unpaused: false, state: 'not-pending' };
      }
      return { unpaused: true, state: 'unpaused' };
    },

    /**
     * Starts `newWorkflowId` with the old run's type, input, headers, task queue and timeouts.
     * The same request id or a workflow ID already started means a retry: that run is returned.
     */
    async rerunWorkflow(
      input: Run & { newWorkflowId: string; requestId: string },
    ): Promise<Run & { rerunOf: string }> {
      const [first] = await runHistory(client, input.workflowId, input.runId);
      const started = first?.workflowExecutionStartedEventAttributes;
      if (!started?.workflowType?.name) throw refuse(`${input.workflowId}: no start event to rerun from`);
      if (isRecipeType(started.workflowType.name))
        throw refuse(`${input.workflowId} is an ops workflow: never rerun`);
      try {
        const response = await client.workflowService.startWorkflowExecution({
          namespace,
          workflowId: input.newWorkflowId,
          workflowType: started.workflowType,
          taskQueue: started.taskQueue,
          input: started.input,
          header: started.header,
          memo: started.memo,
          workflowExecutionTimeout: started.workflowExecutionTimeout,
          workflowRunTimeout: started.workflowRunTimeout,
          workflowTaskTimeout: started.workflowTaskTimeout,
          identity: `temporal-ops rerun of ${input.workflowId}`,
          requestId: input.requestId,
          // A retry after the rerun closed must find it, not start another run.
          workflowIdReusePolicy:
            temporal.api.enums.v1.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
        });
        return { workflowId: input.newWorkflowId, runId: response.runId ?? '', rerunOf: input.runId };
      } catch (error) {
        if ((error as { code?: unknown }).code !== ALREADY_EXISTS) throw error;
        const run = await client.workflow.getHandle(input.newWorkflowId).describe();
        return { workflowId: input.newWorkflowId, runId: run.runId, rerunOf: input.runId };
      }
    },

    /**
     * Watches each check until it verifies or `seconds` pass; returns the last judgement of each.
     * `worker` is the poller identity of the worker the recipe started: once its process is proven
     * gone, the checks that wait on it end unverified at once, saying so.
     */
    async watchRemedies(input: {
      checks: RemedyCheck[];
      seconds: number;
      worker?: string;
    }): Promise<Verification[]> {
      const ctx = Context.current();
      const deadline = Date.now() + input.seconds * 1000;
      const results: (Verification | undefined)[] = input.checks.map(() => undefined);
      const waitsOnWorker = (check: RemedyCheck) =>
        check.goal.kind === 'resumes' || check.goal.kind === 'picked-up';
      let workerCheckedAt = 0;
      let gone: string | undefined;
      for (;;) {
        await Promise.all(
          input.checks.map(async (check, i) => {
            if (results[i]?.verified || (gone && waitsOnWorker(check))) return;
            try {
              const withPollers = check.goal.kind === 'picked-up';
              const run = await progressFacts(client, check.run, withPollers);
              const next = check.next && (await progressFacts(client, check.next));
              results[i] = judgeRemedy(check.goal, { run, next, nowMs: Date.now() });
            } catch (error) {
              results[i] = { verified: false, statusAfter: 'UNKNOWN', evidence: (error as Error).message };
            }
          }),
        );
        if (input.worker && !gone && Date.now() - workerCheckedAt >= WORKER_CHECK_MS) {
          workerCheckedAt = Date.now();
          gone = await goneWorker(client, input.worker, settings).catch(() => undefined);
          const why = `the worker this recipe started (${input.worker}) is gone: ${gone}`;
          if (gone)
            input.checks.forEach((check, i) => {
              const r = results[i] ?? { verified: false, statusAfter: 'UNKNOWN', evidence: 'not checked' };
              if (!r.verified && waitsOnWorker(check))
                results[i] = { ...r, evidence: `${r.evidence}; ${why}` };
            });
        }
        const open = input.checks.filter(
          (check, i) => !results[i]?.verified && !(gone && waitsOnWorker(check)),
        );
        if (open.length === 0 || Date.now() >= deadline) break;
        ctx.heartbeat(results.filter((r) => r?.verified).length);
        try {
          await sleep(1000, undefined, { signal: ctx.cancellationSignal });
        } catch {
          throw new CancelledFailure('verify cancelled');
        }
      }
      return results.map((r) => r ?? { verified: false, statusAfter: 'UNKNOWN', evidence: 'not checked' });
    },
  };
}
