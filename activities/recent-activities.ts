// CheckRecentResults' one activity: the target workflows that closed in the window, each with its
// result judged. Cluster-only (Temporal calls); the listing and result reading are src/inspect's.
import type { Client } from '@temporalio/client';
import type { Settings } from '../src/config.js';
import { judgeClosedRun } from '../src/diagnosis/closed-check.js';
import type { WorkflowStatusName } from '../src/contract/facts.js';
import type { ResultRule } from '../src/contract/result-rule.js';
import { listRecent } from '../src/inspect/recent.js';

export interface CheckedRun {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: WorkflowStatusName;
  closeTimeMs?: number;
  resultOk: boolean;
  reason: string;
  result?: unknown;
}

export interface ClosedTargetsInput {
  minutes: number;
  /** The window's end (epoch ms), decided by the workflow so a retry checks the same window. */
  nowMs: number;
  taskQueue?: string;
  query?: string;
  workflowTypes?: string[];
  resultRule?: Partial<ResultRule>;
  maxWorkflows: number;
}

/** The visibility filter for closed runs of the window, queue and types (the time clause is recent.ts's). */
function closedFilter(input: Pick<ClosedTargetsInput, 'taskQueue' | 'query' | 'workflowTypes'>): string {
  const parts = ['ExecutionStatus != "Running"'];
  if (input.taskQueue) parts.push(`TaskQueue = ${JSON.stringify(input.taskQueue)}`);
  if (input.workflowTypes?.length)
    parts.push(`WorkflowType IN (${input.workflowTypes.map((t) => JSON.stringify(t)).join(', ')})`);
  if (input.query?.trim()) parts.push(`(${input.query.trim()})`);
  return parts.join(' AND ');
}

/** Builds the activity that lists and checks recently closed target workflows. */
export function createRecentActivities({ client, settings }: { client: Client; settings: Settings }) {
  return {
    /** Closed target runs of the window, newest first, each with `resultOk` and the reason; ops workflows left out. */
    async checkClosedTargets(input: ClosedTargetsInput): Promise<{ runs: CheckedRun[]; truncated: boolean }> {
      const since = input.nowMs - input.minutes * 60_000;
      const { rows, truncated } = await listRecent(client, {
        minutes: input.minutes,
        now: input.nowMs,
        query: closedFilter(input),
        opsTaskQueue: settings.opsTaskQueue,
        rule: input.resultRule,
        limit: input.maxWorkflows,
      });
      const runs = rows
        // Started in the window but closed before it cannot happen; closed before `since` is out of scope.
        .filter((row) => row.status !== 'RUNNING' && (row.closeTimeMs ?? 0) >= since)
        .map((row): CheckedRun => {
          const judged = judgeClosedRun({
            status: row.status,
            resultCheck: row.resultCheck,
            problem: row.problem,
          });
          return {
            workflowId: row.workflowId,
            runId: row.runId,
            workflowType: row.workflowType,
            taskQueue: row.taskQueue,
            status: row.status,
            ...(row.closeTimeMs !== undefined && { closeTimeMs: row.closeTimeMs }),
            ...judged,
            ...(row.result !== undefined && { result: row.result }),
          };
        });
      return { runs, truncated };
    },
  };
}
