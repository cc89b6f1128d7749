// Terminating or cancelling planned target workflows: a bounded loop with one result each,
// simpler to verify than a server batch job. Retrying is safe: a closed workflow counts as done.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { isNotFound } from '../src/inspect/grpc.js';
import { mapBounded } from '../src/inspect/pool.js';
import type { ClearAction, PlannedClear } from '../src/recipes/clear-plan.js';
import { isRecipeType } from '../src/recipes/ops-workflows.js';

export interface ClearResult {
  workflowId: string;
  runId: string;
  action: ClearAction;
  /** `done`; `already-closed` (closed before we got to it); `refused` (an ops workflow); `failed`. */
  result: 'done' | 'already-closed' | 'refused' | 'failed';
  error?: string;
}

/** Terminating or cancelling a closed run answers NOT_FOUND (`WorkflowNotFoundError` in the client). */
function alreadyClosed(error: unknown): boolean {
  return isNotFound(error);
}

/** Builds the activity that carries out an approved clear plan. */
export function createClearActivities({ client }: { client: Client }) {
  return {
    /** Terminates or cancels each planned workflow (at most 8 at a time); never an ops workflow. */
    async clearTargets(input: { actions: PlannedClear[]; reason: string }): Promise<ClearResult[]> {
      const ctx = Context.current();
      const results: ClearResult[] = [];
      const act = async (a: PlannedClear): Promise<ClearResult> => {
        const base = { workflowId: a.workflowId, runId: a.runId, action: a.action };
        if (isRecipeType(a.workflowType))
          return { ...base, result: 'refused', error: 'an ops workflow is never cleared' };
        const handle = client.workflow.getHandle(a.workflowId, a.runId);
        try {
          if (a.action === 'terminate') await handle.terminate(`${input.reason} (${a.verdict})`);
          else await handle.cancel();
          return { ...base, result: 'done' };
        } catch (error) {
          if (alreadyClosed(error)) return { ...base, result: 'already-closed' };
          return { ...base, result: 'failed', error: (error as Error).message };
        }
      };
      for await (const result of mapBounded(input.actions, 8, act)) {
        results.push(result);
        ctx.heartbeat(results.length);
      }
      return results;
    },
  };
}

export type ClearActivities = ReturnType<typeof createClearActivities>;
