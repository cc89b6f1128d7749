// A started activity whose worker died: with no heartbeat timeout the server notices only when the
// attempt's start-to-close timeout ends, so until then the run waits on nothing. Pure: no clock, no I/O.
import type { PendingActivityFact } from '../contract/facts.js';
import { processGone } from './poller-liveness.js';
import { activityEvidence, byAttemptDesc, formatAge, type Context, type Rule } from './stall-rules.js';
import type { DeadWorkerEvidence } from '../contract/verdicts.js';

/**
 * The proof that the worker running the activity is gone: its host says so, or a poller of that
 * identity is a proven ghost. Undefined while it may live (a live poller, or a process that may be it).
 */
function deadWhy(ctx: Context, a: PendingActivityFact): string | undefined {
  const identity = a.lastWorkerIdentity;
  if (!identity) return undefined;
  if (a.lastWorkerProcess)
    return processGone(a.lastWorkerProcess, a.lastStartedTimeMs ?? 0, 'the attempt started');
  const pollers = [...(ctx.pollers ?? []), ...Object.values(ctx.activityPollers ?? {}).flat()];
  const same = pollers.filter((p) => p.identity === identity);
  if (same.some((p) => p.liveness !== 'ghost')) return undefined;
  return same[0]?.why;
}

function deadWorkerEvidence(ctx: Context, a: PendingActivityFact, why: string): DeadWorkerEvidence {
  const queue = a.taskQueue ?? ctx.facts.taskQueue;
  const pollers = queue === ctx.facts.taskQueue ? ctx.pollers : ctx.activityPollers?.[queue];
  const timesOutAt =
    a.lastStartedTimeMs !== undefined && a.startToCloseTimeoutMs !== undefined
      ? a.lastStartedTimeMs + a.startToCloseTimeoutMs
      : undefined;
  return {
    workerIdentity: a.lastWorkerIdentity ?? '',
    why,
    ...(a.lastStartedTimeMs !== undefined && { startedTimeMs: a.lastStartedTimeMs }),
    ...(a.startToCloseTimeoutMs !== undefined && { startToCloseTimeoutMs: a.startToCloseTimeoutMs }),
    ...(timesOutAt !== undefined && { attemptTimesOutAtMs: timesOutAt }),
    ...(a.expirationTimeMs !== undefined && { expiresAtMs: a.expirationTimeMs }),
    ...(pollers && { livePoller: pollers.some((p) => p.live) }),
  };
}

/** When the server gives up on the lost attempt, in words. */
function timeoutText(d: DeadWorkerEvidence, now: number): string {
  const at = d.attemptTimesOutAtMs;
  const expires = d.expiresAtMs !== undefined && (at === undefined || d.expiresAtMs < at);
  if (expires)
    return `the whole activity times out at its schedule-to-close, in ${formatAge(Math.max(0, d.expiresAtMs! - now))}`;
  if (at === undefined) return 'the server retries it only when its start-to-close timeout ends';
  const timeout = d.startToCloseTimeoutMs !== undefined ? ` (${formatAge(d.startToCloseTimeoutMs)})` : '';
  return `the server retries it only when its start-to-close timeout${timeout} ends, in ${formatAge(Math.max(0, at - now))}`;
}

// Rule 6c: a started activity without a heartbeat timeout whose worker is proven gone.
export const deadWorkerActivityRule: Rule = (ctx) => {
  for (const a of [...ctx.facts.pendingActivities].sort(byAttemptDesc)) {
    if (a.state !== 'started' || a.heartbeatTimeoutMs !== undefined) continue;
    const why = deadWhy(ctx, a);
    if (!why) continue;
    const dead = deadWorkerEvidence(ctx, a, why);
    const started =
      dead.startedTimeMs !== undefined
        ? ` started ${formatAge(Math.max(0, ctx.now - dead.startedTimeMs))} ago`
        : '';
    const queue = a.taskQueue ?? ctx.facts.taskQueue;
    return {
      verdict: 'activity-on-dead-worker',
      confidence: 'high',
      evidence: {
        summary:
          `Activity "${a.activityType}" (${a.activityId}, attempt ${a.attempt})${started} on worker ${dead.workerIdentity}, ` +
          `which is gone (${why}); it has no heartbeat timeout, so ${timeoutText(dead, ctx.now)}` +
          (dead.livePoller === false ? `; no live worker polls task queue "${queue}"` : ''),
        activity: activityEvidence(a),
        waitingOn: 'activity',
        deadWorker: dead,
      },
    };
  }
  return undefined;
};
