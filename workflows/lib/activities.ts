// Activity proxies and named timeout profiles shared by the recipes.
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { ProcessActivities } from '../../activities/process-activities.js';
import type { TemporalActivities } from '../../activities/temporal-activities.js';
import { FailureType } from '../../src/recipes/failure-types.js';

const nonRetryableErrorTypes = [FailureType.InvalidInput, FailureType.NotOurProcess];

/** Quick calls: a few seconds, three tries. */
export const shortOp: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, nonRetryableErrorTypes },
};

/** Process changes: stopping with a grace period, spawning; they heartbeat. */
export const processOp: ActivityOptions = {
  startToCloseTimeout: '3m',
  heartbeatTimeout: '20s',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, nonRetryableErrorTypes },
};

/** Waits bounded by the caller's timeout; they heartbeat so a dead control worker is noticed. */
export function waitOp(seconds: number): ActivityOptions {
  return {
    startToCloseTimeout: `${seconds + 60}s`,
    heartbeatTimeout: '20s',
    retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, nonRetryableErrorTypes },
  };
}

/** The task queue of the control worker on `host`; without a host, this workflow's own queue. */
export function hostQueue(host?: string): string {
  const own = workflowInfo().taskQueue;
  return host ? `${own}@${host}` : own;
}

/** Activities that touch processes, routed to the host that owns them. */
export function processActivities(host?: string) {
  return proxyActivities<ProcessActivities>({ ...processOp, taskQueue: hostQueue(host) });
}

/** Activities that only talk to Temporal. */
export const temporalActivities = proxyActivities<TemporalActivities>(shortOp);
