// Waiting for a workflow to reach a status: describe once, then long-poll its close event
// (GetWorkflowExecutionHistory with waitNewEvent) until it closes or the deadline passes.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { WorkflowStatusName } from '../diagnosis/facts.js';
import { statusOf } from './describe-facts.js';
import { isNotFound } from './grpc.js';
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

/** Long-polls the run's close event until `deadline`; undefined when the deadline came first. */
async function longPollClose(
  client: Client,
  execution: { workflowId: string; runId: string },
  deadline: number,
): Promise<CloseEventFact | undefined> {
  let nextPageToken: Uint8Array | undefined;
  while (Date.now() < deadline) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deadline - Date.now());
    try {
      const response = await client.withAbortSignal(controller.signal, () =>
        client.workflowService.getWorkflowExecutionHistory({
          namespace: client.options.namespace,
          execution,
          waitNewEvent: true,
          historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
          skipArchival: true,
          nextPageToken,
        }),
      );
      for (const event of response.history?.events ?? []) {
        const close = closeEventFact(event);
        if (close) return close;
      }
      nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
    } catch (error) {
      if (controller.signal.aborted) return undefined;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  return undefined;
}

/**
 * Waits until the workflow's run reaches one of `statuses`, closes otherwise, or `timeoutMs` passes.
 * Without a runId the latest run is followed across continue-as-new (unless CONTINUED_AS_NEW is
 * wanted). A workflow that does not exist is reported at once as not-found.
 */
export async function waitForStatus(
  client: Client,
  execution: { workflowId: string; runId?: string },
  statuses: readonly WorkflowStatusName[],
  timeoutMs: number,
): Promise<WaitResult> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const { workflowId } = execution;
  const waited = () => Date.now() - started;
  let runId = execution.runId;
  for (;;) {
    let status: WorkflowStatusName;
    try {
      const described = await client.workflowService.describeWorkflowExecution({
        namespace: client.options.namespace,
        execution: { workflowId, runId: runId ?? '' },
      });
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
      close = await longPollClose(client, { workflowId, runId: runId ?? '' }, deadline);
      if (!close) return { outcome: 'timeout', workflowId, runId, status, waitedMs: waited() };
      if (statuses.includes(close.status))
        return { outcome: 'match', workflowId, runId, status: close.status, waitedMs: waited(), close };
    } else {
      const event = await readCloseEvent(client, { workflowId, runId: runId ?? '' });
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
