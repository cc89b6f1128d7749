// All activities of the control worker, built from their dependencies.
import { createClearActivities } from './clear-activities.js';
import { createInspectActivities } from './inspect-activities.js';
import { createProcessActivities, type ProcessDeps } from './process-activities.js';
import { createTemporalActivities, type TemporalDeps } from './temporal-activities.js';

export type ActivityDeps = ProcessDeps & TemporalDeps;

/** The activity map registered on the control worker. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createProcessActivities(deps),
    ...createTemporalActivities(deps),
    ...createInspectActivities(deps),
    ...createClearActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
