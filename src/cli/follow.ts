// Following a recipe live: poll its `progress` query and print each step as it changes; show a
// plan waiting for approval once, with the command that approves it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { Progress, StepReport } from '../../workflows/lib/checklist.js';

function line(step: StepReport): string {
  const mark = { pending: ' ', running: '…', ok: '✔', failed: '✖', skipped: '-', canceled: '⊘' }[
    step.outcome
  ];
  const time = step.durationMs !== undefined ? ` (${(step.durationMs / 1000).toFixed(1)} s)` : '';
  return `  ${mark} ${step.title}${step.outcome === 'running' ? '' : time}${step.detail ? ` — ${step.detail}` : ''}`;
}

/** The plan the recipe waits on now; null when none (or the recipe has no approval handlers yet). */
function pendingPlan(handle: WorkflowHandle): Promise<PendingApproval | null> {
  return handle.query<PendingApproval | null>('pendingApproval').catch(() => null);
}

/** A run's result once closed, noting the instant it closed (the promise never rejects unhandled). */
function watchClose(handle: WorkflowHandle) {
  const state = { closed: false, result: handle.result() };
  state.result = state.result.finally(() => {
    state.closed = true;
  });
  state.result.catch(() => undefined);
  return state;
}

/**
 * Prints step changes (and, through `onPlan`, each new plan that waits for approval) until the
 * workflow closes; returns its result (throws its failure).
 */
export async function followRecipe<T>(
  handle: WorkflowHandle,
  print: (line: string) => void,
  onPlan?: (pending: PendingApproval) => void,
): Promise<T> {
  const seen = new Map<string, string>();
  const plans = new Set<string>();
  const run = watchClose(handle);
  while (!run.closed) {
    try {
      const progress = await handle.query<Progress>('progress');
      for (const step of progress.steps) {
        const text = line(step);
        if (step.outcome !== 'pending' && seen.get(step.name) !== text) {
          seen.set(step.name, text);
          print(text);
        }
      }
    } catch {
      // No worker answered the query yet, or the run just closed: try again.
    }
    const pending = onPlan ? await pendingPlan(handle) : null;
    if (pending && !plans.has(pending.planId)) {
      plans.add(pending.planId);
      onPlan?.(pending);
    }
    await Promise.race([sleep(300), run.result.catch(() => undefined)]);
  }
  const value = (await run.result) as T;
  // The loop may end before it saw the last steps: the report carries them all.
  const steps = (value as { steps?: StepReport[] } | undefined)?.steps ?? [];
  for (const step of steps)
    if (step.outcome !== 'pending' && seen.get(step.name) !== line(step)) print(line(step));
  return value;
}

/** Waits quietly until the recipe closes (its result; throws its failure) or a plan waits for approval. */
export async function untilPlanOrClose<T>(
  handle: WorkflowHandle,
): Promise<{ pending: PendingApproval } | { report: T }> {
  const run = watchClose(handle);
  while (!run.closed) {
    const pending = await pendingPlan(handle);
    if (pending) return { pending };
    await Promise.race([sleep(300), run.result.catch(() => undefined)]);
  }
  return { report: (await run.result) as T };
}
