// All activities of the control worker, built from their dependencies.
import { createProcessActivities, type ProcessDeps } from './process-activities.js';
import { createTemporalActivities, type TemporalDeps } from './temporal-activities.js';

export type ActivityDeps = ProcessDeps & TemporalDeps;

/** The activity map registered on the control worker. */
export function createActivities(deps: ActivityDeps) {
  return { ...createProcessActivities(deps), ...createTemporalActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
