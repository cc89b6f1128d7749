// Local activities that keep failing: describe never shows them, but each failed attempt that backs
// off behind a timer leaves a `core_local_activity` marker with the failure in history. Pure.
import { formatAge } from './poller-liveness.js';
import type { Rule } from './stall-rules.js';

const firstLine = (text: string): string => text.split('\n', 1)[0] ?? '';

// Rule 5b: the newest local activity marker failed and backs off for another attempt, on attempt >=
// retryStormAttempts. A marker without a backoff is a final failure the workflow code now handles.
export const localActivityStormRule: Rule = (ctx) => {
  const la = ctx.facts.localActivityFailure;
  if (!la || la.backoffMs === undefined || la.attempt < ctx.policy.retryStormAttempts) return undefined;
  const name = la.activityType || `#${la.activityId}`;
  const last = la.message || la.failureType || '';
  return {
    verdict: 'activity-retry-storm',
    confidence: 'high',
    evidence: {
      summary:
        `Local activity "${name}" keeps failing: attempt ${la.attempt} failed ${formatAge(Math.max(0, ctx.now - la.timeMs))} ago ` +
        `(marker event ${la.eventId}), next attempt after a ${formatAge(la.backoffMs)} backoff timer; last failure: ${firstLine(last)}`,
      eventIds: [la.eventId],
      activity: {
        activityId: la.activityId,
        activityType: la.activityType,
        attempt: la.attempt,
        ...(last && { lastFailureMessage: last }),
        taskQueue: ctx.facts.taskQueue,
        local: true,
      },
      failureMessage: last,
    },
  };
};
