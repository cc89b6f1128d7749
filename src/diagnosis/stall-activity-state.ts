// Rules about activities that wait for a person or for a slot, not for a fix: a paused activity,
// and a live worker whose activity slots are all taken. Pure: no clock, no I/O.
import type { HeldSlotFact, PendingActivityFact, WorkflowFacts } from '../contract/facts.js';
import {
  activityEvidence,
  byAttemptDesc,
  formatAge,
  isPaused,
  pollerSummary,
  type Context,
  type Rule,
} from './stall-rules.js';
import type { PollerEvidence, SaturationEvidence } from '../contract/verdicts.js';

const firstLine = (text: string): string => text.split('\n', 1)[0] ?? '';

function pauseText(a: PendingActivityFact, now: number): string {
  const p = a.pause;
  const by = p?.identity ? ` by ${p.identity}` : p?.ruleId ? ` by rule ${p.ruleId}` : '';
  const when = p?.timeMs !== undefined ? ` ${formatAge(Math.max(0, now - p.timeMs))} ago` : '';
  const why = p?.reason ? ` (reason: ${JSON.stringify(p.reason)})` : '';
  const what =
    a.state === 'pause-requested' ? 'pause requested (it pauses once its running attempt ends)' : 'paused';
  return `${what}${by}${when}${why}`;
}

// A paused activity waits for whoever paused it: never a retry storm, though its attempts climbed first.
export const activityPausedRule: Rule = (ctx) => {
  const a = ctx.facts.pendingActivities.filter(isPaused).sort(byAttemptDesc)[0];
  if (!a) return undefined;
  const last = a.lastFailureMessage ?? a.lastFailureType;
  return {
    verdict: 'activity-paused',
    confidence: 'high',
    evidence: {
      summary:
        `Activity "${a.activityType}" is ${pauseText(a, ctx.now)}, at attempt ${a.attempt}` +
        (last ? `; last failure before the pause: ${firstLine(last)}` : ''),
      activity: activityEvidence(a),
      ...(last !== undefined && { failureMessage: last }),
    },
  };
};

/** The started activities `identity` runs: found on other runs of the queue, and this run's own. */
function heldBy(facts: WorkflowFacts, identity: string): HeldSlotFact[] {
  const own = facts.pendingActivities
    .filter((p) => p.state === 'started' && p.lastWorkerIdentity === identity)
    .map((p): HeldSlotFact => ({
      workflowId: facts.workflowId,
      runId: facts.runId,
      activityId: p.activityId,
      activityType: p.activityType,
      ...(p.lastStartedTimeMs !== undefined && { startedTimeMs: p.lastStartedTimeMs }),
      ...(p.lastHeartbeatTimeMs !== undefined && { lastHeartbeatTimeMs: p.lastHeartbeatTimeMs }),
    }));
  const seen = new Set(own.map((h) => `${h.runId}\u0000${h.activityId}`));
  const others = (facts.heldSlots?.[identity] ?? []).filter(
    (h) => !seen.has(`${h.runId}\u0000${h.activityId}`),
  );
  return [...own, ...others];
}

/**
 * A worker that stopped polling for activities but is alive: it still polls the workflow queue, or
 * an activity it runs heartbeats. A worker with free slots would have taken the waiting task.
 */
function busyWorker(
  ctx: Context,
  activityPollers: readonly PollerEvidence[],
): Omit<SaturationEvidence, 'backlogCount' | 'backlogAgeMs'> | undefined {
  const candidates = new Set<string>();
  for (const p of activityPollers) if (p.liveness !== 'ghost') candidates.add(p.identity);
  for (const identity of Object.keys(ctx.facts.heldSlots ?? {})) candidates.add(identity);
  for (const p of ctx.facts.pendingActivities)
    if (p.state === 'started' && p.lastWorkerIdentity) candidates.add(p.lastWorkerIdentity);
  const ghosts = new Set(activityPollers.filter((p) => p.liveness === 'ghost').map((p) => p.identity));
  let best: Omit<SaturationEvidence, 'backlogCount' | 'backlogAgeMs'> | undefined;
  for (const identity of candidates) {
    if (ghosts.has(identity)) continue;
    const holding = heldBy(ctx.facts, identity);
    const polls = ctx.pollers?.some((p) => p.identity === identity && p.live) ?? false;
    // A dead worker's activities stay started until they time out: only a fresh heartbeat shows life.
    const beating = holding.some(
      (h) =>
        h.lastHeartbeatTimeMs !== undefined && ctx.now - h.lastHeartbeatTimeMs < ctx.policy.pollerFreshMs,
    );
    if (!polls && !beating) continue;
    const found = {
      workerIdentity: identity,
      alive: polls ? ('polls-workflow-queue' as const) : ('holds-started-activity' as const),
      holding,
    };
    if (!best || holding.length > best.holding.length) best = found;
  }
  return best;
}

function holdingText(s: Omit<SaturationEvidence, 'backlogCount' | 'backlogAgeMs'>, now: number): string {
  const h = s.holding[0];
  if (!h) return 'the activities holding its slots were not found';
  const age =
    h.startedTimeMs !== undefined ? `, started ${formatAge(Math.max(0, now - h.startedTimeMs))} ago` : '';
  const more = s.holding.length > 1 ? ` and ${s.holding.length - 1} more` : '';
  return `its slot is held by activity "${h.activityType}" (${h.activityId}) of workflow ${h.workflowId}${age}${more}`;
}

// Rule 6a: an activity not picked up while the worker that should take it is alive but full. Comes
// before activity no-worker: a worker whose slots are taken stops polling for activities.
export const workerSaturatedRule: Rule = (ctx) => {
  const scheduled = ctx.facts.pendingActivities
    .filter((a) => a.state === 'scheduled' && a.scheduledTimeMs !== undefined)
    .sort((a, b) => (a.scheduledTimeMs ?? 0) - (b.scheduledTimeMs ?? 0));
  for (const a of scheduled) {
    const queue = a.taskQueue ?? ctx.facts.taskQueue;
    const pollers = ctx.activityPollers?.[queue];
    if (!pollers || pollers.some((p) => p.live)) continue;
    const waited = Math.max(0, ctx.now - (a.scheduledTimeMs ?? ctx.now));
    if (waited < ctx.policy.noWorkerAfterMs) continue;
    const worker = busyWorker(ctx, pollers);
    if (!worker) continue;
    const stats = ctx.facts.activityQueueStats?.[queue];
    const saturation: SaturationEvidence = {
      ...worker,
      ...(stats && { backlogCount: stats.backlogCount }),
      ...(stats?.backlogAgeMs !== undefined && { backlogAgeMs: stats.backlogAgeMs }),
    };
    const alive =
      worker.alive === 'polls-workflow-queue' ? 'still polls the workflow queue' : 'runs started activities';
    const backlog = stats
      ? `; backlog ${stats.backlogCount}${stats.backlogAgeMs !== undefined ? `, oldest ${formatAge(stats.backlogAgeMs)}` : ''}`
      : '';
    return {
      verdict: 'worker-saturated',
      confidence: worker.holding.length > 0 ? 'high' : 'medium',
      evidence: {
        summary:
          `Activity "${a.activityType}" scheduled ${formatAge(waited)} ago on task queue "${queue}" is not picked up: ` +
          `worker ${worker.workerIdentity} ${alive} but has every activity slot taken (${pollerSummary(pollers)}); ` +
          `${holdingText(worker, ctx.now)}${backlog}`,
        activity: activityEvidence(a),
        activityPollers: pollers,
        saturation,
      },
    };
  }
  return undefined;
};
