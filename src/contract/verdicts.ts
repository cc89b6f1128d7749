// The vocabulary of a diagnosis: verdicts, evidence, remedies, findings and the policy knobs.
// Pure data and pure helpers: imported by workflow code, so no Node built-ins and no clock.

import type {
  ActivityPauseFact,
  DeploymentVersionFact,
  HeldSlotFact,
  PinnedVersionFact,
  Relation,
  RunRef,
  SignalSentFact,
} from './facts.js';
import type { PollerLiveness } from './facts.js';

/** Why a target workflow is (or is not) making progress. */
export type Verdict =
  | 'no-worker'
  | 'non-determinism'
  | 'workflow-code-bug'
  | 'pending-limit'
  | 'workflow-not-registered'
  | 'sandbox-violation'
  | 'activity-retry-storm'
  | 'nexus-operation-failing'
  | 'activity-paused'
  | 'activity-not-registered'
  | 'workflow-task-timeout'
  | 'worker-saturated'
  | 'activity-on-dead-worker'
  | 'worker-frozen'
  | 'history-limit'
  | 'version-mismatch'
  | 'blocked'
  | 'healthy-wait';

/** Every verdict, in rule precedence order (healthy-wait last). */
export const VERDICTS: readonly Verdict[] = Object.freeze([
  'non-determinism',
  'workflow-not-registered',
  'sandbox-violation',
  'pending-limit',
  'workflow-code-bug',
  'workflow-task-timeout',
  'activity-not-registered',
  'activity-paused',
  'activity-retry-storm',
  'nexus-operation-failing',
  'version-mismatch',
  'no-worker',
  'worker-saturated',
  'activity-on-dead-worker',
  'worker-frozen',
  'history-limit',
  'blocked',
  'healthy-wait',
] as const);

/**
 * What a healthy workflow is waiting for, inferred from describe and the last event.
 * `timer-signal-or-update`: nothing pending and the last event was not read (sweeps skip it).
 */
export type WaitingOn =
  | 'timer'
  | 'signal-or-update'
  | 'timer-signal-or-update'
  | 'activity'
  | 'child-workflow'
  | 'nexus-operation'
  | 'unknown';

/** A poller as the diagnosis judged it at `now`. */
export interface PollerEvidence {
  identity: string;
  lastAccessAgeMs: number;
  live: boolean;
  /** `ghost` only with proof that its process is gone (see poller-liveness.ts). */
  liveness: PollerLiveness;
  /** Why it was judged so: for a ghost, the proof. */
  why: string;
  /** The worker deployment version it serves, for a versioned worker. */
  version?: DeploymentVersionFact;
}

/** The pending activity a verdict is about. */
export interface ActivityEvidence {
  activityId: string;
  activityType: string;
  attempt: number;
  lastFailureMessage?: string;
  /** The activity's task queue, when known. */
  taskQueue?: string;
  /** Who paused it, when and why, for a paused activity. */
  pause?: ActivityPauseFact;
  /** A local activity (run inside workflow tasks; its failures are in history markers, not in describe). */
  local?: boolean;
}

/** The started activity that blocks a worker's event loop, as a victim of that worker sees it. */
export interface FrozenByEvidence {
  workerIdentity: string;
  /** The run whose activity holds the worker, and the activity. */
  holder: HeldSlotFact;
}

/** For `worker-frozen`: the worker this run's activity blocks, and the runs whose workflow tasks time out on it. */
export interface FrozenWorkerEvidence {
  workerIdentity: string;
  victims: RunRef[];
}

/** The update or signal handler a workflow task failure comes from. */
export interface HandlerEvidence {
  kind: 'update' | 'signal';
  /** The handler function in the traceback. */
  functionName: string;
  /** The accepted update it serves, when history holds it (an update failing before acceptance is not recorded). */
  updateName?: string;
  updateId?: string;
}

/** What a blocked run waits on, and the root cause at the end of the chain. */
export interface BlockedByEvidence extends RunRef {
  workflowType: string;
  relation: Relation;
  /** For a Nexus operation: `<service>.<operation>` on endpoint `<endpoint>`. */
  via?: string;
  verdict: Verdict;
  summary: string;
  /** The run at the end of the chain, with its own remedy (the one the blocked run's remedy repeats). */
  rootCause: RunRef & {
    workflowType: string;
    verdict: Verdict;
    summary: string;
    chain: string[];
    remedy: Remedy;
  };
}

/** A live worker whose activity slots are all taken, with what holds them and what waits. */
export interface SaturationEvidence {
  workerIdentity: string;
  /** Why the worker counts as alive although it stopped polling for activities (`holds-started-activity`: one heartbeats). */
  alive: 'polls-workflow-queue' | 'holds-started-activity';
  /** The started activities holding its slots, as far as they were found. */
  holding: HeldSlotFact[];
  /** Approximate backlog of the activity queue (DescribeTaskQueue reportStats), when the server gives it. */
  backlogCount?: number;
  backlogAgeMs?: number;
}

/** For `nexus-operation-failing`: the operation the server cannot start, and how its attempts fail. */
export interface NexusOperationEvidence {
  endpoint: string;
  service: string;
  operation: string;
  /** 'scheduled' | 'backing-off' | 'blocked' (describe's state); absent when the server refused to schedule it. */
  state?: string;
  /** Start requests sent so far. */
  attempt?: number;
  lastFailureMessage?: string;
  /** The Nexus handler error type of the last attempt (INTERNAL: the handler raised; UPSTREAM_TIMEOUT: no handler answered in time). */
  handlerErrorType?: string;
  /** What the handler raised, when its failure carries a cause. */
  cause?: { message: string; type?: string };
  nextAttemptAtMs?: number;
  /** Why the server holds it back (circuit breaker), for state `blocked`. */
  blockedReason?: string;
  /** Where the endpoint routes it, from the endpoint registry, when it could be read. */
  target?: { namespace: string; taskQueue: string };
  /** The Nexus pollers of that queue, judged, when it is in the run's namespace and they were fetched. */
  handlerPollers?: PollerEvidence[];
}

/** The facts a verdict rests on, shaped for a human and for JSON reports. */
export interface Evidence {
  summary: string;
  eventIds: number[];
  workflowTaskAttempt?: number;
  activity?: ActivityEvidence;
  failureMessage?: string;
  /** The first lines of the failure's stack trace. */
  stackExcerpt?: string;
  pollers?: PollerEvidence[];
  /** Pollers of the task queue of the activity a verdict is about, when that queue differs in role. */
  activityPollers?: PollerEvidence[];
  reportedProblems?: string[];
  waitingOn?: WaitingOn;
  /** For a workflow task failure raised in an update or signal handler: which one. */
  handler?: HandlerEvidence;
  /** For `blocked`: the run waited on and the root cause of the chain. */
  blockedBy?: BlockedByEvidence;
  /** For a stalled run started by another: the runs above it (parent, root), which wait on it unless they abandoned it. */
  waitedOnBy?: RunRef[];
  /** For `worker-saturated`: the worker, what holds its slots, and the backlog. */
  saturation?: SaturationEvidence;
  /** For a workflow task timeout on a worker whose event loop an activity blocks: that activity and its run. */
  frozenBy?: FrozenByEvidence;
  /** For `worker-frozen`: the worker and the runs timing out on it. */
  frozenWorker?: FrozenWorkerEvidence;
  /** For `activity-on-dead-worker`: the worker that died running the activity, and when the server retries it. */
  deadWorker?: DeadWorkerEvidence;
  /** For `pending-limit`: which per-workflow limit the run's workflow task hit, with the figures. */
  pendingLimit?: PendingLimitEvidence;
  /** For `history-limit`: the history's figures against the limits. */
  historyLimit?: HistoryLimitEvidence;
  /** For `version-mismatch`: the version the run is pinned to, and the versions the live pollers serve. */
  version?: VersionMismatchEvidence;
  /** For `nexus-operation-failing`: the operation and its failing attempts. */
  nexusOperation?: NexusOperationEvidence;
  /**
   * For a run waiting for a signal or an update: the newest signal it sent to another workflow, and what that
   * workflow's diagnosis says when it was looked at. A hint: the server records no link from a waiting run to the one it waits on.
   */
  lastSignalSent?: SignalSentFact;
}

/** A started activity whose worker is gone: nothing runs it, and the server notices only at its timeout. */
export interface DeadWorkerEvidence {
  workerIdentity: string;
  /** The proof that the worker's process is gone. */
  why: string;
  startedTimeMs?: number;
  startToCloseTimeoutMs?: number;
  /** When the attempt times out (started + start-to-close) and the retry policy may schedule another. */
  attemptTimesOutAtMs?: number;
  /** When the whole activity times out (its schedule-to-close), if it has such a bound. */
  expiresAtMs?: number;
  /** Whether a live worker polls the activity's queue now; absent when its pollers were not fetched. */
  livePoller?: boolean;
}

/** The kinds of per-workflow pending-operation limits the server enforces. */
export type PendingLimitKind =
  'activities' | 'child-workflows' | 'signals' | 'cancel-requests' | 'nexus-operations';

/** A workflow task failed by the server because the run would pass a per-workflow pending-operation limit. */
export interface PendingLimitEvidence {
  kind: PendingLimitKind;
  /** The workflow task failure cause, e.g. PENDING_ACTIVITIES_LIMIT_EXCEEDED. */
  cause: string;
  /** The server's dynamic config key of that limit, and its default (the API does not publish the value in force). */
  setting: string;
  defaultLimit: number;
  /** The limit in force, as the server's failure message states it (activities, children, Nexus); absent when it does not. */
  limit?: number;
  /** Operations of that kind the run has pending now, where describe lists them (activities, children). */
  pending?: number;
}

/** A pinned run's version against what the live pollers of its queue serve. */
export interface VersionMismatchEvidence {
  pinned: PinnedVersionFact;
  /** The versions the queue's live pollers serve (`unversioned` for a worker without versioning), deduplicated. */
  served: (DeploymentVersionFact | 'unversioned')[];
}

/** A history's length and size against the server's warn and error limits. */
export interface HistoryLimitEvidence {
  events: number;
  warnEvents: number;
  limitEvents: number;
  bytes?: number;
  warnBytes: number;
  limitBytes: number;
}

export type RemedyAction =
  | 'start-worker'
  | 'restart-worker'
  | 'terminate-or-reset'
  | 'fix-code-restart-worker'
  | 'register-and-restart-worker'
  | 'inspect-worker'
  | 'unpause-activity'
  | 'retry-lost-activity'
  | 'raise-worker-slots'
  | 'start-pinned-version'
  | 'continue-as-new'
  | 'none';

export interface Remedy {
  action: RemedyAction;
  /** One or two sentences a developer acts on; names the task queue, type or activity. */
  text: string;
  /** Whether the run resumes by itself once the remedy is applied (no terminate, reset or resend). */
  autoRecovers: boolean;
  /** The run the remedy acts on when it is another one (a blocked run's root cause). */
  target?: RunRef;
}

export type Confidence = 'high' | 'medium' | 'low';

/** The diagnosis of one workflow run. */
export interface Finding {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  verdict: Verdict;
  /** False only for healthy-wait and for runs that are not RUNNING. */
  stalled: boolean;
  confidence: Confidence;
  evidence: Evidence;
  remedy: Remedy;
}

export interface DiagnosisPolicy {
  /** A pending activity on this attempt or later, with a last failure, is a retry storm. */
  retryStormAttempts: number;
  /** A workflow task scheduled this long with no live poller means no worker. */
  noWorkerAfterMs: number;
  /** A poller whose last access is younger than this is live (long polls last 60 s). */
  pollerFreshMs: number;
  /** This many workflow task timeouts since the last completed task is a timeout stall. */
  workflowTaskTimeouts: number;
  /** A history of this many events is past the server's warning (its limit.historyCount.warn). */
  historyWarnEvents: number;
  /** The server terminates a run at this many events (limit.historyCount.error). */
  historyLimitEvents: number;
  /** A history of this many bytes is past the server's warning (limit.historySize.warn). */
  historyWarnBytes: number;
  /** The server terminates a run at this many bytes of history (limit.historySize.error). */
  historyLimitBytes: number;
}

export const defaultDiagnosisPolicy: Readonly<DiagnosisPolicy> = Object.freeze({
  retryStormAttempts: 3,
  noWorkerAfterMs: 10_000,
  pollerFreshMs: 70_000,
  workflowTaskTimeouts: 2,
  // The server's defaults (also the dev server's): they are dynamic config, not published by the API.
  historyWarnEvents: 10_240,
  historyLimitEvents: 51_200,
  historyWarnBytes: 10 * 1024 * 1024,
  historyLimitBytes: 50 * 1024 * 1024,
});

/** Merges overrides onto the defaults; throws RangeError naming the field when a value is not a non-negative number. */
export function resolveDiagnosisPolicy(overrides: Partial<DiagnosisPolicy> = {}): DiagnosisPolicy {
  const policy = { ...defaultDiagnosisPolicy };
  for (const key of Object.keys(defaultDiagnosisPolicy) as (keyof DiagnosisPolicy)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`policy.${key} must be a non-negative number, got ${String(value)}`);
    }
    policy[key] = value;
  }
  return policy;
}

/** True when the finding is a stall someone has to act on. */
export function isStalled(f: Finding): boolean {
  return f.stalled;
}

/** Counts findings per verdict; every verdict is present, zero when unseen. */
export function summarizeFindings(findings: Finding[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const f of findings) counts[f.verdict] += 1;
  return counts;
}
