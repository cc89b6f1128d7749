// The default verdict when no stall rule matched: the run waits as designed, and on what.

import { activityEvidence, byAttemptDesc, formatAge, type Conclusion, type Context } from './stall-rules.js';
import type { SignalSentFact, SignalTargetFact } from '../contract/facts.js';
import type { WaitingOn } from '../contract/verdicts.js';

const WAIT_BY_LAST_EVENT: Readonly<Record<string, WaitingOn>> = {
  TimerStarted: 'timer',
  ActivityTaskScheduled: 'activity',
  ActivityTaskStarted: 'activity',
  StartChildWorkflowExecutionInitiated: 'child-workflow',
  ChildWorkflowExecutionStarted: 'child-workflow',
  WorkflowTaskCompleted: 'signal-or-update',
  WorkflowExecutionUpdateAccepted: 'signal-or-update',
  WorkflowExecutionUpdateCompleted: 'signal-or-update',
};

const WAIT_TEXT: Readonly<Record<WaitingOn, string>> = {
  timer: 'Waiting on a timer',
  'signal-or-update': 'Waiting for a signal or an update',
  'timer-signal-or-update': 'Waiting on a timer, a signal or an update (nothing pending, nothing failing)',
  activity: 'Waiting on an activity',
  'child-workflow': 'Waiting on a child workflow',
  'nexus-operation': 'Waiting on a Nexus operation',
  unknown: 'No failure, timeout or retry found; waiting',
};

const heartbeatAge = (now: number, at: number | undefined): string =>
  at === undefined ? '' : `, last heartbeat ${formatAge(now - at)} ago`;

function targetText(target: SignalTargetFact | undefined): string {
  if (!target) return '';
  if (!target.running) return ', which no longer runs';
  return target.stalled
    ? `, which is stalled (${target.verdict}, run ${target.runId})`
    : `, which is running (${target.verdict})`;
}

/** What the run signalled last, for a run waiting for a signal: where its answer would come from, if anywhere. */
function signalledText(sent: SignalSentFact): string {
  const state = sent.outcome === 'pending' ? ' (not delivered yet)' : '';
  return (
    `; the last signal it sent ("${sent.signalName}", event ${sent.eventId}${state}) went to workflow ${sent.workflowId}` +
    `${targetText(sent.target)}: if this run waits on an answer from it, look there (the server records no link between them)`
  );
}

// Rule 7: healthy wait. Describe's pending activities are authoritative; otherwise the last event hints.
export function healthyWait(ctx: Context): Conclusion {
  const a = [...ctx.facts.pendingActivities].sort(byAttemptDesc)[0];
  const children = ctx.facts.pendingChildWorkflows ?? 0;
  // Nothing pending at all and history not read: a timer, a signal or an update, we cannot say which.
  const idle = !ctx.facts.pendingWorkflowTask && ctx.facts.lastEventType === undefined;
  const nexus = ctx.facts.pendingNexusOperations?.[0];
  const waitingOn: WaitingOn = a
    ? 'activity'
    : children > 0
      ? 'child-workflow'
      : nexus
        ? 'nexus-operation'
        : idle
          ? 'timer-signal-or-update'
          : (WAIT_BY_LAST_EVENT[ctx.facts.lastEventType ?? ''] ?? 'unknown');
  const child = ctx.facts.pendingChildren?.[0];
  const summary = a
    ? `Waiting on activity "${a.activityType}" (attempt ${a.attempt}${heartbeatAge(ctx.now, a.lastHeartbeatTimeMs)})`
    : waitingOn === 'child-workflow' && child
      ? `Waiting on child workflow ${child.workflowId} (run ${child.runId})${children > 1 ? ` and ${children - 1} more` : ''}, none of them stalled`
      : waitingOn === 'nexus-operation' && nexus
        ? `Waiting on Nexus operation ${nexus.service}.${nexus.operation} on endpoint ${nexus.endpoint} (${nexus.state}, attempt ${nexus.attempt}` +
          `${nexus.handler ? `; its workflow ${nexus.handler.workflowId} is not stalled` : ''})`
        : WAIT_TEXT[waitingOn] +
          (waitingOn === 'unknown' ? ` (last event: ${ctx.facts.lastEventType ?? 'unknown'})` : '');
  // Failed signals went nowhere: the workflow code already saw that failure.
  const sent = ctx.facts.lastSignalSent;
  const signalled = waitingOn === 'signal-or-update' && sent && sent.outcome !== 'failed' ? sent : undefined;
  const doubtful = signalled?.target && (!signalled.target.running || signalled.target.stalled);
  return {
    verdict: 'healthy-wait',
    confidence: waitingOn === 'unknown' || doubtful ? 'medium' : 'high',
    evidence: {
      summary: signalled ? `${summary}${signalledText(signalled)}` : summary,
      waitingOn,
      ...(a && { activity: activityEvidence(a) }),
      ...(signalled && { lastSignalSent: signalled }),
    },
  };
}
