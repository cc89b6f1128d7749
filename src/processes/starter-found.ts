// The workflow a starter started when it printed no workflow ID: found through visibility from
// the starter's recorded lifetime, so a retried step looks at the same window and finds the same run.
import { StarterFailedError } from '../errors.js';
import { findStartedRun } from '../inspect/started-runs.js';
import type { WorkflowReadClient } from '../temporal/lite/read-client.js';
import type { StarterResult } from './starter-run.js';

/**
 * The one workflow started on `taskQueue` while the starter ran; StarterFailedError `no-workflow-id`
 * when there is none, `ambiguous` (naming every candidate) when there are several.
 */
export async function starterWorkflowFromVisibility(
  client: WorkflowReadClient,
  starter: { command: string; taskQueue: string },
  outcome: StarterResult,
  opsTaskQueue: string,
  options: { settleMs?: number; signal?: AbortSignal } = {},
): Promise<{ workflowId: string; runId: string }> {
  const endedAtMs = outcome.endedAtMs ?? Date.now();
  const window = { taskQueue: starter.taskQueue, opsTaskQueue, startedAtMs: outcome.startedAtMs, endedAtMs };
  const pick = await findStartedRun(client, window, outcome.output, options);
  if (pick.kind === 'one') return { workflowId: pick.run.workflowId, runId: pick.run.runId };
  const exit = outcome.exitCode ?? '(code unseen: its attempt was interrupted)';
  const during = `between ${new Date(window.startedAtMs).toISOString()} and ${new Date(endedAtMs).toISOString()}`;
  const tail = outcome.output.slice(-2000);
  if (pick.kind === 'none') {
    throw new StarterFailedError(
      starter.command,
      'no-workflow-id',
      outcome.exitCode,
      tail,
      `starter "${starter.command}" exited ${exit} without printing a workflow ID, and no workflow started on task queue "${starter.taskQueue}" ${during}`,
    );
  }
  const ids = pick.candidates.map((run) => run.workflowId);
  throw new StarterFailedError(
    starter.command,
    'ambiguous',
    outcome.exitCode,
    tail,
    `starter "${starter.command}" printed no workflow ID and ${ids.length} workflows started on task queue "${starter.taskQueue}" ${during}: ${ids.join(', ')}; set start.workflowIdPattern to pick one`,
    ids,
  );
}
