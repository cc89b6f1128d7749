// Following a recipe live: poll its `progress` query and print each step as it changes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { Progress, StepReport } from '../../workflows/lib/checklist.js';

function line(step: StepReport): string {
  const mark = { pending: ' ', running: '…', ok: '✔', failed: '✖', skipped: '-', canceled: '⊘' }[
    step.outcome
  ];
  const time = step.durationMs !== undefined ? ` (${(step.durationMs / 1000).toFixed(1)} s)` : '';
  return `  ${mark} ${step.title}${step.outcome === 'running' ? '' : time}${step.detail ? ` — ${step.detail}` : ''}`;
}

/** Prints step changes until the workflow closes; returns its result (throws its failure). */
export async function followRecipe<T>(handle: WorkflowHandle, print: (line: string) => void): Promise<T> {
  const seen = new Map<string, string>();
  let closed = false;
  const result = handle.result().finally(() => {
    closed = true;
  });
  result.catch(() => undefined);
  while (!closed) {
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
    await Promise.race([sleep(300), result.catch(() => undefined)]);
  }
  const value = (await result) as T;
  // The loop may end before it saw the last steps: the report carries them all.
  const steps = (value as { steps?: StepReport[] } | undefined)?.steps ?? [];
  for (const step of steps)
    if (step.outcome !== 'pending' && seen.get(step.name) !== line(step)) print(line(step));
  return value;
}
