// The host's project registry: `<stateDir>/projects.json`, key -> canonical directory, written
// atomically (temporary file + rename) under a lock so concurrent recipes never lose an entry.
import { join } from 'node:path';
import { z } from 'zod';
import { withProjectLock } from '../records/lock.js';
import { readJsonFile, writeJsonFile } from '../records/json-file.js';

const workerSchema = z.strictObject({
  taskQueue: z.string().min(1),
  workerCommand: z.string().min(1).optional(),
  starterCommand: z.string().min(1).optional(),
});

/** One worker of a project: the commands registered for one of its task queues. */
export type RegisteredWorker = z.infer<typeof workerSchema>;

const storedSchema = z.strictObject({
  key: z.string().min(1),
  projectDir: z.string().startsWith('/'),
  source: z.enum(['registered', 'seen']),
  /** The directory's default registration, used for a queue without a worker of its own. */
  workerCommand: z.string().min(1).optional(),
  starterCommand: z.string().min(1).optional(),
  /** Files of older versions: the one queue of the directory's one registration. */
  taskQueue: z.string().min(1).optional(),
  /** The project's workers, one per task queue. */
  workers: z.array(workerSchema).optional(),
  allowShell: z.boolean().optional(),
  /** Environment names this project's requests may set beyond the default allow-list. */
  envAllow: z.array(z.string()).optional(),
  /** Connection secrets of the control worker that this project's processes inherit. */
  passEnv: z.array(z.string()).optional(),
  /** Run it although others can change its directory. */
  allowSharedDir: z.boolean().optional(),
  addedAt: z.string(),
});

const registrySchema = z.strictObject({ projects: z.array(storedSchema) });

/**
 * One project of this host. `registered`: added by a person with `temporal-ops project add`
 * (its commands are the project's own); `seen`: recorded by the first recipe that ran it, so its
 * key stays its own.
 */
export type ProjectEntry = Omit<z.infer<typeof storedSchema>, 'taskQueue'>;

/** An entry as this version writes it: an older file's one queued registration is that queue's worker. */
function current(stored: z.infer<typeof storedSchema>): ProjectEntry {
  const { taskQueue, ...entry } = stored;
  if (taskQueue === undefined || entry.workers?.some((w) => w.taskQueue === taskQueue)) return entry;
  const { workerCommand, starterCommand, ...rest } = entry;
  const worker: RegisteredWorker = {
    taskQueue,
    ...(workerCommand === undefined ? {} : { workerCommand }),
    ...(starterCommand === undefined ? {} : { starterCommand }),
  };
  return { ...rest, workers: [...(entry.workers ?? []), worker] };
}

/**
 * The worker registered for `taskQueue`; without a queue, the only worker of a project that has no
 * default command (so a one-worker registration needs no queue named).
 */
export function workerFor(
  entry: Pick<ProjectEntry, 'workerCommand' | 'workers'>,
  taskQueue?: string,
): RegisteredWorker | undefined {
  const workers = entry.workers ?? [];
  if (taskQueue !== undefined) return workers.find((w) => w.taskQueue === taskQueue);
  return entry.workerCommand === undefined && workers.length === 1 ? workers[0] : undefined;
}

/** Every command registered for the project (its default and each worker's), of one kind. */
export function registeredCommands(
  entry: Pick<ProjectEntry, 'workerCommand' | 'starterCommand' | 'workers'> | undefined,
  kind: 'workerCommand' | 'starterCommand',
): string[] {
  if (!entry) return [];
  return [entry[kind], ...(entry.workers ?? []).map((w) => w[kind])].filter((c) => c !== undefined);
}

/** Lock name for the registry; a leading `_` can never be a project key, so it shares no lock. */
const REGISTRY_LOCK = '_registry';

export function registryPath(stateDir: string): string {
  return join(stateDir, 'projects.json');
}

/** The registry's entries; none when the file does not exist yet. */
export async function readRegistry(stateDir: string): Promise<ProjectEntry[]> {
  const expected = '{ "projects": [{ key, projectDir, source, ... }] }';
  const file = await readJsonFile(registryPath(stateDir), registrySchema, { projects: [] }, expected);
  return file.projects.map(current);
}

/**
 * Reads the registry under its lock, lets `change` compute the new entries (or throw), and writes
 * them when they differ. Returns what `change` returned alongside.
 */
export async function updateRegistry<T>(
  stateDir: string,
  change: (entries: ProjectEntry[]) => { entries: ProjectEntry[]; result: T },
): Promise<T> {
  return withProjectLock(stateDir, REGISTRY_LOCK, async () => {
    const before = await readRegistry(stateDir);
    const { entries, result } = change(before);
    const sorted = [...entries].sort((a, b) => a.key.localeCompare(b.key));
    if (JSON.stringify(sorted) !== JSON.stringify(before))
      await writeJsonFile(registryPath(stateDir), { projects: sorted });
    return result;
  });
}
