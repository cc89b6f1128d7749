// Which workflows are ours: sweeps, cancels and kills must never touch an ops workflow.
// Pure: imported by workflow code, activities and the CLI alike.

/**
 * The workflow types exported by workflows/index.ts, exactly (a test checks both ways). A new
 * recipe is added here in the same change that exports it.
 */
export const RECIPE_NAMES = [
  'CleanStart',
  'DebugStalled',
  'TestInteractive',
  'ClearStalledEnvironment',
  'EnsureWorker',
  'CheckRecentResults',
] as const;

export type RecipeName = (typeof RECIPE_NAMES)[number];

/** The internal workflow types recipes and inspections start (workflows/project-host.ts, host-processes.ts). */
export const PROJECT_HOST_TYPE = 'ProjectHost';
export const HOST_PROCESSES_TYPE = 'HostProcesses';
/** One incident a scheduled sweep found (workflows/incident.ts), in the bookkeeping namespace. */
export const INCIDENT_TYPE = 'Incident';

/** Every workflow type workflows/index.ts exports: the recipes and the internal ones they use. */
export const OPS_WORKFLOW_TYPES = [
  ...RECIPE_NAMES,
  PROJECT_HOST_TYPE,
  HOST_PROCESSES_TYPE,
  INCIDENT_TYPE,
] as const;

/** The queue of the control worker on `host`, for host-bound activities: `<ops queue>@<host>`. */
export function hostQueueName(opsTaskQueue: string, host: string): string {
  return `${opsTaskQueue}@${host}`;
}

const opsTypeSet: ReadonlySet<string> = new Set(OPS_WORKFLOW_TYPES);

/** True for a workflow type that is ours (a recipe, or an internal workflow recipes use). */
export function isRecipeType(workflowType: string): boolean {
  return opsTypeSet.has(workflowType);
}

/**
 * True when a workflow is ours: a recipe type, or anything on the ops task queue or one of its
 * host queues (`<ops>@<host>`).
 */
export function isOpsWorkflow(workflowType: string, taskQueue: string, opsTaskQueue: string): boolean {
  return (
    isRecipeType(workflowType) ||
    taskQueue === opsTaskQueue ||
    taskQueue.startsWith(hostQueueName(opsTaskQueue, ''))
  );
}

/** A visibility clause that leaves ops workflows out (by type and by ops queue). */
export function excludeOpsClause(opsTaskQueue: string): string {
  const types = OPS_WORKFLOW_TYPES.map((name) => JSON.stringify(name)).join(', ');
  return `WorkflowType NOT IN (${types}) AND TaskQueue != ${JSON.stringify(opsTaskQueue)}`;
}

/** The ID of the stall-sweep schedule when `schedule stall-sweep` is given none. */
export const DEFAULT_SWEEP_SCHEDULE_ID = 'temporal-ops-stall-sweep';
