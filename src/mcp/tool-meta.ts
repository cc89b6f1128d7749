// Every tool's title and annotations, in one table so the hints can be read (and checked) side by
// side. Hints describe effects on the target project: stopping workers, terminating workflows,
// approving plans and deleting registrations are destructive; reads are read-only. Tools that run
// the project's own code (its worker, its starter) reach whatever that code reaches: open world.
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

interface ToolMeta {
  title: string;
  annotations: ToolAnnotations;
}

const read = (title: string): ToolMeta => ({
  title,
  annotations: { readOnlyHint: true, openWorldHint: false },
});

const write = (
  title: string,
  hints: { destructive: boolean; idempotent: boolean; openWorld?: boolean },
): ToolMeta => ({
  title,
  annotations: {
    readOnlyHint: false,
    destructiveHint: hints.destructive,
    idempotentHint: hints.idempotent,
    openWorldHint: hints.openWorld ?? false,
  },
});

export const TOOL_META = {
  worker_ensure: write('Ensure one fresh worker', { destructive: true, idempotent: true, openWorld: true }),
  worker_start: write('Start a worker unless one runs', {
    destructive: false,
    idempotent: true,
    openWorld: true,
  }),
  worker_restart: write('Restart the worker', { destructive: true, idempotent: false, openWorld: true }),
  worker_stop: write("Stop the project's workers", { destructive: true, idempotent: true }),
  worker_stop_all: write('Stop every worker we started', { destructive: true, idempotent: true }),
  worker_list: read('List workers and pollers'),
  worker_health: read('Worker health'),
  worker_logs: read('Worker log tail'),
  workflows_stalled: read('Find stalled workflows'),
  workflows_analyze: read('Analyze one workflow'),
  workflows_result: read('Workflow result'),
  workflows_wait: read('Wait for a workflow status'),
  workflows_recent: read('Recent workflows'),
  replay_check: read('Replay open workflows against current code'),
  schedule_stall_sweep: write('Schedule a stall sweep', { destructive: true, idempotent: true }),
  // Moves of our own incident records: the target project is untouched. A second ack changes
  // nothing; a second snooze moves the end of the snooze.
  incident_ack: write('Acknowledge an incident', { destructive: false, idempotent: true }),
  incident_snooze: write('Snooze an incident', { destructive: false, idempotent: false }),
  project_add: write('Register a project', { destructive: false, idempotent: true }),
  project_list: read('List projects'),
  project_remove: write('Forget a project', { destructive: true, idempotent: true }),
  recipe_start: write('Start a recipe', { destructive: true, idempotent: false, openWorld: true }),
  recipe_progress: read('Recipe progress and report'),
  recipe_cancel: write('Cancel a recipe', { destructive: true, idempotent: true }),
  approve: write('Approve or reject a pending plan', { destructive: true, idempotent: false }),
  workflow_signal: write('Signal a target workflow', { destructive: false, idempotent: false }),
  workflow_query: read('Query a target workflow'),
  workflow_update: write('Update a target workflow', { destructive: false, idempotent: false }),
  workflow_terminate: write('Terminate a target workflow', { destructive: true, idempotent: true }),
} satisfies Record<string, ToolMeta>;

export type ToolName = keyof typeof TOOL_META;
