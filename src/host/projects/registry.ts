// Registering projects on this host (`temporal-ops project add|list|remove`) and looking keys up
// for the CLI. A registration is what a remote server's recipes may run: its commands, its queue.
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { parseCommand } from './command.js';
import { proveIdentity } from '../records/identity.js';
import { readPidRecords } from '../records/pid-file.js';
import { canonicalDir, chooseKey, findByDir, withEntry } from './identity.js';
import { assertProjectKey } from './key.js';
import { readRegistry, updateRegistry, type ProjectEntry, type RegisteredWorker } from './registry-store.js';

export type { ProjectEntry };

export interface ProjectRegistration {
  projectDir: string;
  /** The key (default: the directory's sanitised basename); must already be a valid key. */
  project?: string;
  workerCommand?: string;
  starterCommand?: string;
  /**
   * With a queue: the commands are that queue's worker (added or replaced; the project's other
   * workers and settings stay). Without: the directory's default registration.
   */
  taskQueue?: string;
  /** Let this project's commands use shell syntax. */
  allowShell?: boolean;
  /** Environment names its requests may set beyond the default allow-list (`*` ends a prefix). */
  envAllow?: string[];
  /** Connection secrets of the control worker its processes inherit (e.g. TEMPORAL_API_KEY). */
  passEnv?: string[];
  /** Run it although its directory is world-writable or another user's. */
  allowSharedDir?: boolean;
}

function checkNames(names: string[] | undefined, field: string, prefix: boolean): void {
  const shape = prefix ? /^[A-Za-z_][A-Za-z0-9_]*\*?$/ : /^[A-Za-z_][A-Za-z0-9_]*$/;
  const bad = names?.find((name) => !shape.test(name));
  if (bad !== undefined)
    throw new InvalidInputError(
      field,
      bad,
      `an environment variable name (letters, digits and "_"${prefix ? '; a trailing "*" for a prefix' : ''})`,
    );
}

function checkCommand(command: string | undefined, field: string, allowShell: boolean): void {
  if (command === undefined) return;
  if (parseCommand(command, field).shell && !allowShell)
    throw new InvalidInputError(field, command, 'a plain command without shell syntax (or --allow-shell)');
}

/** The entry's fields that belong to the directory, not to one of its workers. */
function directoryFields(registration: ProjectRegistration, existing: ProjectEntry | undefined) {
  const { allowShell, envAllow, passEnv, allowSharedDir } = registration;
  // A queue's worker added alone keeps the directory's settings unless it names new ones.
  const keep = registration.taskQueue !== undefined ? existing : undefined;
  return {
    ...(allowShell || keep?.allowShell ? { allowShell: true } : {}),
    ...(envAllow?.length ? { envAllow } : keep?.envAllow ? { envAllow: keep.envAllow } : {}),
    ...(passEnv?.length ? { passEnv } : keep?.passEnv ? { passEnv: keep.passEnv } : {}),
    ...(allowSharedDir || keep?.allowSharedDir ? { allowSharedDir: true } : {}),
  };
}

/** The commands of a registration, without the fields it leaves unset. */
function commandsOf(registration: Pick<RegisteredWorker, 'workerCommand' | 'starterCommand'>) {
  const { workerCommand, starterCommand } = registration;
  return {
    ...(workerCommand === undefined ? {} : { workerCommand }),
    ...(starterCommand === undefined ? {} : { starterCommand }),
  };
}

/**
 * Registers a directory on this host; returns its entry. With a task queue, adds or replaces that
 * queue's worker and keeps the others; without, replaces the directory's default registration.
 */
export async function addProject(stateDir: string, registration: ProjectRegistration): Promise<ProjectEntry> {
  const realDir = await canonicalDir(registration.projectDir);
  const { project, workerCommand, starterCommand, taskQueue } = registration;
  checkNames(registration.envAllow, 'envAllow', true);
  checkNames(registration.passEnv, 'passEnv', false);
  if (taskQueue !== undefined && taskQueue.trim() === '')
    throw new InvalidInputError('taskQueue', taskQueue, 'a non-empty task queue name');
  return updateRegistry(stateDir, (entries) => {
    const existing = findByDir(entries, realDir);
    if (existing && project !== undefined && project !== existing.key)
      throw new InvalidInputError(
        'project',
        project,
        `the key "${existing.key}" this host already uses for ${realDir} (remove it first to rename it)`,
      );
    const directory = directoryFields(registration, existing);
    checkCommand(workerCommand, 'workerCommand', directory.allowShell === true);
    checkCommand(starterCommand, 'starterCommand', directory.allowShell === true);
    const others = (existing?.workers ?? []).filter((w) => w.taskQueue !== taskQueue);
    const workers =
      taskQueue === undefined ? others : [...others, { taskQueue, ...commandsOf(registration) }];
    const defaults = taskQueue === undefined ? commandsOf(registration) : commandsOf(existing ?? {});
    const entry: ProjectEntry = {
      key: chooseKey(entries, realDir, project),
      projectDir: realDir,
      source: 'registered',
      ...defaults,
      ...(workers.length ? { workers: workers.sort((a, b) => a.taskQueue.localeCompare(b.taskQueue)) } : {}),
      ...directory,
      addedAt: existing?.addedAt ?? new Date().toISOString(),
    };
    return { entries: withEntry(entries, entry), result: entry };
  });
}

/** Every project this host knows, registered or seen, by key. */
export async function listProjects(stateDir: string): Promise<ProjectEntry[]> {
  return [...(await readRegistry(stateDir))].sort((a, b) => a.key.localeCompare(b.key));
}

/** An absolute directory as the registry spells it: its real path, or as written when it is gone. */
async function registryDir(dir: string): Promise<string> {
  return realpath(dir).catch(() => resolve(dir));
}

async function findEntry(stateDir: string, keyOrDir: string): Promise<ProjectEntry | undefined> {
  const entries = await readRegistry(stateDir);
  if (isAbsolute(keyOrDir)) return findByDir(entries, await registryDir(keyOrDir));
  const key = assertProjectKey(keyOrDir);
  return entries.find((e) => e.key === key);
}

/**
 * The key for a CLI argument: an absolute directory this host knows, or a name that is already a
 * valid key (a name that sanitises to something else, like `../../etc`, is refused).
 */
export async function resolveProjectKey(stateDir: string, nameOrDir: string): Promise<string> {
  if (!isAbsolute(nameOrDir)) return assertProjectKey(nameOrDir);
  const entry = await findEntry(stateDir, nameOrDir);
  if (!entry)
    throw new InvalidInputError(
      'project',
      nameOrDir,
      'a project directory this host knows (see `temporal-ops project list`)',
    );
  return entry.key;
}

/**
 * Forgets one worker of a project: the registration of `taskQueue`; returns the entry as it is now,
 * or undefined when the project has no worker registered for that queue.
 */
async function removeWorker(stateDir: string, keyOrDir: string, taskQueue: string) {
  const entry = await findEntry(stateDir, keyOrDir);
  if (!entry?.workers?.some((w) => w.taskQueue === taskQueue)) return undefined;
  return updateRegistry(stateDir, (entries) => {
    const found = entries.find((e) => e.key === entry.key);
    if (!found) return { entries, result: undefined };
    const { workers = [], ...rest } = found;
    const left = workers.filter((w) => w.taskQueue !== taskQueue);
    const changed: ProjectEntry = { ...rest, ...(left.length ? { workers: left } : {}) };
    return { entries: withEntry(entries, changed), result: changed };
  });
}

/**
 * Forgets a project (by key or absolute directory), or with `taskQueue` only that queue's worker;
 * returns its entry, or undefined when unknown. Forgetting the whole project is refused while a
 * recorded worker of it is still running, so its key cannot pass to another directory.
 */
export async function removeProject(
  stateDir: string,
  keyOrDir: string,
  taskQueue?: string,
): Promise<ProjectEntry | undefined> {
  if (taskQueue !== undefined) return removeWorker(stateDir, keyOrDir, taskQueue);
  const entry = await findEntry(stateDir, keyOrDir);
  if (!entry) return undefined;
  const records = await readPidRecords(stateDir, { kind: 'worker', project: entry.key });
  const running = records.filter((r) => proveIdentity(r).ownership === 'ours');
  if (running.length > 0)
    throw new InvalidInputError(
      'project',
      keyOrDir,
      `a project without running workers (pids ${running.map((r) => r.pid).join(', ')}; ` +
        `stop them with \`temporal-ops worker stop --project ${entry.key}\`)`,
    );
  return updateRegistry(stateDir, (entries) => ({
    entries: entries.filter((e) => e.key !== entry.key),
    result: entry,
  }));
}
