// `temporal-ops project add|list|remove`: the projects registered on this host. Against a server
// that is not on loopback, recipes run only registered projects, with their registered commands.
import { resolve } from 'node:path';
import { ExitError, InvalidInputError } from '../../errors.js';
import { addProject, listProjects, removeProject, type ProjectEntry } from '../../host/projects/registry.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface ProjectAddOptions {
  projectDir: string;
  project?: string;
  workerCommand?: string;
  starterCommand?: string;
  taskQueue?: string;
  allowShell: boolean;
  envAllow?: string[];
  passEnv?: string[];
  allowSharedDir?: boolean;
}

function commandParts(commands: { workerCommand?: string; starterCommand?: string }): string[] {
  return [
    commands.workerCommand ? `worker "${commands.workerCommand}"` : '',
    commands.starterCommand ? `starter "${commands.starterCommand}"` : '',
  ];
}

/** The project on one line, then one indented line per registered worker. */
function line(entry: ProjectEntry): string {
  const parts = [
    entry.key.padEnd(20),
    entry.projectDir,
    ...commandParts(entry),
    entry.envAllow ? `env-allow ${entry.envAllow.join(',')}` : '',
    entry.passEnv ? `pass-env ${entry.passEnv.join(',')}` : '',
    entry.allowSharedDir ? 'shared dir allowed' : '',
    entry.source === 'registered' ? 'registered' : 'seen (not registered)',
  ];
  const workers = (entry.workers ?? []).map((w) =>
    ['  queue', w.taskQueue, ...commandParts(w)].filter(Boolean).join('  '),
  );
  return [parts.filter(Boolean).join('  '), ...workers].join('\n');
}

/** Input problems (a bad directory, a colliding key) exit 2 naming the field. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ExitError(error.message, ExitCode.usage);
    throw error;
  }
}

/** Registers a directory (its real path) with its commands; re-adding replaces the registration. */
export async function projectAdd(options: ProjectAddOptions, ctx: CommandContext): Promise<number> {
  const entry = await asUsage(() =>
    addProject(ctx.settings.stateDir, { ...options, projectDir: resolve(ctx.cwd, options.projectDir) }),
  );
  ctx.out.result(entry, (e) => `registered ${line(e)}`);
  return ExitCode.ok;
}

/** Lists the projects this host knows: registered ones and ones a recipe has run. */
export async function projectList(_options: object, ctx: CommandContext): Promise<number> {
  const entries = await listProjects(ctx.settings.stateDir);
  ctx.out.result(entries, (list) => (list.length ? list.map(line).join('\n') : 'no projects on this host'));
  return ExitCode.ok;
}

/**
 * Removes a project by key or directory, or with `taskQueue` only that queue's worker; exit 7 when
 * there is none, 2 while its worker runs.
 */
export async function projectRemove(
  options: { keyOrDir: string; taskQueue?: string },
  ctx: CommandContext,
): Promise<number> {
  const { taskQueue } = options;
  const target = options.keyOrDir.includes('/') ? resolve(ctx.cwd, options.keyOrDir) : options.keyOrDir;
  const removed = await asUsage(() => removeProject(ctx.settings.stateDir, target, taskQueue));
  if (!removed)
    throw new ExitError(
      taskQueue === undefined
        ? `project ${JSON.stringify(options.keyOrDir)} is not known on this host`
        : `project ${JSON.stringify(options.keyOrDir)} has no worker registered for task queue ${JSON.stringify(taskQueue)}`,
      ExitCode.notFound,
    );
  ctx.out.result(removed, (e) =>
    taskQueue === undefined
      ? `removed ${e.key} (${e.projectDir})`
      : `removed the worker of task queue ${JSON.stringify(taskQueue)} from ${line(e)}`,
  );
  return ExitCode.ok;
}
