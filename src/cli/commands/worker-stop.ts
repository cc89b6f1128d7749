// `temporal-ops worker stop`: stop one project's workers, proven ours; anything else is left alone.
import type { Settings } from '../../config.js';
import type { StopOutcome } from '../../processes/stop.js';
import { stopProjectWorkers } from '../../processes/workers.js';
import { ExitCode, info, printJson } from '../output.js';
import type { WorkerTarget } from '../worker-cli.js';

/** One line per outcome; a process left alone is a warning (stderr), never an error. */
export function printStopOutcomes(outcomes: (StopOutcome & { project?: string })[], json: boolean): void {
  if (json) return printJson(outcomes);
  if (outcomes.length === 0) process.stdout.write('no worker recorded\n');
  for (const o of outcomes) {
    const who = o.project ? `${o.project} pid ${o.pid}` : `pid ${o.pid}`;
    if (o.result === 'left-alone')
      info(`warning: ${who} is not proven ours (${o.detail}); left alone, never signalled`);
    else process.stdout.write(`${who}: ${o.result} (${o.detail})\n`);
  }
}

/** Stops the target project's workers (SIGTERM to each group, grace, SIGKILL, verified gone). */
export async function runStop(target: WorkerTarget, settings: Settings, json: boolean): Promise<number> {
  const outcomes = await stopProjectWorkers(
    settings.stateDir,
    target.project,
    target.graceMs ?? settings.graceMs,
  );
  printStopOutcomes(
    outcomes.map((o) => ({ project: target.project, ...o })),
    json,
  );
  return ExitCode.ok;
}
