// Checking a target project before touching processes: which project the directory is on this
// host, whether the local policy lets this request run it, and that its commands can run.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Settings } from '../../config.js';
import { InvalidInputError, PolicyRefusedError } from '../../errors.js';
import { DEFAULTS } from '../../defaults.js';
import { canonicalDir, chooseKey, claimProject, findByDir } from '../projects/identity.js';
import { loadPolicy } from '../projects/load-policy.js';
import {
  checkPolicy,
  type CommandOrigin,
  type CommandRequest,
  type Policy,
  type PolicyRequest,
} from '../projects/policy.js';
import {
  readRegistry,
  registeredCommands,
  workerFor,
  type ProjectEntry,
} from '../projects/registry-store.js';
import { assertRunnable } from './executable.js';
import { lastWorkerCommand } from '../records/last-command.js';
import { readPidRecords } from '../records/pid-file.js';

export interface PreparedProject {
  /** The project's key on this host: names its pid files, locks and logs. */
  project: string;
  /** The directory's real path: the project's identity on this host. */
  projectDir: string;
  workerCommand: string;
  /** The task queue asked for, else the queue of the project's only registered worker. */
  taskQueue?: string;
  /** Connection secrets its registration passes on to its processes (re-read on this host before each launch). */
  passEnv?: string[];
}

export interface ProjectInput {
  projectDir: string;
  workerCommand?: string;
  /** A label; the key stays the one this host already has for the directory. */
  project?: string;
  taskQueue?: string;
  /** A starter command to check as well. */
  starterCommand?: string;
  env?: Record<string, string>;
}

/** What prepareProject needs from the control worker. */
export interface PrepareContext {
  stateDir: string;
  /** This host's default worker command (TEMPORAL_WORKER_CMD). */
  defaultWorkerCommand: string;
  policy: Policy;
}

/** The context for a control worker with `settings` serving the server at `serverAddress` (the policy is read afresh). */
export async function prepareContext(settings: Settings, serverAddress: string): Promise<PrepareContext> {
  return {
    stateDir: settings.stateDir,
    defaultWorkerCommand: settings.workerCommand,
    policy: await loadPolicy(settings.stateDir, settings.policy, serverAddress),
  };
}

/** Where the worker command of a request came from, in the order the rule tries them. */
type CommandSource =
  | { kind: 'input' }
  | { kind: 'registered'; key: string; taskQueue?: string }
  | { kind: 'recorded'; dir: string }
  | { kind: 'env' }
  | { kind: 'default' };

function fieldOf(source: CommandSource): string {
  switch (source.kind) {
    case 'input':
      return 'workerCommand';
    case 'registered':
      return source.taskQueue === undefined
        ? `workerCommand (registered for ${source.key})`
        : `workerCommand (registered for ${source.key}, task queue "${source.taskQueue}")`;
    case 'recorded':
      return `workerCommand (recorded: the last worker started in ${source.dir})`;
    case 'env':
      return 'workerCommand (from TEMPORAL_WORKER_CMD)';
    case 'default':
      return `workerCommand (the default, "${DEFAULTS.workerCommand}"; TEMPORAL_WORKER_CMD is not set)`;
  }
}

/**
 * The one rule for the worker command, used by every command and recipe: the input (or flag), then
 * the worker registered for the task queue, then the directory's default registration, then the
 * worker recorded for the directory (on the same task queue when one is given), then
 * TEMPORAL_WORKER_CMD, then the default. The policy origin follows the source; an input equal to
 * any registered command is the registration's.
 */
export function workerCommandOf(
  input: Pick<ProjectInput, 'workerCommand' | 'taskQueue'>,
  registered: Pick<ProjectEntry, 'key' | 'workerCommand' | 'workers'> | undefined,
  recorded: string | undefined,
  fallback: { command: string; fromEnv: boolean },
  dir: string,
): { command: string; origin: CommandOrigin; field: string } {
  const forQueue = registered && workerFor(registered, input.taskQueue);
  const own = forQueue?.workerCommand ?? registered?.workerCommand;
  const ownSource: CommandSource | undefined = registered && {
    kind: 'registered',
    key: registered.key,
    ...(forQueue?.workerCommand === undefined ? {} : { taskQueue: forQueue.taskQueue }),
  };
  const given = input.workerCommand?.trim();
  const fallbackSource: CommandSource = fallback.fromEnv ? { kind: 'env' } : { kind: 'default' };
  const pick = (command: string, source: CommandSource, origin: CommandOrigin) => ({
    command,
    origin,
    field: fieldOf(source),
  });
  if (given !== undefined && given !== own) {
    const origin: CommandOrigin = registeredCommands(registered, 'workerCommand').includes(given)
      ? 'registration'
      : own === undefined && given === fallback.command
        ? 'local'
        : 'request';
    return pick(given, { kind: 'input' }, origin);
  }
  if (own !== undefined && ownSource) return pick(own, ownSource, 'registration');
  if (recorded !== undefined)
    return pick(recorded, { kind: 'recorded', dir }, recorded === fallback.command ? 'local' : 'request');
  return pick(fallback.command, fallbackSource, 'local');
}

/**
 * The command of the newest worker recorded for the project (on `taskQueue` when given), else the
 * one last launched there: a stopped worker's record is gone, but its command is what serves the queue.
 */
async function recordedCommand(stateDir: string, key: string | undefined, taskQueue?: string) {
  if (key === undefined) return undefined;
  const records = await readPidRecords(stateDir, { kind: 'worker', project: key });
  const recorded = records.filter((r) => taskQueue === undefined || r.taskQueue === taskQueue).at(-1);
  return recorded?.command ?? (await lastWorkerCommand(stateDir, key, taskQueue));
}

/** Every worker and starter command registered for the project. */
function registeredCommandsOf(entry: ProjectEntry): string[] {
  return [...registeredCommands(entry, 'workerCommand'), ...registeredCommands(entry, 'starterCommand')];
}

/** Whether others than this user can change `dir` (world-writable, or another user's); undefined when not. */
async function sharedDir(
  dir: string | undefined,
): Promise<'world-writable' | 'owned by another user' | undefined> {
  if (dir === undefined) return undefined;
  const info = await stat(dir);
  if ((info.mode & 0o002) !== 0) return 'world-writable';
  const uid = process.getuid?.();
  return uid !== undefined && info.uid !== uid ? 'owned by another user' : undefined;
}

/** Throws PolicyRefusedError when the policy refuses the request. */
function enforce(policy: Policy, request: PolicyRequest): void {
  const verdict = checkPolicy(policy, request);
  if (!verdict.allowed)
    throw new PolicyRefusedError(verdict.field, verdict.value, verdict.rule, verdict.fix, verdict.message);
}

/**
 * Resolves the project's key, real directory and worker command, or throws: PolicyRefusedError
 * when the local policy refuses the directory or a command, InvalidInputError naming the field
 * when the directory or a program is missing or the name belongs to another directory.
 */
export async function prepareProject(input: ProjectInput, context: PrepareContext): Promise<PreparedProject> {
  const { stateDir, policy } = context;
  const realDir = await canonicalDir(input.projectDir).catch(() => undefined);
  const dir = realDir ?? resolve(input.projectDir);
  const entries = await readRegistry(stateDir);
  const entry = findByDir(entries, dir);
  const registered = entry?.source === 'registered' ? entry : undefined;
  // Without a queue asked, a project with one registered worker means that worker's queue.
  const taskQueue = input.taskQueue ?? (registered && workerFor(registered)?.taskQueue);
  const recorded = await recordedCommand(stateDir, entry?.key, taskQueue);
  const fallback = {
    command: context.defaultWorkerCommand,
    // The setting differs from the default only when TEMPORAL_WORKER_CMD set it.
    fromEnv:
      context.defaultWorkerCommand !== DEFAULTS.workerCommand || Boolean(process.env.TEMPORAL_WORKER_CMD),
  };
  const worker = workerCommandOf({ ...input, taskQueue }, registered, recorded, fallback, dir);
  const commands: CommandRequest[] = [
    { field: 'workerCommand', command: worker.command, origin: worker.origin },
  ];
  const starter = input.starterCommand?.trim();
  if (starter !== undefined) {
    const origin = registeredCommands(registered, 'starterCommand').includes(starter)
      ? 'registration'
      : 'request';
    commands.push({ field: 'start.command', command: starter, origin });
  }
  enforce(policy, {
    projectDir: dir,
    registration: registered && { ...registered, commands: registeredCommandsOf(registered) },
    commands,
    ...(input.env ? { env: input.env } : {}),
    sharedDir: await sharedDir(realDir),
  });
  if (realDir === undefined)
    throw new InvalidInputError('projectDir', input.projectDir, 'an existing directory');
  chooseKey(entries, realDir, input.project); // a name held by another directory is refused first
  const pathEnv = input.env?.PATH ?? process.env.PATH;
  assertRunnable(worker.command, worker.field, realDir, pathEnv);
  if (starter !== undefined) assertRunnable(starter, 'start.command', realDir, pathEnv);
  const claimed = await claimProject(stateDir, realDir, input.project);
  return {
    project: claimed.key,
    projectDir: realDir,
    workerCommand: worker.command,
    ...(taskQueue === undefined ? {} : { taskQueue }),
    ...(registered?.passEnv ? { passEnv: registered.passEnv } : {}),
  };
}

/**
 * Checks a starter command handed straight to the starter step (any workflow in the namespace can
 * schedule it): the directory and the command must pass this host's policy, and the program exist.
 */
export async function checkStarter(
  input: { projectDir: string; command: string; env?: Record<string, string> },
  context: PrepareContext,
): Promise<string[]> {
  const realDir = await canonicalDir(input.projectDir).catch(() => undefined);
  const dir = realDir ?? resolve(input.projectDir);
  const entry = findByDir(await readRegistry(context.stateDir), dir);
  const registered = entry?.source === 'registered' ? entry : undefined;
  const command = input.command.trim();
  const origin = registeredCommands(registered, 'starterCommand').includes(command)
    ? 'registration'
    : 'request';
  enforce(context.policy, {
    projectDir: dir,
    registration: registered && { ...registered, commands: registeredCommandsOf(registered) },
    commands: [{ field: 'start.command', command, origin }],
    ...(input.env ? { env: input.env } : {}),
    sharedDir: await sharedDir(realDir),
  });
  if (realDir === undefined)
    throw new InvalidInputError('projectDir', input.projectDir, 'an existing directory');
  assertRunnable(command, 'start.command', realDir, input.env?.PATH ?? process.env.PATH);
  return registered?.passEnv ?? [];
}

/**
 * Re-checks a prepared project handed to a later step (any workflow in the namespace can schedule
 * that step): throws unless this host gives the directory the same key and allows the command and
 * the environment. Returns this host's own view of the project, to launch with instead of the input's.
 */
export async function confirmPrepared(
  prepared: PreparedProject & { env?: Record<string, string> },
  context: PrepareContext,
): Promise<PreparedProject> {
  const { project, projectDir, workerCommand, taskQueue, env } = prepared;
  const again = await prepareProject(
    {
      project,
      projectDir,
      workerCommand,
      ...(taskQueue === undefined ? {} : { taskQueue }),
      ...(env ? { env } : {}),
    },
    context,
  );
  if (again.project !== project)
    throw new InvalidInputError(
      'project',
      project,
      `"${again.project}", the key of ${again.projectDir} on this host`,
    );
  return again;
}

/**
 * The registry entry of a project this host knows (registered, or prepared by a recipe before), for
 * steps that read its files: throws PolicyRefusedError for any other directory, or a key that is not its own.
 */
export async function knownProject(
  stateDir: string,
  projectDir: string,
  project?: string,
): Promise<ProjectEntry> {
  const dir = (await canonicalDir(projectDir).catch(() => undefined)) ?? resolve(projectDir);
  const entry = findByDir(await readRegistry(stateDir), dir);
  if (entry && (project === undefined || entry.key === project)) return entry;
  const why = entry
    ? `its key on this host is "${entry.key}", not "${project}"`
    : 'this host has no project there (steps that read a project only read projects a recipe prepared)';
  throw new PolicyRefusedError(
    'projectDir',
    projectDir,
    'knownProjects',
    `prepare it first (any recipe does), or register it with \`temporal-ops project add ${dir}\``,
    `projectDir ${JSON.stringify(projectDir)} refused: ${why}`,
  );
}
