// Registering projects on this host (`temporal-ops project add|list|remove`) and looking keys up
// for the CLI. A registration is what a remote server's recipes may run: its commands, its queue.
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { parseCommand } from '../processes/command.js';
import { proveIdentity } from '../processes/identity.js';
import { readPidRecords } from '../processes/pid-file.js';
import { canonicalDir, chooseKey, findByDir, withEntry } from './identity.js';
import { assertProjectKey } from './key.js';
import { readRegistry, updateRegistry, type ProjectEntry } from './registry-store.js';

export type { ProjectEntry };

export interface ProjectRegistration {
  projectDir: string;
  /** The key (default: the directory's sanitised basename); must already be a valid key. */
  project?: string;
  workerCommand?: string;
  starterCommand?: string;
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

/** Registers (or re-registers, replacing its commands) a directory on this host; returns its entry. */
export async function addProject(stateDir: string, registration: ProjectRegistration): Promise<ProjectEntry> {
  const realDir = await canonicalDir(registration.projectDir);
  const { project, workerCommand, starterCommand, taskQueue, allowShell } = registration;
  const { envAllow, passEnv, allowSharedDir } = registration;
  checkCommand(workerCommand, 'workerCommand', allowShell === true);
  checkCommand(starterCommand, 'starterCommand', allowShell === true);
  checkNames(envAllow, 'envAllow', true);
  checkNames(passEnv, 'passEnv', false);
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
    const entry: ProjectEntry = {
      key: chooseKey(entries, realDir, project),
      projectDir: realDir,
      source: 'registered',
      ...(workerCommand === undefined ? {} : { workerCommand }),
      ...(starterCommand === undefined ? {} : { starterCommand }),
      ...(taskQueue === undefined ? {} : { taskQueue }),
      ...(allowShell ? { allowShell } : {}),
      ...(envAllow?.length ? { envAllow } : {}),
      ...(passEnv?.length ? { passEnv } : {}),
      ...(allowSharedDir ? { allowSharedDir } : {}),
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
 * Forgets a project (by key or absolute directory); returns its entry, or undefined when unknown.
 * Refused while a recorded worker of it is still running, so its key cannot pass to another directory.
 */
export async function removeProject(stateDir: string, keyOrDir: string): Promise<ProjectEntry | undefined> {
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
