// Open histories of a task queue: one visibility listing (newest first, bounded), then each run's
// full history with bounded concurrency, in the binary proto form the Python Replayer parses.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { executionSummary } from '../../inspect/describe-facts.js';
import { mapLimit } from '../../inspect/pool.js';
import { listExecutions } from '../../inspect/sweep.js';
import type { HistoryRef } from './hook-output.js';

import { DEFAULTS } from '../../defaults.js';

export interface OpenRun extends HistoryRef {
  startTimeMs: number;
}

export interface OpenHistory extends OpenRun {
  /** The history as an encoded `temporal.api.history.v1.History`. */
  bytes: Uint8Array;
}

export interface OpenHistoriesOptions {
  taskQueue: string;
  /** At most this many runs, the newest (default 200). */
  max?: number;
  /** History fetches in flight (default 16). */
  concurrency?: number;
}

/** The RUNNING runs on the task queue, newest first and at most `max`; `truncated` when more exist. */
export async function listOpenRuns(
  client: Client,
  options: OpenHistoriesOptions,
): Promise<{ runs: OpenRun[]; truncated: boolean }> {
  const max = options.max ?? DEFAULTS.replayMax;
  const query = `ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(options.taskQueue)}`;
  const runs: OpenRun[] = [];
  let truncated = false;
  for await (const info of listExecutions(client, query, Math.min(max + 1, 1000))) {
    if (runs.length === max) {
      truncated = true;
      break;
    }
    const { workflowId, runId, workflowType, startTimeMs } = executionSummary(info);
    runs.push({ workflowId, runId, workflowType, startTimeMs });
  }
  runs.sort((a, b) => b.startTimeMs - a.startTimeMs);
  return { runs, truncated };
}

/** Fetches each run's history (`concurrency` in flight) and hands it to `onHistory` as it arrives. */
export async function fetchHistories(
  client: Client,
  runs: readonly OpenRun[],
  onHistory: (history: OpenHistory) => void,
  concurrency = 16,
): Promise<void> {
  await mapLimit(runs, concurrency, async (run) => {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    onHistory({ ...run, bytes: proto.temporal.api.history.v1.History.encode(history).finish() });
  });
}

/** The open runs of the task queue with their histories, newest first (see listOpenRuns). */
export async function openWorkflowHistories(
  client: Client,
  options: OpenHistoriesOptions,
): Promise<{ histories: OpenHistory[]; truncated: boolean }> {
  const { runs, truncated } = await listOpenRuns(client, options);
  const byRun = new Map<string, OpenHistory>();
  await fetchHistories(client, runs, (h) => byRun.set(h.runId, h), options.concurrency);
  return { histories: runs.map((run) => byRun.get(run.runId)!), truncated };
}
