// The stall rules, in precedence order: each reads the facts and concludes a verdict or passes.
// Pure: no clock (ctx.now is passed in), no I/O.

import type { PendingActivityFact, WorkflowFacts } from '../contract/facts.js';
import { failingHandler, handlerText } from './failing-handler.js';
import { frozenBy, frozenByText } from './stall-frozen-worker.js';
import { formatAge } from './poller-liveness.js';
import { pendingLimitOf, pendingLimitText } from './stall-pending-limit.js';
import {
  classifyWorkflowTaskFailure,
  currentWorkflowTaskFailure,
  isActivityNotRegistered,
  stackExcerpt,
  verdictFromReportedProblems,
} from './stall-workflow-task.js';
import type {
  ActivityEvidence,
  Confidence,
  DiagnosisPolicy,
  Evidence,
  PollerEvidence,
  Verdict,
} from '../contract/verdicts.js';

/** What one rule concluded; diagnose() adds the shared evidence and the remedy. */
export interface Conclusion {
  verdict: Verdict;
  confidence: Confidence;
  evidence: Partial<Evidence> & { summary: string };
}

export interface Context {
  facts: WorkflowFacts;
  now: number;
  policy: DiagnosisPolicy;
  pollers?: PollerEvidence[];
  /** Judged pollers of pending activities' task queues, by queue; absent when not fetched. */
  activityPollers?: Record<string, PollerEvidence[]>;
  /** Judged Nexus pollers of the target queues of failing Nexus operations, by queue; absent when not fetched. */
  nexusPollers?: Record<string, PollerEvidence[]>;
  reported: string[];
  attempt: number;
}

export type Rule = (ctx: Context) => Conclusion | undefined;

const raise = (c: Confidence): Confidence => (c === 'low' ? 'medium' : 'high');
// The server flags runs whose workflow tasks keep failing: that confirms a workflow-task verdict.
const withReported = (ctx: Context, c: Confidence): Confidence => (ctx.reported.length > 0 ? raise(c) : c);

export { formatAge };

const firstLine = (text: string): string => text.split('\n', 1)[0] ?? '';

// Rules 1+2: a CURRENT workflow task failure (after the last completed task), classified by its text.
export const currentFailureRule: Rule = (ctx) => {
  const failure = currentWorkflowTaskFailure(ctx.facts);
  if (!failure) return undefined;
  const cls = classifyWorkflowTaskFailure(failure);
  const base: Confidence = ctx.attempt > 1 && cls.strong ? 'high' : 'medium';
  const what = cls.deadlock
    ? 'Python deadlock detector: workflow code blocked without yielding'
    : `${failure.cause}: ${firstLine(failure.message)}`;
  const handler = failingHandler(failure, ctx.facts.openUpdates);
  const limit = cls.verdict === 'pending-limit' ? pendingLimitOf(failure, ctx.facts) : undefined;
  return {
    verdict: cls.verdict,
    confidence: withReported(ctx, base),
    evidence: {
      summary:
        `Workflow task failing (attempt ${ctx.attempt || '?'}): ${what}${handler ? ` ${handlerText(handler)}` : ''}` +
        (limit ? `: ${pendingLimitText(limit)}` : ''),
      eventIds: [failure.eventId],
      ...(handler && { handler }),
      ...(limit && { pendingLimit: limit }),
      failureMessage: failure.message,
      stackExcerpt: stackExcerpt(failure.stackTrace),
    },
  };
};

// Rule 3: workflow tasks keep timing out. Repeated attempts are not written to history, so a
// retrying task whose last problem was a timeout counts its earlier attempts as timeouts.
export const taskTimeoutRule: Rule = (ctx) => {
  const written = ctx.facts.workflowTaskTimeoutsSinceCompleted;
  const lastWasTimeout = written > 0 || ctx.facts.lastEventType === 'WorkflowTaskTimedOut';
  const repeated = lastWasTimeout ? Math.max(written, ctx.attempt - 1) : 0;
  if (repeated < Math.max(1, ctx.policy.workflowTaskTimeouts)) return undefined;
  const frozen = frozenBy(ctx);
  return {
    verdict: 'workflow-task-timeout',
    confidence: withReported(ctx, written >= ctx.policy.workflowTaskTimeouts ? 'high' : 'medium'),
    evidence: {
      summary:
        `Workflow task timed out ${repeated} times since the last completed task (now attempt ${ctx.attempt || '?'})` +
        (frozen ? `; ${frozenByText(frozen, ctx.now)}` : ''),
      ...(frozen && { frozenBy: frozen }),
    },
  };
};

export const activityEvidence = (a: PendingActivityFact): ActivityEvidence => ({
  activityId: a.activityId,
  activityType: a.activityType,
  attempt: a.attempt,
  ...(a.lastFailureMessage !== undefined && { lastFailureMessage: a.lastFailureMessage }),
  ...(a.taskQueue !== undefined && { taskQueue: a.taskQueue }),
  ...(a.pause !== undefined && { pause: a.pause }),
});

/** Paused by someone (or a rule), or a pause requested: not failing by itself. */
export const isPaused = (a: PendingActivityFact): boolean =>
  a.pause !== undefined || a.state === 'paused' || a.state === 'pause-requested';

export const byAttemptDesc = (a: PendingActivityFact, b: PendingActivityFact): number =>
  b.attempt - a.attempt;

// Rule 4: a pending activity whose last failure says its type is not registered on the worker.
export const activityNotRegisteredRule: Rule = (ctx) => {
  const a = ctx.facts.pendingActivities
    .filter((p) => isActivityNotRegistered(p.lastFailureMessage))
    .sort(byAttemptDesc)[0];
  if (!a) return undefined;
  return {
    verdict: 'activity-not-registered',
    confidence: 'high',
    evidence: {
      summary: `Activity "${a.activityType}" is not registered on the worker (attempt ${a.attempt})`,
      activity: activityEvidence(a),
      failureMessage: a.lastFailureMessage,
    },
  };
};

// Rule 5: a pending activity on attempt >= retryStormAttempts with a last failure.
export const retryStormRule: Rule = (ctx) => {
  const failing = ctx.facts.pendingActivities.filter(
    (p) =>
      !isPaused(p) &&
      p.attempt >= ctx.policy.retryStormAttempts &&
      (p.lastFailureMessage ?? p.lastFailureType) !== undefined,
  );
  const a = failing.sort(byAttemptDesc)[0];
  if (!a) return undefined;
  const last = a.lastFailureMessage ?? a.lastFailureType ?? '';
  return {
    verdict: 'activity-retry-storm',
    confidence: 'high',
    evidence: {
      summary: `Activity "${a.activityType}" keeps failing: attempt ${a.attempt}, last failure: ${firstLine(last)}`,
      activity: activityEvidence(a),
      failureMessage: last,
    },
  };
};

/**
 * Nobody serves a queue at once when pollers are listed, none is live, and at least one is a proven
 * ghost: its worker is known to be dead, so there is nothing to wait for.
 */
function servedOnlyByGhosts(pollers: readonly PollerEvidence[] | undefined): boolean {
  return pollers !== undefined && !pollers.some((p) => p.live) && pollers.some((p) => p.liveness === 'ghost');
}

// Rule 6: a workflow task not picked up, with no live poller on its queue: at once when only ghosts
// poll it, else once it waited noWorkerAfterMs (a worker may be about to poll).
export const noWorkerRule: Rule = (ctx) => {
  const task = ctx.facts.pendingWorkflowTask;
  const scheduledAt = task?.scheduledTimeMs ?? task?.originalScheduledTimeMs;
  if (task?.state !== 'scheduled' || scheduledAt === undefined) return undefined;
  const waited = Math.max(0, ctx.now - scheduledAt);
  if (ctx.pollers?.some((p) => p.live)) return undefined;
  if (waited < ctx.policy.noWorkerAfterMs && !servedOnlyByGhosts(ctx.pollers)) return undefined;
  const seen = ctx.pollers === undefined ? 'pollers were not fetched' : pollerSummary(ctx.pollers);
  return {
    verdict: 'no-worker',
    // Without the poller list this is only "nobody picked the task up yet".
    confidence: ctx.pollers === undefined ? 'low' : 'high',
    evidence: {
      summary: `Workflow task scheduled ${formatAge(waited)} ago on task queue "${ctx.facts.taskQueue}" and not picked up; ${seen}`,
    },
  };
};

// Rule 6b: a pending activity not picked up whose own task queue has no live poller (an activity
// worker that is down, or polls another queue): at once when only ghosts poll it, else after
// noWorkerAfterMs. Only with pollers fetched.
export const activityNoWorkerRule: Rule = (ctx) => {
  for (const a of [...ctx.facts.pendingActivities].sort(byAttemptDesc)) {
    if (a.state !== 'scheduled' || a.taskQueue === undefined || a.scheduledTimeMs === undefined) continue;
    const waited = Math.max(0, ctx.now - a.scheduledTimeMs);
    const pollers = ctx.activityPollers?.[a.taskQueue];
    if (!pollers || pollers.some((p) => p.live)) continue;
    if (waited < ctx.policy.noWorkerAfterMs && !servedOnlyByGhosts(pollers)) continue;
    return {
      verdict: 'no-worker',
      confidence: 'high',
      evidence: {
        summary: `Activity "${a.activityType}" scheduled ${formatAge(waited)} ago on task queue "${a.taskQueue}" and not picked up; ${pollerSummary(pollers)}`,
        activity: activityEvidence(a),
        activityPollers: pollers,
      },
    };
  }
  return undefined;
};

export function pollerSummary(pollers: PollerEvidence[]): string {
  if (pollers.length === 0) return 'no poller on the queue';
  const ghosts = pollers.filter((p) => p.liveness === 'ghost');
  const silent = pollers.filter((p) => p.liveness === 'silent');
  const parts: string[] = [];
  if (ghosts.length > 0)
    parts.push(
      `${ghosts.length === 1 ? 'a ghost' : `${ghosts.length} ghosts`} of dead workers: ${ghosts.map((p) => `${p.identity} (${p.why})`).join(', ')}`,
    );
  if (silent.length > 0) {
    const newest = Math.min(...silent.map((p) => p.lastAccessAgeMs));
    parts.push(`${silent.length} silent, newest seen ${formatAge(newest)} ago`);
  }
  return `no live poller (${parts.join('; ')})`;
}

// Rule 7a: the server reports problems, or the task is retrying, yet history shows no current cause.
export const unexplainedTaskProblemRule: Rule = (ctx) => {
  const retrying = ctx.attempt > 1 && ctx.facts.workflowTaskTimeoutsSinceCompleted === 0;
  if (ctx.reported.length === 0 && !retrying) return undefined;
  const summary =
    ctx.reported.length > 0
      ? `The server reports workflow task problems (${ctx.reported.join(', ')}) but history holds no current failure`
      : `Workflow task is on attempt ${ctx.attempt} but history holds no failure after the last completed task`;
  return {
    verdict: verdictFromReportedProblems(ctx.reported),
    confidence: 'low',
    evidence: { summary },
  };
};
