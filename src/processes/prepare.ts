// Checking a target project before touching processes: which project the directory is on this
// host, whether the local policy lets this request run it, and that its commands can run.
import { resolve } from 'node:path';
import type { Settings } from '../config.js';
import { InvalidInputError, PolicyRefusedError } from '../errors.js';
import { canonicalDir, chooseKey, claimProject, findByDir } from '../projects/identity.js';
import { loadPolicy } from '../projects/load-policy.js';
import { checkPolicy, type CommandOrigin, type CommandRequest, type Policy } from '../projects/policy.js';
import { readRegistry, type ProjectEntry } from '../projects/registry-store.js';
import { assertRunnable } from './executable.js';
import { proveIdentity } from './identity.js';
import { readPidRecords } from './pid-file.js';

export interface PreparedProject {
  /** The project's key on this host: names its pid files, locks and logs. */
  project: string;
  /** The directory's real path: the project's identity on this host. */
  projectDir: string;
  workerCommand: string;
  /** The task queue of the project's registration, when it names one. */
  taskQueue?: string;
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

function workerCommandOf(input: ProjectInput, registered: ProjectEntry | undefined, fallback: string) {
  const own = registered?.workerCommand;
  const given = input.workerCommand?.trim();
  if (given === undefined || given === own)
    return own
      ? {
          command: own,
          origin: 'registration' as const,
          field: `workerCommand (registered for ${registered?.key})`,
        }
      : { command: fallback, origin: 'local' as const, field: 'workerCommand (from TEMPORAL_WORKER_CMD)' };
  const origin: CommandOrigin = own === undefined && given === fallback ? 'local' : 'request';
  return { command: given, origin, field: 'workerCommand' };
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
  const worker = workerCommandOf(input, registered, context.defaultWorkerCommand);
  const commands: CommandRequest[] = [
    { field: 'workerCommand', command: worker.command, origin: worker.origin },
  ];
  const starter = input.starterCommand?.trim();
  if (starter !== undefined) {
    const origin = starter === registered?.starterCommand ? 'registration' : 'request';
    commands.push({ field: 'start.command', command: starter, origin });
  }
  const verdict = checkPolicy(policy, { projectDir: dir, registration: registered, commands });
  if (!verdict.allowed)
    throw new PolicyRefusedError(verdict.field, verdict.value, verdict.rule, verdict.fix, verdict.message);
  if (realDir === undefined)
    throw new InvalidInputError('projectDir', input.projectDir, 'an existing directory');
  const taskQueue = registered?.taskQueue;
  if (taskQueue !== undefined && input.taskQueue !== undefined && input.taskQueue !== taskQueue)
    throw new InvalidInputError(
      'taskQueue',
      input.taskQueue,
      `"${taskQueue}", the task queue registered for ${realDir}`,
    );
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
  };
}

/**
 * Checks a starter command handed straight to the starter step (any workflow in the namespace can
 * schedule it): the directory and the command must pass this host's policy, and the program exist.
 */
export async function checkStarter(
  input: { projectDir: string; command: string; env?: Record<string, string> },
  context: PrepareContext,
): Promise<void> {
  const realDir = await canonicalDir(input.projectDir).catch(() => undefined);
  const dir = realDir ?? resolve(input.projectDir);
  const entry = findByDir(await readRegistry(context.stateDir), dir);
  const registered = entry?.source === 'registered' ? entry : undefined;
  const command = input.command.trim();
  const origin = command === registered?.starterCommand ? 'registration' : 'request';
  const verdict = checkPolicy(context.policy, {
    projectDir: dir,
    registration: registered,
    commands: [{ field: 'start.command', command, origin }],
  });
  if (!verdict.allowed)
    throw new PolicyRefusedError(verdict.field, verdict.value, verdict.rule, verdict.fix, verdict.message);
  if (realDir === undefined)
    throw new InvalidInputError('projectDir', input.projectDir, 'an existing directory');
  assertRunnable(command, 'start.command', realDir, input.env?.PATH ?? process.env.PATH);
}

/**
 * Re-checks a prepared project handed to a later step (any workflow in the namespace can schedule
 * that step): throws unless this host gives the directory the same key and allows the command.
 */
export async function confirmPrepared(prepared: PreparedProject, context: PrepareContext): Promise<void> {
  const { project, projectDir, workerCommand } = prepared;
  const again = await prepareProject({ project, projectDir, workerCommand }, context);
  if (again.project !== project)
    throw new InvalidInputError(
      'project',
      project,
      `"${again.project}", the key of ${again.projectDir} on this host`,
    );
}

/** True when `pid` is still a recorded worker of the project and proven ours (a retried start adopts it). */
export async function stillOurs(stateDir: string, project: string, pid: number): Promise<boolean> {
  const records = await readPidRecords(stateDir, { kind: 'worker', project });
  const record = records.find((r) => r.pid === pid);
  return record !== undefined && proveIdentity(record).ownership === 'ours';
}
