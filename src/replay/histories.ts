// Open histories of a task queue: one visibility listing (newest first, bounded), then each run's
// full history with bounded concurrency, serialised as the JSON `WorkflowHistory.from_json` reads.
import type { Client } from '@temporalio/client';
import { executionSummary } from '../inspect/describe-facts.js';
import { mapLimit } from '../inspect/pool.js';
import { listExecutions } from '../inspect/sweep.js';
import type { HistoryRef } from './hook-output.js';
import { historyJson } from './history-json.js';

export const DEFAULT_REPLAY_MAX = 200;

export interface OpenHistory extends HistoryRef {
  startTimeMs: number;
  /** The history as proto3 JSON (`{"events": [...]}`). */
  json: string;
}

export interface OpenHistoriesOptions {
  taskQueue: string;
  /** At most this many runs, the newest (default 200). */
  max?: number;
  /** History fetches in flight (default 16). */
  concurrency?: number;
}

/** The RUNNING runs on the task queue, newest first and at most `max`; `truncated` when more exist. */
export async function openWorkflowHistories(
  client: Client,
  options: OpenHistoriesOptions,
): Promise<{ histories: OpenHistory[]; truncated: boolean }> {
  const max = options.max ?? DEFAULT_REPLAY_MAX;
  const query = `ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(options.taskQueue)}`;
  const runs: ReturnType<typeof executionSummary>[] = [];
  let truncated = false;
  for await (const info of listExecutions(client, query, Math.min(max + 1, 1000))) {
    if (runs.length === max) {
      truncated = true;
      break;
    }
    runs.push(executionSummary(info));
  }
  runs.sort((a, b) => b.startTimeMs - a.startTimeMs);
  const histories = await mapLimit(runs, options.concurrency ?? 16, async (run) => {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    return {
      workflowId: run.workflowId,
      runId: run.runId,
      workflowType: run.workflowType,
      startTimeMs: run.startTimeMs,
      json: historyJson(history),
    };
  });
  return { histories, truncated };
}
