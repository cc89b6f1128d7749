// A project is its directory on its host: the canonical real path is the identity, the key a
// label that names its files. Two names for one directory are one project; a name already held
// by another directory is refused, never merged.
import { realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { sanitizeProjectName } from '../config.js';
import { InvalidInputError } from '../errors.js';
import { assertProjectKey } from './key.js';
import { readRegistry, updateRegistry, type ProjectEntry } from './registry-store.js';

/** The directory's real path (symlinks and `..` resolved); throws InvalidInputError naming `field` when it is no directory. */
export async function canonicalDir(dir: string, field = 'projectDir'): Promise<string> {
  try {
    const real = await realpath(resolve(dir));
    if ((await stat(real)).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw new InvalidInputError(field, dir, 'an existing directory');
}

/** The entry whose directory is `realDir`, if the host knows it. */
export function findByDir(entries: ProjectEntry[], realDir: string): ProjectEntry | undefined {
  return entries.find((e) => e.projectDir === realDir);
}

/**
 * The key `realDir` has or would get: its existing key, else `name` (which must be a key), else its
 * sanitised basename. Throws InvalidInputError when that name is another directory's key.
 */
export function chooseKey(entries: ProjectEntry[], realDir: string, name?: string): string {
  const existing = findByDir(entries, realDir);
  if (existing && (name === undefined || name === existing.key)) return existing.key;
  const field = name === undefined ? 'project (default: basename of projectDir)' : 'project';
  const wanted = name === undefined ? sanitizeProjectName(basename(realDir)) : assertProjectKey(name);
  const holder = entries.find((e) => e.key === wanted);
  if (holder && holder.projectDir !== realDir) {
    throw new InvalidInputError(
      field,
      name ?? wanted,
      `a name that is not already another directory's project ("${wanted}" is ${holder.projectDir}); ` +
        'give this directory its own "project" name',
    );
  }
  return existing?.key ?? wanted;
}

/** The directory's registry entry, recording it as `seen` under its chosen key when the host does not know it yet. */
export async function claimProject(stateDir: string, realDir: string, name?: string): Promise<ProjectEntry> {
  const known = await readRegistry(stateDir);
  const found = findByDir(known, realDir);
  if (found && chooseKey(known, realDir, name) === found.key) return found;
  return updateRegistry(stateDir, (entries) => {
    const key = chooseKey(entries, realDir, name);
    const existing = findByDir(entries, realDir);
    if (existing) return { entries, result: existing };
    const entry: ProjectEntry = {
      key,
      projectDir: realDir,
      source: 'seen',
      addedAt: new Date().toISOString(),
    };
    return { entries: [...entries, entry], result: entry };
  });
}
