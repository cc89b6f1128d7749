// Waiting for a workflow to reach a status: describe once, then long-poll its close event
// (GetWorkflowExecutionHistory with waitNewEvent) until it closes or the deadline passes.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { WorkflowStatusName } from '../contract/facts.js';
import { statusOf } from './describe-facts.js';
import { isNotFound } from '../temporal/grpc.js';
import { closeEventFact, readCloseEvent, type CloseEventFact } from './history.js';

const { HistoryEventFilterType } = proto.temporal.api.enums.v1;

/** `match`: reached a wanted status; `other-terminal`: closed otherwise; `timeout`; `not-found`. */
export type WaitOutcome = 'match' | 'other-terminal' | 'timeout' | 'not-found';

export interface WaitResult {
  outcome: WaitOutcome;
  workflowId: string;
  runId?: string;
  /** The status seen last (RUNNING on timeout). */
  status?: WorkflowStatusName;
  waitedMs: number;
  /** How the run closed, when it closed while we waited. */
  close?: CloseEventFact;
}

/** Every status a wait may name. */
export const WAITABLE_STATUSES: readonly WorkflowStatusName[] = [
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
];

/** Thrown when the caller's signal ends a wait: carries the signal's reason. */
function stoppedBy(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('the wait was cancelled');
}

/**
 * Runs one call until it answers, `deadline` passes (undefined), or `signal` aborts (throws its
 * reason). The Rust-core connection ignores abort signals, so the call also gets the deadline as
 * its gRPC deadline and is raced here: whatever the connection, the caller is back in time.
 */
async function bounded<T>(
  client: Client,
  deadline: number,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
): Promise<T | undefined> {
  if (signal?.aborted) throw stoppedBy(signal);
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, Math.max(0, deadline - Date.now()));
  signal?.addEventListener('abort', abort, { once: true });
  const ended = new Promise<undefined>((resolve) =>
    controller.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
  );
  // A second past our own timer: the race, not a DEADLINE_EXCEEDED, decides.
  const running = client.withDeadline(deadline + 1000, () => client.withAbortSignal(controller.signal, call));
  try {
    const result = await Promise.race([running, ended]);
    if (signal?.aborted) throw stoppedBy(signal);
    return result;
  } catch (error) {
    if (signal?.aborted) throw stoppedBy(signal);
    if (controller.signal.aborted) return undefined;
    throw error;
  } finally {
    // A call left behind by the race settles later: its failure is not ours to report.
    running.catch(() => undefined);
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
}

/** Long-polls the run's close event until `deadline`; undefined when the deadline came first. */
async function longPollClose(
  client: Client,
  execution: { workflowId: string; runId: string },
  deadline: number,
  signal?: AbortSignal,
): Promise<CloseEventFact | undefined> {
  let nextPageToken: Uint8Array | undefined;
  while (Date.now() < deadline) {
    const response = await bounded(client, deadline, signal, () =>
      client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution,
        waitNewEvent: true,
        historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
        skipArchival: true,
        nextPageToken,
      }),
    );
    if (!response) return undefined;
    for (const event of response.history?.events ?? []) {
      const close = closeEventFact(event);
      if (close) return close;
    }
    nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
  }
  return undefined;
}

/** How long a describe or a read of the close event may take when the wait's own time is up. */
const READ_GRACE_MS = 5000;

/**
 * Waits until the workflow's run reaches one of `statuses`, closes otherwise, or `timeoutMs` passes.
 * Without a runId the latest run is followed across continue-as-new (unless CONTINUED_AS_NEW is
 * wanted). A workflow that does not exist is reported at once as not-found. Returns within
 * `timeoutMs` plus a few seconds whatever the connection; throws the reason once `signal` aborts.
 */
export async function waitForStatus(
  client: Client,
  execution: { workflowId: string; runId?: string },
  statuses: readonly WorkflowStatusName[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<WaitResult> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const { workflowId } = execution;
  const waited = () => Date.now() - started;
  let runId = execution.runId;
  for (;;) {
    let status: WorkflowStatusName;
    const readBy = Math.max(deadline, Date.now() + READ_GRACE_MS);
    try {
      const described = await bounded(client, readBy, signal, () =>
        client.workflowService.describeWorkflowExecution({
          namespace: client.options.namespace,
          execution: { workflowId, runId: runId ?? '' },
        }),
      );
      if (!described) throw new Error(`the server did not describe ${workflowId} within ${READ_GRACE_MS} ms`);
      runId = described.workflowExecutionInfo?.execution?.runId ?? runId;
      status = statusOf(described.workflowExecutionInfo?.status);
    } catch (error) {
      if (isNotFound(error))
        return { outcome: 'not-found', workflowId, ...(runId && { runId }), waitedMs: waited() };
      throw error;
    }
    if (statuses.includes(status)) return { outcome: 'match', workflowId, runId, status, waitedMs: waited() };
    let close: CloseEventFact | undefined;
    if (status === 'RUNNING') {
      close = await longPollClose(client, { workflowId, runId: runId ?? '' }, deadline, signal);
      if (!close) return { outcome: 'timeout', workflowId, runId, status, waitedMs: waited() };
      if (statuses.includes(close.status))
        return { outcome: 'match', workflowId, runId, status: close.status, waitedMs: waited(), close };
    } else {
      const event = await bounded(client, readBy, signal, () =>
        readCloseEvent(client, { workflowId, runId: runId ?? '' }),
      );
      close = event && closeEventFact(event);
    }
    const next = close?.newExecutionRunId;
    const follow = (close?.status ?? status) === 'CONTINUED_AS_NEW' && execution.runId === undefined;
    if (follow && Date.now() < deadline) {
      runId = next || undefined;
      continue;
    }
    const result: WaitResult = {
      outcome: 'other-terminal',
      workflowId,
      runId,
      status: close?.status ?? status,
      waitedMs: waited(),
    };
    if (close) result.close = close;
    return result;
  }
}
