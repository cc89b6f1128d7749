// The host's project registry: `<stateDir>/projects.json`, key -> canonical directory, written
// atomically (temporary file + rename) under a lock so concurrent recipes never lose an entry.
import { join } from 'node:path';
import { z } from 'zod';
import { withProjectLock } from '../processes/lock.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

const entrySchema = z.strictObject({
  key: z.string().min(1),
  projectDir: z.string().startsWith('/'),
  source: z.enum(['registered', 'seen']),
  workerCommand: z.string().min(1).optional(),
  starterCommand: z.string().min(1).optional(),
  taskQueue: z.string().min(1).optional(),
  allowShell: z.boolean().optional(),
  /** Environment names this project's requests may set beyond the default allow-list. */
  envAllow: z.array(z.string()).optional(),
  /** Connection secrets of the control worker that this project's processes inherit. */
  passEnv: z.array(z.string()).optional(),
  /** Run it although others can change its directory. */
  allowSharedDir: z.boolean().optional(),
  addedAt: z.string(),
});

const registrySchema = z.strictObject({ projects: z.array(entrySchema) });

/**
 * One project of this host. `registered`: added by a person with `temporal-ops project add`
 * (its commands are the project's own); `seen`: recorded by the first recipe that ran it, so its
 * key stays its own.
 */
export type ProjectEntry = z.infer<typeof entrySchema>;

/** Lock name for the registry; a leading `_` can never be a project key, so it shares no lock. */
const REGISTRY_LOCK = '_registry';

export function registryPath(stateDir: string): string {
  return join(stateDir, 'projects.json');
}

/** The registry's entries; none when the file does not exist yet. */
export async function readRegistry(stateDir: string): Promise<ProjectEntry[]> {
  const expected = '{ "projects": [{ key, projectDir, source, ... }] }';
  return (await readJsonFile(registryPath(stateDir), registrySchema, { projects: [] }, expected)).projects;
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
