// Activities that drive one target workflow for TestInteractive: see its first workflow task, send
// its signals, updates and queries (with the target's own reason when one fails), clean it up.
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import {
  QueryNotRegisteredError,
  QueryRejectedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { WorkflowStatusName } from '../src/contract/facts.js';
import type { Interaction } from '../src/contract/test-interactive-input.js';
import { closeEventFact, readCloseEvent, readRecentHistory } from '../src/inspect/history.js';
import { describeStatus, typedFailureChain, workflowTaskFailureText } from '../src/inspect/target.js';
import { isNotFound } from '../src/temporal/grpc.js';

export interface InteractionOutcome {
  ok: boolean;
  value?: unknown;
  /** Why it failed: the target's exception type and message (and its failing workflow task). */
  error?: string;
  /** The target's workflow task failure, when the target is wedged (its workflow task keeps failing). */
  workflowTaskFailure?: string;
}

/** The first workflow task of the target: completed, failed (the target is wedged), or not yet run. */
export interface FirstTask {
  status: WorkflowStatusName;
  /** The failure of its workflow task, when it failed. */
  workflowTaskFailure?: string;
}

/** How long a signal's workflow task may take before the signal counts as delivered. */
const SIGNAL_SETTLE_MS = 10_000;
const FAILED_PRECONDITION = 9;

/** True when the server refused the call because the target's workflow task is failing. */
function refusedAsWedged(error: unknown): boolean {
  for (let c: unknown = error; c instanceof Error; c = (c as { cause?: unknown }).cause)
    if ((c as { code?: unknown }).code === FAILED_PRECONDITION) return true;
  return false;
}

/** Builds the activities that start-check, drive and clean up one target workflow. */
export function createInteractActivities({ client }: { client: Client }) {
  /** The target's failing workflow task now (failed since its last completed one), if any. */
  async function wedged(target: { workflowId: string; runId: string }) {
    const recent = await readRecentHistory(client, target, { maxEvents: 200 });
    const failure = recent.lastWorkflowTaskFailure;
    return recent.close || !failure
      ? undefined
      : { eventId: failure.eventId, text: workflowTaskFailureText(failure) };
  }

  /** After a signal: the workflow task that handles it completes (ok), fails (the cause), or is slow (ok). */
  async function afterSignal(target: { workflowId: string; runId: string }, beforeEventId: number) {
    for (const started = Date.now(); Date.now() - started < SIGNAL_SETTLE_MS; await sleep(200)) {
      const recent = await readRecentHistory(client, target, { maxEvents: 200 });
      if (recent.close || (recent.lastWorkflowTaskCompletedEventId ?? 0) > beforeEventId) return undefined;
      const failure = recent.lastWorkflowTaskFailure;
      if (failure && failure.eventId > beforeEventId) return workflowTaskFailureText(failure);
    }
    return undefined;
  }

  /**
   * Runs `call` (an update) until it answers, or until the target's workflow task fails after
   * `beforeEventId`: an update that wedges the target would otherwise never answer.
   */
  async function unlessWedged<T>(
    target: { workflowId: string; runId: string },
    beforeEventId: number,
    call: () => Promise<T>,
  ): Promise<{ value: T } | { failure: string }> {
    const stop = new AbortController();
    const watch = async (): Promise<{ failure: string }> => {
      for (;;) {
        await sleep(500, undefined, { signal: stop.signal });
        const recent = await readRecentHistory(client, target, { maxEvents: 200 });
        const failure = recent.lastWorkflowTaskFailure;
        if (!recent.close && failure && failure.eventId > beforeEventId)
          return { failure: workflowTaskFailureText(failure) };
      }
    };
    // Whichever loses is cut short by the abort: its rejection is expected, never unhandled.
    const watching = watch();
    watching.catch(() => undefined);
    const answered = client.withAbortSignal(stop.signal, call).then((value) => ({ value }));
    answered.catch(() => undefined);
    try {
      return await Promise.race([answered, watching]);
    } finally {
      stop.abort();
    }
  }

  return {
    /**
     * Waits up to `timeoutSeconds` for the target's first workflow task to complete or fail: a
     * target whose code fails at once is reported now, not after its first interaction.
     */
    async watchFirstWorkflowTask(input: {
      workflowId: string;
      runId: string;
      timeoutSeconds: number;
    }): Promise<FirstTask> {
      const ctx = Context.current();
      const deadline = Date.now() + input.timeoutSeconds * 1000;
      for (;;) {
        ctx.heartbeat();
        const recent = await readRecentHistory(client, input, { maxEvents: 200 });
        const failure = recent.lastWorkflowTaskFailure;
        if (!recent.close && failure)
          return { status: 'RUNNING', workflowTaskFailure: workflowTaskFailureText(failure) };
        if (recent.close || recent.lastWorkflowTaskCompletedEventId !== undefined || Date.now() > deadline)
          return { status: await describeStatus(client, input.workflowId, input.runId) };
        await sleep(200, undefined, { signal: ctx.cancellationSignal });
      }
    },

    /**
     * Sends one signal, update or query to the target. A rejected update, a failed query or a
     * signal whose workflow task fails is an outcome (`ok: false` with the target's reason), not an
     * activity failure: the recipe decides. Nothing is sent to a target whose workflow task fails.
     */
    async interactWithTarget(input: {
      workflowId: string;
      runId: string;
      interaction: Interaction;
    }): Promise<InteractionOutcome> {
      const target = { workflowId: input.workflowId, runId: input.runId };
      const handle = client.workflow.getHandle(input.workflowId, input.runId);
      const { kind, name, args } = input.interaction;
      const before = await wedged(target);
      if (before)
        return {
          ok: false,
          error: `not sent: the target's workflow task is failing: ${before.text}`,
          workflowTaskFailure: before.text,
        };
      try {
        if (kind === 'signal') {
          const { historyLength } = await handle.describe();
          await handle.signal(name, ...args);
          const failure = await afterSignal(target, historyLength);
          return failure
            ? {
                ok: false,
                error: `the target's workflow task failed on it: ${failure}`,
                workflowTaskFailure: failure,
              }
            : { ok: true };
        }
        if (kind === 'update') {
          const { historyLength } = await handle.describe();
          const updated = await unlessWedged(target, historyLength, () =>
            handle.executeUpdate(name, { args: args as [unknown] }),
          );
          if ('value' in updated) return { ok: true, value: updated.value };
          return {
            ok: false,
            error: `update ${name} was sent, then the target's workflow task failed: ${updated.failure}`,
            workflowTaskFailure: updated.failure,
          };
        }
        return { ok: true, value: await handle.query(name, ...args) };
      } catch (error) {
        if (
          !(error instanceof WorkflowUpdateFailedError) &&
          !(error instanceof QueryNotRegisteredError) &&
          !(error instanceof QueryRejectedError) &&
          !refusedAsWedged(error)
        )
          throw error;
        const after = await wedged(target);
        const cause = typedFailureChain(error);
        return after
          ? {
              ok: false,
              error: `${cause}; the target's workflow task is failing: ${after.text}`,
              workflowTaskFailure: after.text,
            }
          : { ok: false, error: cause };
      }
    },

    /**
     * Terminates the target when `terminate` and it still runs (a retry finds it closed and says
     * so); returns its status afterwards and whether this call terminated it.
     */
    async cleanUpTarget(input: {
      workflowId: string;
      runId: string;
      terminate: boolean;
      reason: string;
    }): Promise<{ status: WorkflowStatusName | 'NOT_FOUND'; terminated: boolean }> {
      const status = await describeStatus(client, input.workflowId, input.runId).catch((error: unknown) => {
        if (isNotFound(error)) return 'NOT_FOUND' as const;
        throw error;
      });
      if (status === 'TERMINATED') {
        // A retry after this call terminated it: the close event carries our reason.
        const close = await readCloseEvent(client, input);
        return { status, terminated: close !== undefined && closeEventFact(close)?.reason === input.reason };
      }
      if (status !== 'RUNNING' || !input.terminate) return { status, terminated: false };
      try {
        await client.workflow.getHandle(input.workflowId, input.runId).terminate(input.reason);
        return { status: 'TERMINATED', terminated: true };
      } catch (error) {
        // It closed on its own just now.
        if (!isNotFound(error)) throw error;
        return { status: await describeStatus(client, input.workflowId, input.runId), terminated: false };
      }
    },
  };
}
