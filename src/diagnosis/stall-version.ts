// Worker versioning: a run pinned to a deployment version goes only to that version's workers.
// Pure: no clock, no I/O.
import type { DeploymentVersionFact } from '../contract/facts.js';
import type { PollerEvidence, VersionMismatchEvidence } from '../contract/verdicts.js';
import { formatAge, type Context, type Rule } from './stall-rules.js';

const sameVersion = (a: DeploymentVersionFact, b: DeploymentVersionFact): boolean =>
  a.deploymentName === b.deploymentName && a.buildId === b.buildId;

const versionText = (v: DeploymentVersionFact | 'unversioned'): string =>
  v === 'unversioned' ? 'unversioned' : `${v.deploymentName}/${v.buildId}`;

/** The versions the live pollers serve, each once, in the order first seen. */
function servedVersions(pollers: readonly PollerEvidence[]): VersionMismatchEvidence['served'] {
  const served: VersionMismatchEvidence['served'] = [];
  for (const p of pollers.filter((q) => q.live)) {
    const v = p.version ?? 'unversioned';
    if (!served.some((s) => (s === 'unversioned' || v === 'unversioned' ? s === v : sameVersion(s, v))))
      served.push(v);
  }
  return served;
}

/** What of the run waits for a worker, and the pollers of its queue: the workflow task, else an activity on the run's queue. */
function waiting(ctx: Context): { what: string; waitedMs: number; pollers: PollerEvidence[] } | undefined {
  const task = ctx.facts.pendingWorkflowTask;
  const scheduledAt = task?.scheduledTimeMs ?? task?.originalScheduledTimeMs;
  if (task?.state === 'scheduled' && scheduledAt !== undefined && ctx.pollers)
    return { what: 'Workflow task', waitedMs: Math.max(0, ctx.now - scheduledAt), pollers: ctx.pollers };
  // Activities on the workflow's own queue go to the run's pinned version too.
  const queue = ctx.facts.taskQueue;
  const pollers = ctx.activityPollers?.[queue];
  const a = ctx.facts.pendingActivities.find(
    (p) => p.state === 'scheduled' && (p.taskQueue ?? queue) === queue && p.scheduledTimeMs !== undefined,
  );
  if (!a || !pollers) return undefined;
  return {
    what: `Activity "${a.activityType}" (attempt ${a.attempt})`,
    waitedMs: Math.max(0, ctx.now - (a.scheduledTimeMs ?? ctx.now)),
    pollers,
  };
}

// A pinned run's workflow task (or an activity on its queue) not picked up for noWorkerAfterMs while
// no live poller of the queue serves its version. Comes before no-worker: starting the current
// worker would serve another version.
export const versionMismatchRule: Rule = (ctx) => {
  const pinned = ctx.facts.pinnedVersion;
  const wait = pinned && waiting(ctx);
  if (!pinned || !wait || wait.waitedMs < ctx.policy.noWorkerAfterMs) return undefined;
  if (wait.pollers.some((p) => p.live && p.version && sameVersion(p.version, pinned))) return undefined;
  const served = servedVersions(wait.pollers);
  const how = pinned.override ? 'by a versioning override' : 'by its PINNED versioning behavior';
  return {
    verdict: 'version-mismatch',
    confidence: 'high',
    evidence: {
      summary:
        `${wait.what} scheduled ${formatAge(wait.waitedMs)} ago on task queue "${ctx.facts.taskQueue}" waits for a worker of ` +
        `deployment "${pinned.deploymentName}" Build ID "${pinned.buildId}" (pinned ${how}); ` +
        (served.length > 0
          ? `the live pollers serve ${served.map(versionText).join(', ')}`
          : 'no live poller on the queue'),
      ...(wait.pollers === ctx.pollers ? { pollers: wait.pollers } : { activityPollers: wait.pollers }),
      version: { pinned, served },
    },
  };
};
