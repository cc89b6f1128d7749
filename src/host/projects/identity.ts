// A project is its directory on its host: the canonical real path is the identity, the key a
// label that names its files. Two names for one directory are one project; a name already held
// by another existing directory is never merged: a default name gets a variant, an explicit one is
// refused.
import { existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { sanitizeProjectName } from '../../config.js';
import { InvalidInputError } from '../../errors.js';
import { assertProjectKey, keyForDir } from './key.js';
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

/** The entry of another directory that still exists and holds `key`; an entry whose directory is gone holds nothing. */
function liveHolder(
  entries: ProjectEntry[],
  key: string,
  realDir: string,
  dirExists: (dir: string) => boolean,
): ProjectEntry | undefined {
  return entries.find((e) => e.key === key && e.projectDir !== realDir && dirExists(e.projectDir));
}

/**
 * The key `realDir` has or would get: its existing key, else `name` (which must be a key), else its
 * sanitised basename, or, when another directory holds that, the basename with a hash of the path.
 * A name whose directory is gone is free. Throws InvalidInputError when an explicit `name` is
 * another existing directory's key.
 */
export function chooseKey(
  entries: ProjectEntry[],
  realDir: string,
  name?: string,
  dirExists: (dir: string) => boolean = existsSync,
): string {
  const existing = findByDir(entries, realDir);
  if (existing && (name === undefined || name === existing.key)) return existing.key;
  const wanted = name === undefined ? sanitizeProjectName(basename(realDir)) : assertProjectKey(name);
  const holder = liveHolder(entries, wanted, realDir, dirExists);
  if (!holder) return existing?.key ?? wanted;
  // A default name is nobody's choice: another directory holding it never blocks this one.
  const own = keyForDir(wanted, realDir);
  if (name === undefined && !liveHolder(entries, own, realDir, dirExists)) return own;
  throw new InvalidInputError(
    name === undefined ? 'project (default: basename of projectDir)' : 'project',
    name ?? wanted,
    `a name that is not already another directory's project ("${wanted}" is ${holder.projectDir}); ` +
      'give this directory its own name (--project, or "project" in the input)',
  );
}

/** `entries` with `entry` in place of the directory's old entry and of any stale entry (directory gone) that held its key. */
export function withEntry(entries: ProjectEntry[], entry: ProjectEntry): ProjectEntry[] {
  return [...entries.filter((e) => e.projectDir !== entry.projectDir && e.key !== entry.key), entry];
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
    return { entries: withEntry(entries, entry), result: entry };
  });
}
