// The facts diagnosis works from, gathered by src/inspect and converted at that boundary:
// plain numbers (epoch milliseconds), strings, no Long, no protobuf enums. Pure data.
import type { Remedy, Verdict } from './verdicts.js';

/**
 * What the host named by a poller identity knows of the process behind it, gathered outside the
 * diagnosis (src/host reads this host's process table). Absent on a poller: nothing is known.
 * - `running: false`: no live process with that pid on that host (zombies count as gone).
 * - `running: true`: a live process with that pid, started at `startTimeMs` (epoch ms).
 */
export type ProcessFact =
  | { host: string; pid: number; running: false }
  | { host: string; pid: number; running: true; startTimeMs: number };

/**
 * - `live`: polled within the fresh window and nothing proves its process gone.
 * - `silent`: listed, but has not polled within the fresh window; nothing proves it dead.
 * - `ghost`: proven dead: its pid runs no process on its host, or a process started after its last poll.
 */
export type PollerLiveness = 'live' | 'silent' | 'ghost';

/** Temporal's workflow execution statuses, by their upper-case names. */
export type WorkflowStatusName =
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELED'
  | 'TERMINATED'
  | 'CONTINUED_AS_NEW'
  | 'TIMED_OUT'
  | 'UNKNOWN';

/** A poller listed by DescribeTaskQueue. */
export interface PollerFact {
  identity: string;
  lastAccessTimeMs: number;
  /** The worker deployment version it serves, for a versioned worker (worker versioning). */
  version?: DeploymentVersionFact;
  /** The process its identity names, as that process's host saw it when the pollers were fetched. */
  process?: ProcessFact;
}

/** A worker deployment version: the deployment's name and the Build ID. */
export interface DeploymentVersionFact {
  deploymentName: string;
  buildId: string;
}

/** The version a pinned run's tasks go to (worker versioning), from describe's versioningInfo. */
export interface PinnedVersionFact extends DeploymentVersionFact {
  /** True when a versioning override pins it (else the workflow's own PINNED behavior). */
  override: boolean;
}

/** One pending activity of a workflow, from DescribeWorkflowExecution. */
export interface PendingActivityFact {
  activityId: string;
  activityType: string;
  /** 'scheduled' | 'started' | 'cancel-requested' | 'paused' | 'unknown' */
  state: string;
  attempt: number;
  maximumAttempts: number;
  scheduledTimeMs?: number;
  lastStartedTimeMs?: number;
  lastHeartbeatTimeMs?: number;
  heartbeatTimeoutMs?: number;
  /** The per-attempt timeout (describe's activityOptions): a started attempt ends at lastStartedTimeMs plus this. */
  startToCloseTimeoutMs?: number;
  /** When the whole activity times out (its schedule-to-close), if it has such a bound. */
  expirationTimeMs?: number;
  lastFailureMessage?: string;
  lastFailureType?: string;
  lastWorkerIdentity?: string;
  /** The task queue the activity is dispatched on (describe's activityOptions), when known. */
  taskQueue?: string;
  /** Set when the activity is paused (or a pause is requested): who, when and why, as far as the server says. */
  pause?: ActivityPauseFact;
  /**
   * What the host of `lastWorkerIdentity` says of that process, gathered for a started activity with no
   * heartbeat timeout whose worker does not poll the run's queue: absent when not asked or not known.
   */
  lastWorkerProcess?: ProcessFact;
}

/** Describe's pauseInfo of a paused activity. */
export interface ActivityPauseFact {
  timeMs?: number;
  /** The identity that paused it by hand (`temporal activity pause` records the CLI user's). */
  identity?: string;
  reason?: string;
  /** The id of the pause rule that paused it, when a rule did. */
  ruleId?: string;
}

/** A run identified by workflow and run ID. */
export interface RunRef {
  workflowId: string;
  runId: string;
}

/** A child workflow a run started and is still waiting on, from describe's pendingChildren. */
export interface PendingChildFact extends RunRef {
  workflowType: string;
}

/** A Nexus operation a run started and is still waiting on, from describe's pendingNexusOperations. */
export interface PendingNexusOperationFact {
  endpoint: string;
  service: string;
  operation: string;
  /** 'scheduled' | 'backing-off' | 'started' | 'blocked' | 'unknown' */
  state: string;
  attempt: number;
  scheduledTimeMs?: number;
  lastAttemptFailureMessage?: string;
  /** The Nexus handler error type of the last failed attempt (e.g. INTERNAL, UPSTREAM_TIMEOUT, UNAVAILABLE), when the server gives one. */
  lastAttemptHandlerErrorType?: string;
  /** The failure the handler raised under the last attempt's failure (its message, and its type when it names one). */
  lastAttemptCause?: { message: string; type?: string };
  lastAttemptCompleteTimeMs?: number;
  /** When the server sends the next attempt, while the operation backs off. */
  nextAttemptScheduleTimeMs?: number;
  /** Why the server holds the operation back (state `blocked`: the endpoint's circuit breaker is open). */
  blockedReason?: string;
  /** Where the endpoint routes it (the endpoint registry), when looked up: for an operation that cannot start. */
  endpointTarget?: { namespace: string; taskQueue: string };
  /** Pollers of that task queue for Nexus tasks, when the target is in the run's own namespace and they were fetched. */
  handlerPollers?: PollerFact[];
  /** The workflow an asynchronous operation started (from a Temporal workflow-run operation token), when it says so. */
  handler?: { namespace: string; workflowId: string };
}

/**
 * How a run waits on another: a child it started, the workflow behind a Nexus operation it called,
 * or (inferred: the server records no link) the workflow it signalled last while it waits for a signal.
 */
export type Relation = 'child-workflow' | 'nexus-operation' | 'signalled-workflow';

/** The finding of a stalled run another run waits on, as diagnosed on its own facts. */
export interface BlockerFact extends RunRef {
  workflowType: string;
  relation: Relation;
  /** For a Nexus operation: `<service>.<operation>` on endpoint `<endpoint>`; for a signalled workflow: the signal. */
  via?: string;
  verdict: Verdict;
  summary: string;
  /** The end of the chain: the blocker itself, or the run its own blocker chain ends at. */
  rootCause: RootCauseFact;
}

/** The run at the end of a chain of blocked runs, with what its own finding says. */
interface RootCauseFact extends RunRef {
  workflowType: string;
  verdict: Verdict;
  summary: string;
  remedy: Remedy;
  /** Workflow IDs from the first blocker down to the root cause. */
  chain: string[];
}

/** An activity a worker is running (started, not closed): it holds one of that worker's slots. */
export interface HeldSlotFact extends RunRef {
  activityId: string;
  activityType: string;
  startedTimeMs?: number;
  lastHeartbeatTimeMs?: number;
}

/** The backlog DescribeTaskQueue reports with reportStats, where the server gives it. */
export interface TaskQueueStatsFact {
  backlogCount: number;
  backlogAgeMs?: number;
}

/** The pending workflow task of a workflow, from DescribeWorkflowExecution. */
export interface PendingWorkflowTaskFact {
  /** 'scheduled' | 'started' */
  state: string;
  attempt: number;
  scheduledTimeMs?: number;
  startedTimeMs?: number;
  originalScheduledTimeMs?: number;
}

/** The last WorkflowTaskFailed event of a run. */
export interface WorkflowTaskFailureFact {
  eventId: number;
  timeMs: number;
  /** Temporal's cause name without prefix, e.g. 'NON_DETERMINISTIC_ERROR', 'WORKFLOW_WORKER_UNHANDLED_FAILURE'. */
  cause: string;
  message: string;
  stackTrace?: string;
  failureType?: string;
  identity?: string;
}

/**
 * The newest failed local activity attempt recorded after the last completed workflow task: Core-based
 * SDKs (Python, TypeScript, .NET) write a `core_local_activity` marker when a local activity fails
 * and backs off behind a timer, or fails for good. Describe never shows local activities.
 */
export interface LocalActivityFailureFact {
  eventId: number;
  timeMs: number;
  activityId: string;
  activityType: string;
  attempt: number;
  /** The backoff timer before the next attempt: present while the local activity keeps retrying. */
  backoffMs?: number;
  message: string;
  failureType?: string;
}

/** An update accepted after the last completed workflow task and not completed yet, from history. */
export interface OpenUpdateFact {
  updateId: string;
  name: string;
  acceptedEventId: number;
}

/**
 * The newest signal a run sent to another workflow (SignalExternalWorkflowExecutionInitiated) on the
 * history pages read. The server records no link from a waiting run to the run that should answer it:
 * this is only what the run itself did last.
 */
export interface SignalSentFact {
  workflowId: string;
  /** The run it named, when it named one. */
  runId?: string;
  signalName: string;
  eventId: number;
  timeMs: number;
  /** `delivered` (ExternalWorkflowExecutionSignaled), `failed` (SignalExternalWorkflowExecutionFailed), or `pending`. */
  outcome: 'delivered' | 'failed' | 'pending';
  /** The signalled workflow's own finding, when it was looked at; `running: false` when it no longer runs. */
  target?: SignalTargetFact;
}

/** What the signalled workflow's diagnosis says of it. */
export type SignalTargetFact =
  | { running: false }
  | { running: true; runId: string; workflowType: string; verdict: Verdict; stalled: boolean };

/** Which run it is and where it stands: the fields list, describe and every report share. */
export interface RunHeader {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: WorkflowStatusName;
  startTimeMs: number;
  closeTimeMs?: number;
}

/** Everything known about one target workflow run when it is diagnosed. */
export interface WorkflowFacts extends RunHeader {
  historyLength: number;
  /** The history's size in bytes, from describe; undefined when the server does not say. */
  historySizeBytes?: number;
  pendingWorkflowTask?: PendingWorkflowTaskFact;
  /** Set when the run is pinned to a worker deployment version: only that version's pollers take its tasks. */
  pinnedVersion?: PinnedVersionFact;
  pendingActivities: PendingActivityFact[];
  /**
   * The last WorkflowTaskFailed event in history, if any. Gatherers may read history only back to
   * the last WorkflowTaskCompleted, so a failure older than that (one the run recovered from) can be absent.
   */
  lastWorkflowTaskFailure?: WorkflowTaskFailureFact;
  /**
   * Workflow task failures the run recovered from (older than its last completed task), newest first, as far
   * as the history read reached: a run failing and recovering in cycles shows several.
   */
  recoveredFailures?: WorkflowTaskFailureFact[];
  /** The newest failed local activity attempt since the last completed workflow task, when history was read. */
  localActivityFailure?: LocalActivityFailureFact;
  /** The worker that started the newest workflow task since the last completed one, and when, from history. */
  lastWorkflowTaskStarted?: { identity: string; timeMs: number };
  /** Updates accepted since the last completed workflow task and still open, when history was read. */
  openUpdates?: OpenUpdateFact[];
  /** The newest signal the run sent to another workflow, on the history pages read (absent when history was not read). */
  lastSignalSent?: SignalSentFact;
  /** Event id of the last WorkflowTaskCompleted event, if any. */
  lastWorkflowTaskCompletedEventId?: number;
  /** WorkflowTaskTimedOut events since the last WorkflowTaskCompleted. */
  workflowTaskTimeoutsSinceCompleted: number;
  /** Pending timers, signals awaited etc. are not in describe; the last event type helps tell waits apart. */
  lastEventType?: string;
  /** Pollers of the workflow's task queue (workflow task type); undefined when not fetched. */
  workflowPollers?: PollerFact[];
  /** Values of the TemporalReportedProblems search attribute, where the server sets it. */
  reportedProblems?: string[];
  /** Pollers of the task queues of pending activities (activity task type), by queue; undefined when not fetched. */
  activityPollers?: Record<string, PollerFact[]>;
  /** Number of pending child workflows, from describe; undefined when unknown. */
  pendingChildWorkflows?: number;
  /** The pending child workflows, from describe; undefined when unknown. */
  pendingChildren?: PendingChildFact[];
  /** The pending Nexus operations, from describe; undefined when there are none. */
  pendingNexusOperations?: PendingNexusOperationFact[];
  /** The stalled runs this one waits on (stalled pending children, stalled Nexus handler workflows); undefined when not looked at. */
  blockers?: BlockerFact[];
  /** Runs whose Nexus operation started this one and wait for it to close (describe's Nexus completion callbacks). */
  nexusCallers?: RunRef[];
  /** The run that started this one, and the root of its tree, from describe (absent for a top-level run). */
  parent?: RunRef;
  root?: RunRef;
  /**
   * Started activities by the worker identity running them, when fetched: on the queues of activities
   * not picked up, and on the queue of a run whose workflow tasks time out on one worker.
   */
  heldSlots?: Record<string, HeldSlotFact[]>;
  /** Backlog of the activity task queues of activities not picked up, by queue; when fetched. */
  activityQueueStats?: Record<string, TaskQueueStatsFact>;
}
