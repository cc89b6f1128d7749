// Which workflow a starter started when it printed no ID: the runs on its task queue that visibility
// shows started within the starter's lifetime, ops workflows and child workflows left out.
import { setTimeout as sleep } from 'node:timers/promises';
import { excludeOpsClause, isOpsWorkflow } from '../contract/ops-workflows.js';
import type { WorkflowReadClient } from '../temporal/lite/read-client.js';
import { timestampMs } from './convert.js';
import { listExecutions } from './list-executions.js';

/** Where and when a starter ran (epoch ms on this host's clock). */
export interface StarterWindow {
  taskQueue: string;
  opsTaskQueue: string;
  startedAtMs: number;
  endedAtMs: number;
}

/** A top-level run that visibility lists within the window. */
export interface StartedRun {
  workflowId: string;
  runId: string;
  workflowType: string;
  startTimeMs: number;
}

/**
 * `one`: the starter's workflow; `none`: visibility shows nothing it started; `several`: more
 * than one workflow, and the output names none (or more than one) of them.
 */
export type StartedPick =
  { kind: 'one'; run: StartedRun } | { kind: 'none' } | { kind: 'several'; candidates: StartedRun[] };

/** The visibility query for runs on the starter's queue that started while it ran. */
export function startedRunsQuery(window: StarterWindow): string {
  const from = new Date(window.startedAtMs).toISOString();
  const to = new Date(window.endedAtMs).toISOString();
  return [
    `TaskQueue = ${JSON.stringify(window.taskQueue)}`,
    `StartTime >= "${from}"`,
    `StartTime <= "${to}"`,
    excludeOpsClause(window.opsTaskQueue),
  ].join(' AND ');
}

const ID_CHAR = /[A-Za-z0-9._:/@+-]/;

/** True when `output` names `id` as a whole word (`order-1` is not named by `order-12`). */
function mentions(output: string, id: string): boolean {
  for (let at = output.indexOf(id); at !== -1; at = output.indexOf(id, at + 1)) {
    const before = output[at - 1];
    const after = output[at + id.length];
    if (!(before && ID_CHAR.test(before)) && !(after && ID_CHAR.test(after))) return true;
  }
  return false;
}

/**
 * Picks the starter's workflow from the runs of its window: one workflow ID (its earliest run, so a
 * continue-as-new chain counts once), or, among several, the only one whose ID the output mentions.
 */
export function pickStartedRun(runs: readonly StartedRun[], output: string): StartedPick {
  const byId = new Map<string, StartedRun>();
  for (const run of [...runs].sort((a, b) => a.startTimeMs - b.startTimeMs))
    if (!byId.has(run.workflowId)) byId.set(run.workflowId, run);
  const workflows = [...byId.values()];
  if (workflows.length === 0) return { kind: 'none' };
  if (workflows.length === 1) return { kind: 'one', run: workflows[0]! };
  const mentioned = workflows.filter((run) => mentions(output, run.workflowId));
  if (mentioned.length === 1) return { kind: 'one', run: mentioned[0]! };
  return { kind: 'several', candidates: workflows };
}

async function listWindow(client: WorkflowReadClient, window: StarterWindow): Promise<StartedRun[]> {
  const runs: StartedRun[] = [];
  for await (const info of listExecutions(client, startedRunsQuery(window), 100)) {
    const workflowType = info.type?.name ?? '';
    const taskQueue = info.taskQueue ?? '';
    // Children of the starter's workflow share its queue and window; they are not what it started.
    if (info.parentExecution?.workflowId) continue;
    if (isOpsWorkflow(workflowType, taskQueue, window.opsTaskQueue)) continue;
    runs.push({
      workflowId: info.execution?.workflowId ?? '',
      runId: info.execution?.runId ?? '',
      workflowType,
      startTimeMs: timestampMs(info.startTime) ?? 0,
    });
  }
  return runs;
}

const sameRuns = (a: readonly StartedRun[], b: readonly StartedRun[]) =>
  a.length === b.length && a.every((run, i) => run.runId === b[i]?.runId);

/**
 * Lists the window until visibility (eventually consistent) shows the same non-empty set twice in
 * a row, or `settleMs` pass, and picks the starter's workflow from the last list.
 */
export async function findStartedRun(
  client: WorkflowReadClient,
  window: StarterWindow,
  output: string,
  options: { settleMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<StartedPick> {
  const deadline = Date.now() + (options.settleMs ?? 5000);
  const byStart = (runs: StartedRun[]) =>
    runs.sort((a, b) => a.startTimeMs - b.startTimeMs || a.runId.localeCompare(b.runId));
  let last = byStart(await listWindow(client, window));
  while (Date.now() < deadline) {
    await sleep(
      options.intervalMs ?? 250,
      undefined,
      options.signal ? { signal: options.signal } : undefined,
    );
    const next = byStart(await listWindow(client, window));
    const settled = next.length > 0 && sameRuns(next, last);
    last = next;
    if (settled) break;
  }
  return pickStartedRun(last, output);
}
