// A worker frozen by a blocking call in an async activity: the activity holds the worker's event loop,
// so every workflow task that worker takes times out. The victims name the activity's run; the sweep
// then gives that run the `worker-frozen` verdict (frozenWorkerFinding). Pure: no clock, no I/O.
import type { HeldSlotFact, RunRef } from '../contract/facts.js';
import { formatAge } from './poller-liveness.js';
import type { Context } from './stall-rules.js';
import type { Finding, FrozenByEvidence } from '../contract/verdicts.js';

/**
 * The activity that blocks the worker which took this run's timing-out workflow task: started on that
 * worker before the task, and not heartbeating since (a blocked event loop sends no heartbeat).
 */
export function frozenBy(ctx: Context): FrozenByEvidence | undefined {
  const started = ctx.facts.lastWorkflowTaskStarted;
  if (!started) return undefined;
  const candidates = (ctx.facts.heldSlots?.[started.identity] ?? []).filter(
    (h) =>
      h.startedTimeMs !== undefined &&
      h.startedTimeMs <= started.timeMs &&
      (h.lastHeartbeatTimeMs === undefined || h.lastHeartbeatTimeMs <= started.timeMs),
  );
  const holder = candidates.sort((a, b) => (a.startedTimeMs ?? 0) - (b.startedTimeMs ?? 0))[0];
  return holder && { workerIdentity: started.identity, holder };
}

/** The victim's words for the activity that freezes its worker. */
export function frozenByText(f: FrozenByEvidence, now: number): string {
  const h = f.holder;
  const age = h.startedTimeMs !== undefined ? ` for ${formatAge(Math.max(0, now - h.startedTimeMs))}` : '';
  return (
    `worker ${f.workerIdentity} took it, and its event loop looks blocked by activity "${h.activityType}" (${h.activityId}) ` +
    `of workflow ${h.workflowId} (run ${h.runId}), running${age} without a heartbeat`
  );
}

/** The run whose activity a victim names, keyed for a sweep's lookup. */
export const holderKey = (h: Pick<HeldSlotFact, 'runId' | 'activityId'>): string =>
  `${h.runId}\u0000${h.activityId}`;

/**
 * The finding of the run whose activity blocks `workerIdentity`, once victims name it: `worker-frozen`,
 * with the victims, and the remedy (fix the activity, restart the worker).
 */
export function frozenWorkerFinding(
  candidate: Finding,
  activityId: string,
  workerIdentity: string,
  victims: RunRef[],
): Finding {
  const activity = candidate.evidence.activity;
  const type = activity?.activityType ?? '?';
  const names = victims.map((v) => v.workflowId);
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
  const ids = `--workflow-id ${candidate.workflowId} --activity-id ${activityId}`;
  return {
    ...candidate,
    verdict: 'worker-frozen',
    stalled: true,
    confidence: 'high',
    evidence: {
      ...candidate.evidence,
      summary:
        `Activity "${type}" (${activityId}) runs on worker ${workerIdentity} without a heartbeat while that worker's ` +
        `workflow tasks time out (${victims.length} ${victims.length === 1 ? 'run' : 'runs'}: ${shown}): ` +
        `a blocking call in an async activity freezes the worker's event loop`,
      waitingOn: 'activity',
      frozenWorker: { workerIdentity, victims },
    },
    remedy: {
      action: 'fix-code-restart-worker',
      text:
        `Activity "${type}" blocks the event loop of worker ${workerIdentity}: make it a plain \`def\` activity (the worker ` +
        `runs those in its thread pool) or move the blocking call off the loop (\`await asyncio.to_thread(...)\`), then restart ` +
        `the worker; the runs timing out on it resume by themselves. The killed attempt is retried only after its ` +
        `start-to-close timeout unless it heartbeats: reset it at once with temporal activity reset ${ids}.`,
      autoRecovers: true,
    },
  };
}
