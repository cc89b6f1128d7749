// `temporal-ops worker stop`: stop one project's workers, proven ours; anything else is left alone.
import type { StopOutcome } from '../../host/workers/stop.js';
import { stopProjectWorkers } from '../../host/workers/workers.js';
import type { CommandContext } from '../context.js';
import { ExitCode, type Output } from '../output.js';

export interface StopOptions {
  project: string;
  /** SIGTERM to SIGKILL; default from settings. */
  graceMs?: number;
  /** Only the worker of this task queue. */
  taskQueue?: string;
}

/** One line per outcome; a process left alone is a warning (stderr), never an error. */
export function printStopOutcomes(outcomes: (StopOutcome & { project?: string })[], out: Output): void {
  if (!out.json)
    for (const o of outcomes)
      if (o.result === 'left-alone')
        out.info(`warning: ${who(o)} is not proven ours (${o.detail}); left alone, never signalled`);
  out.result(outcomes, (all) => {
    if (all.length === 0) return 'no worker recorded';
    return all
      .filter((o) => o.result !== 'left-alone')
      .map((o) => `${who(o)}: ${o.result} (${o.detail})`)
      .join('\n');
  });
}

const who = (o: { pid: number; project?: string }) =>
  o.project ? `${o.project} pid ${o.pid}` : `pid ${o.pid}`;

/** Stops the project's workers (SIGTERM to each group, grace, SIGKILL, verified gone). */
export async function workerStop(options: StopOptions, ctx: CommandContext): Promise<number> {
  const { settings } = ctx;
  const outcomes = await stopProjectWorkers(
    settings.stateDir,
    options.project,
    options.graceMs ?? settings.graceMs,
    options.taskQueue === undefined ? {} : { taskQueue: options.taskQueue },
  );
  printStopOutcomes(
    outcomes.map((o) => ({ project: options.project, ...o })),
    ctx.out,
  );
  return ExitCode.ok;
}
