// Worker versioning: a run pinned to a deployment version goes only to that version's workers.
// Pure: no clock, no I/O.
import type { DeploymentVersionFact } from '../contract/facts.js';
import type { PollerEvidence, VersionMismatchEvidence } from '../contract/verdicts.js';
import { formatAge, type Rule } from './stall-rules.js';

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

// A pinned run's workflow task not picked up for noWorkerAfterMs while no live poller of its queue
// serves its version. Comes before no-worker: starting the current worker would serve another version.
export const versionMismatchRule: Rule = (ctx) => {
  const pinned = ctx.facts.pinnedVersion;
  const task = ctx.facts.pendingWorkflowTask;
  const scheduledAt = task?.scheduledTimeMs ?? task?.originalScheduledTimeMs;
  if (!pinned || !ctx.pollers || task?.state !== 'scheduled' || scheduledAt === undefined) return undefined;
  const waited = Math.max(0, ctx.now - scheduledAt);
  if (waited < ctx.policy.noWorkerAfterMs) return undefined;
  if (ctx.pollers.some((p) => p.live && p.version && sameVersion(p.version, pinned))) return undefined;
  const served = servedVersions(ctx.pollers);
  const how = pinned.override ? 'by a versioning override' : 'by its PINNED versioning behavior';
  return {
    verdict: 'version-mismatch',
    confidence: 'high',
    evidence: {
      summary:
        `Workflow task scheduled ${formatAge(waited)} ago on task queue "${ctx.facts.taskQueue}" waits for a worker of ` +
        `deployment "${pinned.deploymentName}" Build ID "${pinned.buildId}" (pinned ${how}); ` +
        (served.length > 0
          ? `the live pollers serve ${served.map(versionText).join(', ')}`
          : 'no live poller on the queue'),
      pollers: ctx.pollers,
      version: { pinned, served },
    },
  };
};
