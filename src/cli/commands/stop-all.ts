// `temporal-ops worker stop-all [--include-server]`: stop every process we own, proven by identity.
import type { Settings } from '../../config.js';
import { readPidRecords } from '../../host/records/pid-file.js';
import type { StopOutcome } from '../../host/workers/stop.js';
import { stopProjectWorkers } from '../../host/workers/workers.js';
import { stopDevServers } from '../../host/server/dev-server.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { printStopOutcomes } from './worker-stop.js';

export type StopAllOutcome = StopOutcome & { kind: 'worker' | 'server'; project: string };

/**
 * Stops all recorded workers, each project under its lock (and dev servers we started, when
 * asked); never a process not proven ours.
 */
export async function stopAll(settings: Settings, includeServer: boolean): Promise<StopAllOutcome[]> {
  const projects = [
    ...new Set((await readPidRecords(settings.stateDir, { kind: 'worker' })).map((r) => r.project)),
  ];
  const perProject = await Promise.all(
    projects.map(async (project) =>
      (await stopProjectWorkers(settings.stateDir, project, settings.graceMs)).map((o) => ({
        ...o,
        kind: 'worker' as const,
        project,
      })),
    ),
  );
  const outcomes: StopAllOutcome[] = perProject.flat();
  if (includeServer) {
    const servers = await stopDevServers(settings.stateDir, settings.graceMs);
    outcomes.push(...servers.map((o) => ({ ...o, kind: 'server' as const, project: 'dev server' })));
  }
  return outcomes;
}

export interface StopAllOptions {
  /** Also stop the dev servers we started. */
  includeServer?: boolean;
}

/** The command: prints one line per process (or JSON) and exits 0. */
export async function workerStopAll(options: StopAllOptions, ctx: CommandContext): Promise<number> {
  printStopOutcomes(await stopAll(ctx.settings, options.includeServer === true), ctx.out);
  return ExitCode.ok;
}
