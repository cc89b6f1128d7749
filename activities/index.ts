// The control worker's activities in two sets. Host-bound ones touch this machine (processes,
// starters, worker logs, project files) and are registered only on this host's queue
// `temporal-ops@<host>`; cluster-only ones talk to Temporal alone and live on the shared queue.
import { createClearActivities } from './clear-activities.js';
import { createFingerprintActivities } from './fingerprint-activities.js';
import { createHostInspectActivities, createInspectActivities } from './inspect-activities.js';
import { createGateActivities } from './gate-activities.js';
import { createInteractActivities } from './interact-activities.js';
import { createIncidentActivities } from './incident-activities.js';
import { createNotifyActivities } from './notify-activities.js';
import { createPlacementActivities } from './placement-activities.js';
import { createProcessActivities, type ProcessDeps } from './process-activities.js';
import { createRecentActivities } from './recent-activities.js';
import { createRemedyActivities } from './remedy-activities.js';
import { createReplayActivities } from './replay-activities.js';
import { createTemporalActivities, type TemporalDeps } from './temporal-activities.js';

export type ActivityDeps = ProcessDeps & TemporalDeps;

/** Activities registered only on `temporal-ops@<host>`: they act on this machine. */
export function createHostActivities(deps: ActivityDeps) {
  return {
    ...createProcessActivities(deps),
    ...createHostInspectActivities(deps),
    ...createReplayActivities(deps),
    ...createGateActivities(deps),
    ...createFingerprintActivities(deps),
    ...createNotifyActivities(deps),
  };
}

/** Activities registered only on the shared ops queue: pure Temporal calls, any host may run them. */
export function createClusterActivities(deps: ActivityDeps) {
  return {
    ...createTemporalActivities(deps),
    ...createInteractActivities(deps),
    ...createInspectActivities(deps),
    ...createClearActivities(deps),
    ...createPlacementActivities(deps),
    ...createRemedyActivities(deps),
    ...createRecentActivities(deps),
    ...createIncidentActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;
export type ClusterActivities = ReturnType<typeof createClusterActivities>;
