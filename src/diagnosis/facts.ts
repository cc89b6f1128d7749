// The facts diagnosis works from, gathered by src/inspect and converted at that boundary:
// plain numbers (epoch milliseconds), strings, no Long, no protobuf enums. Pure data.
import type { ProcessFact } from './poller-liveness.js';

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
  /** The process its identity names, as that process's host saw it when the pollers were fetched. */
  process?: ProcessFact;
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
  lastFailureMessage?: string;
  lastFailureType?: string;
  lastWorkerIdentity?: string;
  /** The task queue the activity is dispatched on (describe's activityOptions), when known. */
  taskQueue?: string;
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
  pendingWorkflowTask?: PendingWorkflowTaskFact;
  pendingActivities: PendingActivityFact[];
  /**
   * The last WorkflowTaskFailed event in history, if any. Gatherers may read history only back to
   * the last WorkflowTaskCompleted, so a failure older than that (one the run recovered from) can be absent.
   */
  lastWorkflowTaskFailure?: WorkflowTaskFailureFact;
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
}
