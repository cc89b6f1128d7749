// The steps of a recipe as a live markdown checklist (current details in the Web UI), a
// `progress` query for the CLI, and a per-step record for the final report.
import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  isCancellation,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';

/**
 * `pending` not started; `running` now; `ok` done; `failed` ended the recipe; `skipped` not
 * needed; `canceled` cut short because the recipe was cancelled.
 */
export type StepOutcome = 'pending' | 'running' | 'ok' | 'failed' | 'skipped' | 'canceled';

export interface StepReport {
  name: string;
  title: string;
  outcome: StepOutcome;
  durationMs?: number;
  detail?: string;
}

export interface Progress {
  recipe: string;
  steps: StepReport[];
  done: boolean;
}

const progressQuery = defineQuery<Progress>('progress');

/**
 * A list item per outcome, with the marks the Web UI can show: its markdown has no task lists, so
 * `[x]` would print as it is.
 */
const ITEM: Record<StepOutcome, (title: string) => string> = {
  pending: (t) => `- ○ ${t}`,
  running: (t) => `- … **${t}** (running)`,
  ok: (t) => `- ✔ ${t}`,
  failed: (t) => `- ✖ ${t} — **failed**`,
  skipped: (t) => `- ⊘ ~~${t}~~ (skipped)`,
  canceled: (t) => `- ⊘ ~~${t}~~ (canceled)`,
};

/** The innermost message of a failure chain (an activity failure's cause carries the real message). */
export function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return failureMessage(error.cause);
  return error instanceof Error ? error.message : String(error);
}

/** The first details entry of the ApplicationFailure at the root of a failure chain, if any. */
export function failureDetails<T>(error: unknown): T | undefined {
  if (error instanceof ActivityFailure && error.cause) return failureDetails<T>(error.cause);
  return error instanceof ApplicationFailure ? (error.details?.[0] as T | undefined) : undefined;
}

/** The ApplicationFailure type at the root of a failure chain, if any. */
export function failureType(error: unknown): string | undefined {
  if (error instanceof ActivityFailure && error.cause) return failureType(error.cause);
  return error instanceof ApplicationFailure ? (error.type ?? undefined) : undefined;
}

export class Checklist {
  readonly steps: StepReport[];
  private done = false;
  private canceled = false;
  private note = '';
  private waiting = '';

  constructor(
    private readonly recipe: string,
    steps: [name: string, title: string][],
  ) {
    this.steps = steps.map(([name, title]) => ({ name, title, outcome: 'pending' }));
    setHandler(progressQuery, () => ({ recipe: this.recipe, steps: this.steps, done: this.done }));
    this.publish();
  }

  private step(name: string): StepReport {
    const step = this.steps.find((s) => s.name === name);
    if (!step) throw new Error(`unknown step ${name}`); // a programming error: fail the task loudly
    return step;
  }

  /** Runs one step; records outcome, duration and a one-line detail. Failures are rethrown. */
  async run<T>(name: string, fn: () => Promise<T>, detailOf?: (value: T) => string | undefined): Promise<T> {
    const step = this.step(name);
    const started = Date.now();
    step.outcome = 'running';
    this.publish();
    try {
      const value = await fn();
      step.outcome = 'ok';
      step.detail = detailOf?.(value);
      return value;
    } catch (error) {
      step.outcome = isCancellation(error) ? 'canceled' : 'failed';
      step.detail = isCancellation(error) ? 'recipe cancelled' : failureMessage(error).split('\n')[0];
      throw error;
    } finally {
      step.durationMs = Date.now() - started;
      this.publish();
    }
  }

  /** Marks a step as done without running anything (e.g. decided by an earlier step). */
  mark(name: string, outcome: StepOutcome, detail?: string): void {
    Object.assign(this.step(name), { outcome, detail, durationMs: 0 });
    this.publish();
  }

  /** Marks the steps that never ran as skipped (or canceled), and the recipe as done. */
  finish(canceled = false): void {
    for (const step of this.steps)
      if (step.outcome === 'pending') step.outcome = canceled ? 'canceled' : 'skipped';
    this.done = true;
    this.canceled = canceled;
    this.publish();
  }

  /**
   * Markdown shown under the steps (e.g. what an approval would let the recipe do), and what the
   * recipe waits for, shown first in place of the current step; '' clears both.
   */
  setNote(markdown: string, waiting = ''): void {
    this.note = markdown;
    this.waiting = markdown ? waiting : '';
    this.publish();
  }

  get failedStep(): StepReport | undefined {
    return this.steps.find((s) => s.outcome === 'failed');
  }

  /** One line: where the recipe stands (the running step, what it waits for, or how it ended). */
  status(): string {
    const failed = this.failedStep;
    const at = (step: StepReport) =>
      `step ${this.steps.indexOf(step) + 1} of ${this.steps.length}: ${step.title}`;
    if (this.done)
      return failed ? `**Failed** at ${at(failed)}` : this.canceled ? '**Cancelled**' : '**Finished**';
    const running = this.steps.find((s) => s.outcome === 'running');
    const current = running ?? this.steps.find((s) => s.outcome === 'pending');
    const now = current ? `**Now:** ${at(current)}` : '**Now:** finishing';
    return this.waiting ? `**${this.waiting}** (${now.replace('**Now:** ', '')})` : now;
  }

  render(): string {
    const lines = this.steps.map((s) => {
      const detail = s.detail ? ` — ${s.detail}` : '';
      const time =
        s.durationMs !== undefined && s.outcome !== 'pending'
          ? ` (${(s.durationMs / 1000).toFixed(1)} s)`
          : '';
      return `${ITEM[s.outcome](s.title)}${time}${detail}`;
    });
    return [
      `### ${this.recipe}`,
      '',
      this.status(),
      '',
      ...lines,
      ...(this.note ? ['', this.note] : []),
    ].join('\n');
  }

  private publish(): void {
    setCurrentDetails(this.render());
  }
}
