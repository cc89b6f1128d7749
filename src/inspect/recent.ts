// Workflows started or closed in the last N minutes, with their status and, for COMPLETED ones,
// the decoded result checked against the "reads like an error" rule.
import type { RunHeader } from '../contract/facts.js';
import type { ResultCheck } from '../diagnosis/result-check.js';
import type { ResultRule } from '../contract/result-rule.js';
import { excludeOpsClause, isOpsWorkflow } from '../contract/ops-workflows.js';
import { DEFAULTS } from '../defaults.js';
import type { WorkflowReadClient } from '../temporal/lite/read-client.js';
import { executionSummary, type ExecutionSummary } from './describe-facts.js';
import { formatFailureChain } from './failure.js';
import { listExecutions } from './list-executions.js';
import { mapLimit } from './pool.js';
import { outcomeOfRun } from './result.js';

export interface RecentRow extends RunHeader {
  result?: unknown;
  resultCheck?: ResultCheck;
  /** Closed but not COMPLETED: the failure chain or terminate reason on one line. */
  problem?: string;
}

export interface RecentOptions {
  minutes: number;
  /** Epoch ms the window ends at (default: now). */
  now?: number;
  query?: string;
  opsTaskQueue: string;
  rule?: Partial<ResultRule>;
  /** At most this many workflows (newest first, as visibility lists them). */
  limit?: number;
  concurrency?: number;
}

/** Visibility query: started or closed since `minutes` ago, ops workflows left out. */
export function recentQuery(
  options: Pick<RecentOptions, 'minutes' | 'now' | 'query' | 'opsTaskQueue'>,
): string {
  const since = new Date((options.now ?? Date.now()) - options.minutes * 60_000).toISOString();
  const parts = [`(StartTime >= "${since}" OR CloseTime >= "${since}")`];
  if (options.query?.trim()) parts.push(`(${options.query.trim()})`);
  parts.push(excludeOpsClause(options.opsTaskQueue));
  return parts.join(' AND ');
}

async function row(
  client: WorkflowReadClient,
  run: ExecutionSummary,
  rule?: Partial<ResultRule>,
): Promise<RecentRow> {
  const outcome = await outcomeOfRun(client, run, rule).catch(
    () => ({}) as Awaited<ReturnType<typeof outcomeOfRun>>,
  );
  const r: RecentRow = {
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: run.workflowType,
    taskQueue: run.taskQueue,
    status: run.status,
    startTimeMs: run.startTimeMs,
  };
  if (run.closeTimeMs !== undefined) r.closeTimeMs = run.closeTimeMs;
  if (outcome.resultCheck) {
    r.result = outcome.result;
    r.resultCheck = outcome.resultCheck;
  }
  const close = outcome.close;
  if (close?.failure?.length) r.problem = formatFailureChain(close.failure);
  else if (close?.status === 'TERMINATED') r.problem = `terminated${close.reason ? `: ${close.reason}` : ''}`;
  else if (close?.status === 'TIMED_OUT') r.problem = `timed out (${close.retryState ?? 'no retry'})`;
  return r;
}

/** Lists recent target workflows (bounded by `limit`) and checks each closed one's outcome. */
export async function listRecent(
  client: WorkflowReadClient,
  options: RecentOptions,
): Promise<{ rows: RecentRow[]; truncated: boolean }> {
  const limit = options.limit ?? DEFAULTS.recentListRows;
  const runs: ExecutionSummary[] = [];
  let truncated = false;
  for await (const info of listExecutions(client, recentQuery(options), Math.min(limit + 1, 1000))) {
    const run = executionSummary(info);
    if (isOpsWorkflow(run.workflowType, run.taskQueue, options.opsTaskQueue)) continue;
    if (runs.length === limit) {
      truncated = true;
      break;
    }
    runs.push(run);
  }
  const rows = await mapLimit(runs, options.concurrency ?? 16, (run) => row(client, run, options.rule));
  return { rows, truncated };
}
