// The workflow a starter started when it printed no workflow ID: found through visibility from
// the starter's recorded lifetime, so a retried step looks at the same window and finds the same run.
import { setTimeout as sleep } from 'node:timers/promises';
import { StarterFailedError } from '../../errors.js';
import { findStartedRun } from '../../inspect/started-runs.js';
import type { WorkflowReadClient } from '../../temporal/lite/read-client.js';
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

/**
 * The one workflow that a worker program which is its own starter (the samples' single file)
 * started on `taskQueue` since it was spawned: waits up to `timeoutMs` for one to appear;
 * StarterFailedError `no-workflow-id` when none did, `ambiguous` (naming each) when several did.
 */
export async function workerStartedRun(
  client: WorkflowReadClient,
  worker: { command: string; taskQueue: string; startedAtMs: number },
  opsTaskQueue: string,
  options: { timeoutMs: number; signal?: AbortSignal; onTick?: () => void },
): Promise<{ workflowId: string; runId: string }> {
  const deadline = Date.now() + options.timeoutMs;
  const window = () => ({ ...worker, opsTaskQueue, endedAtMs: Date.now() });
  let pick = await findStartedRun(client, window(), '', { settleMs: 0 });
  while (pick.kind === 'none' && Date.now() < deadline) {
    options.onTick?.();
    await sleep(250, undefined, options.signal ? { signal: options.signal } : undefined);
    pick = await findStartedRun(client, window(), '', { settleMs: 0 });
  }
  // Seen once: let visibility settle, so a second run started at the same instant is not missed.
  if (pick.kind !== 'none') pick = await findStartedRun(client, window(), '', { settleMs: 2000 });
  if (pick.kind === 'one') return { workflowId: pick.run.workflowId, runId: pick.run.runId };
  const since = new Date(worker.startedAtMs).toISOString();
  if (pick.kind === 'none')
    throw new StarterFailedError(
      worker.command,
      'no-workflow-id',
      null,
      '',
      `start.byWorker: the worker "${worker.command}" started no workflow on task queue "${worker.taskQueue}" within ${Math.round(options.timeoutMs / 1000)} s of its start (${since})`,
    );
  const ids = pick.candidates.map((run) => run.workflowId);
  throw new StarterFailedError(
    worker.command,
    'ambiguous',
    null,
    '',
    `start.byWorker: ${ids.length} workflows started on task queue "${worker.taskQueue}" since the worker "${worker.command}" started (${since}): ${ids.join(', ')}; start one of them by workflowType instead`,
    ids,
  );
}
