// The tail of a run's history, read newest first (GetWorkflowExecutionHistoryReverse) and only as
// far back as the last completed workflow task: a few small pages, never the whole history.
import { decodeFailureAttributes } from './failure-attributes.js';
import type { temporal } from '@temporalio/proto';
import type {
  LocalActivityFailureFact,
  OpenUpdateFact,
  SignalSentFact,
  WorkflowStatusName,
  WorkflowTaskFailureFact,
} from '../contract/facts.js';
import { enums } from '../temporal/lite/enums.js';
import type { WorkflowReadClient } from '../temporal/lite/read-client.js';
import { durationMs, enumNameCached, pascalCase, timestampMs, toNumber } from './convert.js';
import { failureChain, type FailureLink } from './failure.js';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The event type as PascalCase without prefix: WorkflowTaskFailed, TimerStarted, ... */
export function eventTypeName(event: HistoryEvent): string {
  return pascalCase(enumNameCached(enums.EventType, event.eventType, 'EVENT_TYPE_'));
}

const CLOSE_STATUS: Readonly<Record<string, WorkflowStatusName>> = {
  WorkflowExecutionCompleted: 'COMPLETED',
  WorkflowExecutionFailed: 'FAILED',
  WorkflowExecutionTimedOut: 'TIMED_OUT',
  WorkflowExecutionTerminated: 'TERMINATED',
  WorkflowExecutionCanceled: 'CANCELED',
  WorkflowExecutionContinuedAsNew: 'CONTINUED_AS_NEW',
};

/** How a run closed, from its close event. */
export interface CloseEventFact {
  eventId: number;
  eventType: string;
  timeMs: number;
  status: WorkflowStatusName;
  /** FAILED (and CONTINUED_AS_NEW after a failed attempt): the failure, outermost first. */
  failure?: FailureLink[];
  /** TERMINATED: the reason given. */
  reason?: string;
  /** Who terminated it, when the server recorded it. */
  identity?: string;
  /** TIMED_OUT (and FAILED): the retry state, e.g. RETRY_POLICY_NOT_SET. */
  retryState?: string;
  /** CONTINUED_AS_NEW: the run that continues. */
  newExecutionRunId?: string;
}

/** The close event as plain facts, or undefined when the event does not close the run. */
export function closeEventFact(event: HistoryEvent): CloseEventFact | undefined {
  const eventType = eventTypeName(event);
  const status = CLOSE_STATUS[eventType];
  if (!status) return undefined;
  const fact: CloseEventFact = {
    eventId: toNumber(event.eventId as never),
    eventType,
    timeMs: timestampMs(event.eventTime) ?? 0,
    status,
  };
  const retryState = (value: number | null | undefined) =>
    enumNameCached(enums.RetryState, value, 'RETRY_STATE_');
  const failed = event.workflowExecutionFailedEventAttributes;
  const timedOut = event.workflowExecutionTimedOutEventAttributes;
  const terminated = event.workflowExecutionTerminatedEventAttributes;
  const continued = event.workflowExecutionContinuedAsNewEventAttributes;
  if (failed) {
    fact.failure = failureChain(failed.failure);
    fact.retryState = retryState(failed.retryState);
  }
  if (timedOut) fact.retryState = retryState(timedOut.retryState);
  if (terminated) {
    fact.reason = terminated.reason ?? '';
    if (terminated.identity) fact.identity = terminated.identity;
  }
  if (continued) {
    fact.newExecutionRunId = continued.newExecutionRunId ?? '';
    if (continued.failure) fact.failure = failureChain(continued.failure);
  }
  return fact;
}

/** A WorkflowTaskFailed event as the diagnosis reads it. */
export function workflowTaskFailureFact(event: HistoryEvent): WorkflowTaskFailureFact {
  const attrs = event.workflowTaskFailedEventAttributes;
  const failure = attrs?.failure;
  const fact: WorkflowTaskFailureFact = {
    eventId: toNumber(event.eventId as never),
    timeMs: timestampMs(event.eventTime) ?? 0,
    cause: enumNameCached(enums.WorkflowTaskFailedCause, attrs?.cause, 'WORKFLOW_TASK_FAILED_CAUSE_'),
    message: failure?.message ?? '',
  };
  if (failure?.stackTrace) fact.stackTrace = failure.stackTrace;
  if (failure?.applicationFailureInfo?.type) fact.failureType = failure.applicationFailureInfo.type;
  if (attrs?.identity) fact.identity = attrs.identity;
  return fact;
}

/** The marker Core-based SDKs record for a local activity's result (or its backoff). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

const markerDecoder = new TextDecoder();

/** A failed local activity marker as the diagnosis reads it; undefined for any other event or a success. */
function localActivityFailureFact(event: HistoryEvent): LocalActivityFailureFact | undefined {
  const attrs = event.markerRecordedEventAttributes;
  if (attrs?.markerName !== LOCAL_ACTIVITY_MARKER || !attrs.failure) return undefined;
  let data: Record<string, unknown> = {};
  try {
    const raw = attrs.details?.data?.payloads?.[0]?.data;
    if (raw) data = JSON.parse(markerDecoder.decode(raw)) as Record<string, unknown>;
  } catch {
    // The failure alone still says a local activity failed.
  }
  const backoff = data.backoff as { seconds?: number; nanos?: number } | null | undefined;
  const fact: LocalActivityFailureFact = {
    eventId: toNumber(event.eventId as never),
    timeMs: timestampMs(event.eventTime) ?? 0,
    activityId: String(data.activity_id ?? ''),
    activityType: String(data.activity_type ?? ''),
    attempt: Number(data.attempt ?? 0) || 0,
    message: attrs.failure.message ?? '',
  };
  if (backoff) fact.backoffMs = durationMs(backoff as never) ?? 0;
  if (attrs.failure.applicationFailureInfo?.type)
    fact.failureType = attrs.failure.applicationFailureInfo.type;
  return fact;
}

/** What the newest events say, read back to (and including) the last WorkflowTaskCompleted. */
export interface RecentHistory {
  lastEventType?: string;
  lastWorkflowTaskFailure?: WorkflowTaskFailureFact;
  lastWorkflowTaskCompletedEventId?: number;
  /** WorkflowTaskTimedOut events after the last WorkflowTaskCompleted. */
  workflowTaskTimeoutsSinceCompleted: number;
  /** The newest failed local activity marker after the last WorkflowTaskCompleted. */
  localActivityFailure?: LocalActivityFailureFact;
  /** The newest WorkflowTaskStarted after the last WorkflowTaskCompleted: which worker took it, and when. */
  lastWorkflowTaskStarted?: { identity: string; timeMs: number };
  /** WorkflowTaskFailed events older than the last WorkflowTaskCompleted on the pages already read, newest first. */
  recoveredFailures?: WorkflowTaskFailureFact[];
  /** Updates accepted after the last WorkflowTaskCompleted and not completed since, oldest first. */
  openUpdates?: OpenUpdateFact[];
  /** Update IDs completed among the events read (newer than any acceptance still to be read). */
  completedUpdates?: Set<string>;
  /** The newest signal sent to another workflow on the pages read, and how it ended. */
  lastSignalSent?: SignalSentFact;
  /** Outcomes of outgoing signals by their initiated event id (read before the initiation, newest first). */
  signalOutcomes?: Map<number, 'delivered' | 'failed'>;
  /** Present when the newest event closes the run. */
  close?: CloseEventFact;
  eventsRead: number;
  /** False when the read stopped at maxEvents before reaching a completed workflow task or event 1. */
  complete: boolean;
}

/** Folds one page of events (newest first) into `into`; returns true once nothing older matters. */
export function foldNewestFirst(into: RecentHistory, events: readonly HistoryEvent[]): boolean {
  for (const event of events) {
    const type = eventTypeName(event);
    if (into.eventsRead === 0) {
      into.lastEventType = type;
      const close = closeEventFact(event);
      if (close) into.close = close;
    }
    into.eventsRead += 1;
    if (type === 'WorkflowTaskCompleted') {
      into.lastWorkflowTaskCompletedEventId = toNumber(event.eventId as never);
      foldRecovered(into, events.slice(events.indexOf(event) + 1));
      return true;
    }
    if (type === 'WorkflowTaskFailed' && !into.lastWorkflowTaskFailure)
      into.lastWorkflowTaskFailure = workflowTaskFailureFact(event);
    if (type === 'WorkflowTaskTimedOut') into.workflowTaskTimeoutsSinceCompleted += 1;
    if (type === 'WorkflowTaskStarted' && !into.lastWorkflowTaskStarted) {
      const identity = event.workflowTaskStartedEventAttributes?.identity;
      if (identity) into.lastWorkflowTaskStarted = { identity, timeMs: timestampMs(event.eventTime) ?? 0 };
    }
    if (type === 'MarkerRecorded' && !into.localActivityFailure) {
      const failed = localActivityFailureFact(event);
      if (failed) into.localActivityFailure = failed;
    }
    foldUpdate(into, event);
    foldSignalSent(into, event);
  }
  return false;
}

// Newest first: an outgoing signal's outcome is read before its initiation.
function foldSignalSent(into: RecentHistory, event: HistoryEvent): void {
  const signaled = event.externalWorkflowExecutionSignaledEventAttributes;
  const failed = event.signalExternalWorkflowExecutionFailedEventAttributes;
  const resolved = signaled ?? failed;
  if (resolved) {
    const initiated = toNumber(resolved.initiatedEventId as never);
    (into.signalOutcomes ??= new Map()).set(initiated, signaled ? 'delivered' : 'failed');
    return;
  }
  const sent = event.signalExternalWorkflowExecutionInitiatedEventAttributes;
  if (!sent?.workflowExecution?.workflowId || into.lastSignalSent) return;
  const eventId = toNumber(event.eventId as never);
  into.lastSignalSent = {
    workflowId: sent.workflowExecution.workflowId,
    ...(sent.workflowExecution.runId ? { runId: sent.workflowExecution.runId } : {}),
    signalName: sent.signalName ?? '',
    eventId,
    timeMs: timestampMs(event.eventTime) ?? 0,
    outcome: into.signalOutcomes?.get(eventId) ?? 'pending',
  };
}

// The rest of a page already fetched, older than the last completed task: failures the run recovered from.
function foldRecovered(into: RecentHistory, older: readonly HistoryEvent[]): void {
  for (const event of older) {
    if (eventTypeName(event) === 'WorkflowTaskFailed')
      (into.recoveredFailures ??= []).push(workflowTaskFailureFact(event));
    foldSignalSent(into, event);
  }
}

// Newest first: a completion is read before its acceptance, so an acceptance not completed is open.
function foldUpdate(into: RecentHistory, event: HistoryEvent): void {
  const completed = event.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId;
  if (completed) (into.completedUpdates ??= new Set()).add(completed);
  const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
  if (!accepted) return;
  const updateId = accepted.protocolInstanceId || accepted.acceptedRequest?.meta?.updateId || '';
  if (!updateId || into.completedUpdates?.has(updateId)) return;
  (into.openUpdates ??= []).unshift({
    updateId,
    name: accepted.acceptedRequest?.input?.name ?? '',
    acceptedEventId: toNumber(event.eventId as never),
  });
}

export interface HistoryReadOptions {
  /** Events per page; the first page usually holds everything that matters. */
  pageSize?: number;
  /** Stop after this many events even without a completed workflow task (a run flooded with signals). */
  maxEvents?: number;
}

/** Reads the run's newest events back to its last completed workflow task, bounded by maxEvents. */
export async function readRecentHistory(
  client: WorkflowReadClient,
  execution: { workflowId: string; runId: string },
  options: HistoryReadOptions = {},
): Promise<RecentHistory> {
  const pageSize = options.pageSize ?? 32;
  const maxEvents = options.maxEvents ?? 1000;
  const recent: RecentHistory = { workflowTaskTimeoutsSinceCompleted: 0, eventsRead: 0, complete: false };
  let nextPageToken: Uint8Array | undefined;
  do {
    const response = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution,
      maximumPageSize: pageSize,
      nextPageToken,
    });
    const events = response.history?.events ?? [];
    await decodeFailureAttributes(client, events);
    if (foldNewestFirst(recent, events)) {
      recent.complete = true;
      return recent;
    }
    nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
  } while (nextPageToken && recent.eventsRead < maxEvents);
  recent.complete = nextPageToken === undefined;
  return recent;
}

/** The close event of a closed run (one event, newest first); undefined while it runs. */
export async function readCloseEvent(
  client: WorkflowReadClient,
  execution: { workflowId: string; runId: string },
): Promise<HistoryEvent | undefined> {
  const response = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution,
    maximumPageSize: 1,
  });
  const event = response.history?.events?.[0];
  if (!event || !closeEventFact(event)) return undefined;
  await decodeFailureAttributes(client, [event]);
  return event;
}
