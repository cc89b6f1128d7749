// Selecting and clearing target workflows for ClearStalledEnvironment. Clearing is a bounded loop with
// one result each, simpler to verify than a server batch job (which runs one at a time per namespace).
// Retrying is safe: a closed workflow counts as already closed.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Settings } from '../src/config.js';
import { executionSummary, searchAttributeStrings } from '../src/inspect/describe-facts.js';
import { isNotFound } from '../src/temporal/grpc.js';
import { listExecutions } from '../src/inspect/list-executions.js';
import { mapBounded, mapLimit } from '../src/inspect/pool.js';
import { sweepQuery } from '../src/inspect/sweep.js';
import type { ClearAction, PlannedClear, SelectedWorkflow } from '../src/diagnosis/clear-plan.js';
import { literalPrefix, matchesIdPattern } from '../src/contract/id-glob.js';
import { isOpsWorkflow, isRecipeType } from '../src/contract/ops-workflows.js';
import { OpsRecipe } from '../src/contract/search-attributes.js';
import { rejectedQuery } from './inspect-activities.js';

export interface ClearResult {
  workflowId: string;
  runId: string;
  action: ClearAction;
  /**
   * `terminated`; `cancelled` (closed after the cancel request, `status` says how); `cancel-requested`
   * (still running when the wait ended: the workflow's code decides when it ends, and a workflow
   * whose tasks keep failing never does); `already-closed` (closed before we got to it); `refused`
   * (an ops workflow); `failed` (with `error`).
   */
  result: 'terminated' | 'cancelled' | 'cancel-requested' | 'already-closed' | 'refused' | 'failed';
  /** After a cancel request: the status last seen (CANCELLED, COMPLETED, ..., or RUNNING). */
  status?: string;
  error?: string;
}

export interface ClearTargetsInput {
  actions: PlannedClear[];
  reason: string;
  /** After the cancel requests, how long to watch the cancelled workflows close (default 0). */
  cancelWaitSeconds?: number;
}

const settlePollMs = 250;

export interface SelectInput {
  query?: string;
  pattern?: string;
  taskQueue?: string;
  /** Keep at most this many target workflows; `matched` still counts them all. */
  limit: number;
}

/** What a bulk selection found: the target workflows (up to the limit) and the ops workflows it skipped. */
export interface Selection {
  /** The visibility query listed (the pattern's glob is matched on top of it). */
  query: string;
  /** Running target workflows that match, all of them (not only those kept). */
  matched: number;
  /** Up to `limit` targets, then ops workflows that matched (at most 50, marked by `opsRecipe`). */
  selected: SelectedWorkflow[];
}

const opsShown = 50;

/** Builds the activities that select target workflows and carry out an approved clear plan. */
export function createClearActivities({ client, settings }: { client: Client; settings: Settings }) {
  return {
    /** Lists the running workflows of a query and/or workflow-ID pattern; ops workflows are set apart. */
    async selectRunning(input: SelectInput): Promise<Selection> {
      const ctx = Context.current();
      const opsTaskQueue = settings.opsTaskQueue;
      const prefix = input.pattern === undefined ? '' : literalPrefix(input.pattern);
      // The ops exclusion in the query is belt; the check of each listed run below is braces.
      const base = sweepQuery({ query: input.query, taskQueue: input.taskQueue, opsTaskQueue });
      const query = prefix ? `${base} AND WorkflowId STARTS_WITH ${JSON.stringify(prefix)}` : base;
      const targets: SelectedWorkflow[] = [];
      const ops: SelectedWorkflow[] = [];
      let matched = 0;
      let listed = 0;
      try {
        for await (const info of listExecutions(client, query)) {
          if (++listed % 500 === 0) ctx.heartbeat({ listed });
          const run = executionSummary(info);
          if (input.pattern !== undefined && !matchesIdPattern(input.pattern, run.workflowId)) continue;
          const { workflowId, runId, workflowType, taskQueue } = run;
          const recipe = searchAttributeStrings(info.searchAttributes, OpsRecipe.name)[0];
          if (recipe !== undefined || isOpsWorkflow(workflowType, taskQueue, opsTaskQueue)) {
            const opsRecipe = recipe ?? (isRecipeType(workflowType) ? workflowType : taskQueue);
            if (ops.length < opsShown) ops.push({ workflowId, runId, workflowType, taskQueue, opsRecipe });
            continue;
          }
          matched += 1;
          if (targets.length < input.limit) targets.push({ workflowId, runId, workflowType, taskQueue });
        }
      } catch (error) {
        throw rejectedQuery(input.query, error);
      }
      return { query, matched, selected: [...targets, ...ops] };
    },

    /** Terminates or cancels each planned workflow (at most 8 at a time); never an ops workflow. */
    async clearTargets(input: ClearTargetsInput): Promise<ClearResult[]> {
      const ctx = Context.current();
      const results: ClearResult[] = [];
      const act = async (a: PlannedClear): Promise<ClearResult> => {
        const base = { workflowId: a.workflowId, runId: a.runId, action: a.action };
        if (isRecipeType(a.workflowType))
          return { ...base, result: 'refused', error: 'an ops workflow is never cleared' };
        const handle = client.workflow.getHandle(a.workflowId, a.runId);
        try {
          if (a.action === 'terminate') {
            await handle.terminate(a.verdict ? `${input.reason} (${a.verdict})` : input.reason);
            return { ...base, result: 'terminated' };
          }
          await handle.cancel();
          return { ...base, result: 'cancel-requested' };
        } catch (error) {
          // Terminating or cancelling a closed run answers NOT_FOUND (`WorkflowNotFoundError`).
          if (isNotFound(error)) return { ...base, result: 'already-closed' };
          return { ...base, result: 'failed', error: (error as Error).message };
        }
      };
      for await (const result of mapBounded(input.actions, 8, act)) {
        results.push(result);
        ctx.heartbeat(results.length);
      }
      await settleCancels(client, results, (input.cancelWaitSeconds ?? 0) * 1000, ctx);
      return results;
    },
  };
}

/**
 * Watches the cancel-requested workflows until each has closed or `waitMs` ran out, and marks the
 * closed ones `cancelled` with their status: a cancel only asks, so its result is what followed.
 */
async function settleCancels(client: Client, results: ClearResult[], waitMs: number, ctx: Context) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const open = results.filter((r) => r.result === 'cancel-requested');
    if (open.length === 0) return;
    await mapLimit(open, 8, async (r) => {
      try {
        r.status = (await client.workflow.getHandle(r.workflowId, r.runId).describe()).status.name;
        if (r.status !== 'RUNNING') r.result = 'cancelled';
      } catch (error) {
        if (!isNotFound(error)) throw error;
        r.result = 'cancelled';
      }
    });
    ctx.heartbeat(results.length);
    if (Date.now() >= deadline || ctx.cancellationSignal.aborted) return;
    await ctx.sleep(settlePollMs);
  }
}
