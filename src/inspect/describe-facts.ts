// DescribeWorkflowExecution (and visibility) responses -> diagnosis facts. Pure conversion at the
// boundary: Long, {seconds, nanos}, numeric enums and search-attribute payloads become plain data.
import type { temporal } from '@temporalio/proto';
import type {
  ActivityPauseFact,
  DeploymentVersionFact,
  PinnedVersionFact,
  PendingActivityFact,
  PendingChildFact,
  PendingNexusOperationFact,
  RunRef,
  PendingWorkflowTaskFact,
  WorkflowFacts,
  RunHeader,
  WorkflowStatusName,
} from '../contract/facts.js';
import { enums } from '../temporal/lite/enums.js';
import { durationMs, enumNameCached, kebabCase, timestampMs, toNumber } from './convert.js';

type DescribeResponse = temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;
type ExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo;
type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;
type SearchAttributes = temporal.api.common.v1.ISearchAttributes;

const REPORTED_PROBLEMS_ATTRIBUTE = 'TemporalReportedProblems';

/** A workflow execution status enum as its name: RUNNING, COMPLETED, ... */
export function statusOf(status: number | null | undefined): WorkflowStatusName {
  return enumNameCached(
    enums.WorkflowExecutionStatus,
    status,
    'WORKFLOW_EXECUTION_STATUS_',
  ) as WorkflowStatusName;
}

const textDecoder = new TextDecoder();

/** One search attribute's values as strings (a Keyword list or a single value); [] when absent or unreadable. */
export function searchAttributeStrings(
  attributes: SearchAttributes | null | undefined,
  name: string,
): string[] {
  const payload = attributes?.indexedFields?.[name];
  if (!payload?.data || payload.data.length === 0) return [];
  try {
    const value: unknown = JSON.parse(textDecoder.decode(payload.data));
    if (Array.isArray(value)) return value.map(String);
    return value === null || value === undefined ? [] : [String(value)];
  } catch {
    return [];
  }
}

function state(value: number | null | undefined, values: Record<string, unknown>, prefix: string): string {
  const name = enumNameCached(values, value, prefix);
  return name === 'UNKNOWN' || name === 'UNSPECIFIED' ? 'unknown' : kebabCase(name);
}

function pauseOf(info: PendingActivity['pauseInfo']): ActivityPauseFact | undefined {
  if (!info) return undefined;
  const pause: ActivityPauseFact = {};
  const at = timestampMs(info.pauseTime);
  if (at !== undefined && at > 0) pause.timeMs = at;
  const by = info.manual ?? info.rule;
  if (by?.identity) pause.identity = by.identity;
  if (by?.reason) pause.reason = by.reason;
  if (info.rule?.ruleId) pause.ruleId = info.rule.ruleId;
  return pause;
}

function pendingActivity(a: PendingActivity): PendingActivityFact {
  const fact: PendingActivityFact = {
    activityId: a.activityId ?? '',
    activityType: a.activityType?.name ?? '',
    state: state(a.state, enums.PendingActivityState, 'PENDING_ACTIVITY_STATE_'),
    attempt: a.attempt ?? 0,
    maximumAttempts: a.maximumAttempts ?? 0,
  };
  const heartbeatTimeoutMs = durationMs(a.activityOptions?.heartbeatTimeout);
  const startToCloseTimeoutMs = durationMs(a.activityOptions?.startToCloseTimeout);
  const expirationTimeMs = timestampMs(a.expirationTime);
  const optional: Partial<PendingActivityFact> = {
    scheduledTimeMs: timestampMs(a.scheduledTime),
    lastStartedTimeMs: timestampMs(a.lastStartedTime),
    lastHeartbeatTimeMs: timestampMs(a.lastHeartbeatTime),
    heartbeatTimeoutMs: heartbeatTimeoutMs ? heartbeatTimeoutMs : undefined,
    startToCloseTimeoutMs: startToCloseTimeoutMs ? startToCloseTimeoutMs : undefined,
    expirationTimeMs: expirationTimeMs ? expirationTimeMs : undefined,
    lastFailureMessage: a.lastFailure?.message ?? undefined,
    lastFailureType: a.lastFailure?.applicationFailureInfo?.type || undefined,
    lastWorkerIdentity: a.lastWorkerIdentity || undefined,
    taskQueue: a.activityOptions?.taskQueue?.name || undefined,
    pause: pauseOf(a.pauseInfo),
  };
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) Object.assign(fact, { [key]: value });
  return fact;
}

function pendingWorkflowTask(
  task: DescribeResponse['pendingWorkflowTask'],
): PendingWorkflowTaskFact | undefined {
  if (!task) return undefined;
  const fact: PendingWorkflowTaskFact = {
    state: state(task.state, enums.PendingWorkflowTaskState, 'PENDING_WORKFLOW_TASK_STATE_'),
    attempt: task.attempt ?? 0,
  };
  const scheduled = timestampMs(task.scheduledTime);
  const started = timestampMs(task.startedTime);
  const original = timestampMs(task.originalScheduledTime);
  if (scheduled !== undefined) fact.scheduledTimeMs = scheduled;
  if (started !== undefined) fact.startedTimeMs = started;
  if (original !== undefined) fact.originalScheduledTimeMs = original;
  return fact;
}

/** Identity of a run as the list and describe APIs give it. */
export interface ExecutionSummary extends RunHeader {
  historyLength: number;
  reportedProblems: string[];
}

/** The plain summary of a visibility (or describe) WorkflowExecutionInfo. */
export function executionSummary(info: ExecutionInfo | null | undefined): ExecutionSummary {
  const summary: ExecutionSummary = {
    workflowId: info?.execution?.workflowId ?? '',
    runId: info?.execution?.runId ?? '',
    workflowType: info?.type?.name ?? '',
    taskQueue: info?.taskQueue ?? '',
    status: statusOf(info?.status),
    startTimeMs: timestampMs(info?.startTime) ?? 0,
    historyLength: toNumber(info?.historyLength as never),
    reportedProblems: searchAttributeStrings(info?.searchAttributes, REPORTED_PROBLEMS_ATTRIBUTE),
  };
  const closed = timestampMs(info?.closeTime);
  if (closed !== undefined && closed > 0) summary.closeTimeMs = closed;
  return summary;
}

function runRef(
  execution: { workflowId?: string | null; runId?: string | null } | null | undefined,
): RunRef | undefined {
  return execution?.workflowId && execution.runId
    ? { workflowId: execution.workflowId, runId: execution.runId }
    : undefined;
}

function pendingChild(c: NonNullable<DescribeResponse['pendingChildren']>[number]): PendingChildFact {
  return { workflowId: c.workflowId ?? '', runId: c.runId ?? '', workflowType: c.workflowTypeName ?? '' };
}

type PendingNexus = NonNullable<DescribeResponse['pendingNexusOperations']>[number];

/**
 * The workflow a Temporal workflow-run operation token names: base64url JSON `{"t": 1, "ns", "wid"}`
 * (type 1 is a workflow run). Undefined for any other token: handlers may use their own.
 */
export function handlerOfToken(token: string | null | undefined): PendingNexusOperationFact['handler'] {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (parsed.t !== 1 || typeof parsed.wid !== 'string' || !parsed.wid) return undefined;
    return { namespace: typeof parsed.ns === 'string' ? parsed.ns : '', workflowId: parsed.wid };
  } catch {
    return undefined;
  }
}

function pendingNexus(op: PendingNexus): PendingNexusOperationFact {
  const fact: PendingNexusOperationFact = {
    endpoint: op.endpoint ?? '',
    service: op.service ?? '',
    operation: op.operation ?? '',
    state: state(op.state, enums.PendingNexusOperationState, 'PENDING_NEXUS_OPERATION_STATE_'),
    attempt: op.attempt ?? 0,
  };
  const scheduled = timestampMs(op.scheduledTime);
  if (scheduled !== undefined) fact.scheduledTimeMs = scheduled;
  const failure = op.lastAttemptFailure;
  if (failure?.message) fact.lastAttemptFailureMessage = failure.message;
  if (failure?.nexusHandlerFailureInfo?.type)
    fact.lastAttemptHandlerErrorType = failure.nexusHandlerFailureInfo.type;
  if (failure?.cause?.message) {
    const type = failure.cause.applicationFailureInfo?.type;
    fact.lastAttemptCause = { message: failure.cause.message, ...(type ? { type } : {}) };
  }
  const completed = timestampMs(op.lastAttemptCompleteTime);
  if (completed !== undefined) fact.lastAttemptCompleteTimeMs = completed;
  const next = timestampMs(op.nextAttemptScheduleTime);
  if (next !== undefined) fact.nextAttemptScheduleTimeMs = next;
  if (op.blockedReason) fact.blockedReason = op.blockedReason;
  const handler = handlerOfToken(op.operationToken || op.operationId);
  if (handler) fact.handler = handler;
  return fact;
}

/** The callers a Nexus completion callback links to, while it still waits to be sent. */
function nexusCallers(callbacks: DescribeResponse['callbacks']): RunRef[] {
  const callers: RunRef[] = [];
  for (const c of callbacks ?? []) {
    if (!c.callback?.nexus || c.state === enums.CallbackState.CALLBACK_STATE_SUCCEEDED) continue;
    for (const link of c.callback.links ?? []) {
      const caller = runRef(link.workflowEvent);
      if (caller && !callers.some((r) => r.runId === caller.runId)) callers.push(caller);
    }
  }
  return callers;
}

type VersioningInfo = NonNullable<NonNullable<DescribeResponse['workflowExecutionInfo']>['versioningInfo']>;
type VersionMessage = { deploymentName?: string | null; buildId?: string | null } | null | undefined;

const PINNED = enums.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED;

/** A version message, or the deprecated "<deployment>.<build ID>" string. */
function versionOf(message: VersionMessage, text?: string | null): DeploymentVersionFact | undefined {
  if (message?.deploymentName && message.buildId)
    return { deploymentName: message.deploymentName, buildId: message.buildId };
  const dot = text ? text.indexOf('.') : -1;
  if (!text || dot <= 0 || dot === text.length - 1) return undefined;
  return { deploymentName: text.slice(0, dot), buildId: text.slice(dot + 1) };
}

/** The version a run is pinned to: an override first (pinned, or auto-upgrade: not pinned), else its behavior. */
function pinnedVersion(info: VersioningInfo | null | undefined): PinnedVersionFact | undefined {
  if (!info) return undefined;
  const o = info.versioningOverride;
  if (o?.autoUpgrade) return undefined;
  const overridden = o?.pinned?.version
    ? versionOf(o.pinned.version)
    : o?.behavior === PINNED
      ? versionOf(undefined, o?.pinnedVersion)
      : undefined;
  if (overridden) return { ...overridden, override: true };
  if (o?.behavior) return undefined;
  if (info.behavior !== PINNED) return undefined;
  const own = versionOf(info.deploymentVersion, info.version);
  return own && { ...own, override: false };
}

/**
 * The facts describe alone gives: status, pending workflow task, pending activities and children,
 * reported problems. History and poller facts are added by the gatherer.
 */
export function factsFromDescribe(response: DescribeResponse): WorkflowFacts {
  // Built field by field rather than by rest and spread: a sweep converts thousands of these.
  const summary = executionSummary(response.workflowExecutionInfo);
  const facts: WorkflowFacts = {
    workflowId: summary.workflowId,
    runId: summary.runId,
    workflowType: summary.workflowType,
    taskQueue: response.executionConfig?.taskQueue?.name || summary.taskQueue,
    status: summary.status,
    startTimeMs: summary.startTimeMs,
    historyLength: summary.historyLength,
    pendingActivities: response.pendingActivities?.length
      ? response.pendingActivities.map(pendingActivity)
      : [],
    workflowTaskTimeoutsSinceCompleted: 0,
    pendingChildWorkflows: response.pendingChildren?.length ?? 0,
  };
  if (summary.closeTimeMs !== undefined) facts.closeTimeMs = summary.closeTimeMs;
  const size = toNumber(response.workflowExecutionInfo?.historySizeBytes as never);
  if (size > 0) facts.historySizeBytes = size;
  const task = pendingWorkflowTask(response.pendingWorkflowTask);
  if (task) facts.pendingWorkflowTask = task;
  if (summary.reportedProblems.length > 0) facts.reportedProblems = summary.reportedProblems;
  const pinned = pinnedVersion(response.workflowExecutionInfo?.versioningInfo);
  if (pinned) facts.pinnedVersion = pinned;
  if (response.pendingChildren?.length) facts.pendingChildren = response.pendingChildren.map(pendingChild);
  const callers = nexusCallers(response.callbacks);
  if (callers.length > 0) facts.nexusCallers = callers;
  if (response.pendingNexusOperations?.length)
    facts.pendingNexusOperations = response.pendingNexusOperations.map(pendingNexus);
  const parent = runRef(response.workflowExecutionInfo?.parentExecution);
  const root = runRef(response.workflowExecutionInfo?.rootExecution);
  if (parent) facts.parent = parent;
  if (parent && root) facts.root = root;
  return facts;
}
