// Activity proxies and named timeout profiles shared by the recipes. Every profile bounds the
// whole activity (schedule-to-close) as well as each attempt; host-bound steps also bound the
// time to be picked up, so a host whose control worker is gone fails in a minute, not never.
import {
  ActivityCancellationType,
  ActivityFailure,
  proxyActivities,
  TimeoutFailure,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { ClusterActivities, HostActivities } from '../../activities/index.js';
import { TimeoutType } from '@temporalio/common';
import { FailureType } from '../../src/contract/failure-types.js';
import { hostQueueName } from '../../src/contract/ops-workflows.js';

const nonRetryableErrorTypes = [
  FailureType.InvalidInput,
  FailureType.NotOurProcess,
  FailureType.PolicyRefused,
  FailureType.HostUnavailable,
];

const retry = { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, nonRetryableErrorTypes };

/** Quick calls: a few seconds, three tries. */
export const shortOp: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '3m',
  retry,
};

/**
 * Sending to a notification sink: a few tries over a minute or two, a short heartbeat so an attempt
 * whose control worker died is tried again soon; a sink that keeps failing does not hold the sweep.
 */
export const notifyOp: ActivityOptions = {
  startToCloseTimeout: '60s',
  scheduleToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  retry: { ...retry, maximumAttempts: 4, initialInterval: '2s' },
};

/** Process changes: stopping with a grace period, spawning; they heartbeat. */
export const processOp: ActivityOptions = {
  startToCloseTimeout: '3m',
  scheduleToCloseTimeout: '12m',
  heartbeatTimeout: '20s',
  retry,
};

/** Waits bounded by the caller's timeout; they heartbeat so a dead control worker is noticed. */
export function waitOp(seconds: number): ActivityOptions {
  return {
    startToCloseTimeout: `${seconds + 60}s`,
    scheduleToCloseTimeout: `${3 * (seconds + 60) + 30}s`,
    heartbeatTimeout: '20s',
    retry,
  };
}

/** How long a bounded wait may run past its bound: the last reads and the reply. */
const BOUND_SLACK_SECONDS = 10;

/**
 * A wait whose length the recipe input gives: each attempt, and all of them together, end
 * BOUND_SLACK_SECONDS after `seconds`, so the input's number bounds the step end to end.
 */
export function boundedWaitOp(seconds: number): ActivityOptions {
  const bound = `${Math.ceil(seconds) + BOUND_SLACK_SECONDS}s`;
  return { startToCloseTimeout: bound, scheduleToCloseTimeout: bound, heartbeatTimeout: '20s', retry };
}

/** True when an activity ran out of its time (not when no worker picked it up). */
export function ranOutOfTime(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType !== TimeoutType.SCHEDULE_TO_START
  );
}

/** How long a host-bound step may wait for its host's control worker to pick it up. */
export const HOST_PICKUP_SECONDS = 60;

/** The queue of the control worker on `host`. */
export function hostQueue(host: string): string {
  return hostQueueName(workflowInfo().taskQueue, host);
}

/**
 * Activities that must run on `host`: registered only on its queue. A cancelled recipe waits for
 * them to finish their cleanup (a worker that is not ready yet is stopped) before it closes.
 */
export function hostActivities(host: string, profile: ActivityOptions = processOp) {
  return proxyActivities<HostActivities>({
    ...profile,
    taskQueue: hostQueue(host),
    scheduleToStartTimeout: `${HOST_PICKUP_SECONDS}s`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

/** Activities that only talk to Temporal: any control worker on the shared queue runs them. */
export const clusterActivities = proxyActivities<ClusterActivities>(shortOp);
