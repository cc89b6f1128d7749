// Intents: written before a spawn, removed once its pid record exists. A crash in between leaves
// an intent that says what was being spawned, so the next step can record or stop the process.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { PidRecord } from './pid-file.js';
import { openSealed, sealJson } from './seal.js';

/** Everything of the pid record except the facts only the spawn yields. */
export type SpawnIntent = Omit<PidRecord, 'pid' | 'pgid' | 'startTime' | 'cmdline' | 'bootId'> & {
  spawnToken: string;
};

function intentDir(stateDir: string): string {
  return join(stateDir, 'intents');
}

function intentPath(stateDir: string, token: string): string {
  return join(intentDir(stateDir), `${token}.json`);
}

/** Writes the intent atomically (temporary file, then rename). */
export async function writeIntent(stateDir: string, intent: SpawnIntent): Promise<void> {
  await mkdir(intentDir(stateDir), { recursive: true });
  const path = intentPath(stateDir, intent.spawnToken);
  const tmp = `${path}.${nanoid(6)}.tmp`;
  await writeFile(tmp, await sealJson(stateDir, intent), { mode: 0o600 });
  await rename(tmp, path);
}

export async function removeIntent(stateDir: string, token: string): Promise<void> {
  await rm(intentPath(stateDir, token), { force: true });
}

/** Deletes a temporary file a crashed writer left (a live writer renames it within milliseconds). */
export async function removeIfOld(path: string, olderThanMs = 60_000): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info && Date.now() - info.mtimeMs > olderThanMs) await rm(path, { force: true });
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Intents of one project (all when omitted); leftover temporary files are deleted, and so are
 * intents that are not JSON or not sealed by this host. An intent that cannot be read now (an I/O
 * error, the key) makes this throw: forgetting it would let the caller spawn beside its process.
 */
export async function readIntents(stateDir: string, project?: string): Promise<SpawnIntent[]> {
  const names = await readdir(intentDir(stateDir)).catch((error: unknown) => {
    if (isMissing(error)) return [] as string[];
    throw error;
  });
  const intents: SpawnIntent[] = [];
  for (const name of names) {
    const path = join(intentDir(stateDir), name);
    if (name.endsWith('.tmp')) {
      await removeIfOld(path);
      continue;
    }
    const text = await readFile(path, 'utf8').catch((error: unknown) => {
      if (isMissing(error)) return undefined; // settled and removed meanwhile
      throw error;
    });
    if (text === undefined) continue;
    let intent: SpawnIntent | undefined;
    try {
      intent = await openSealed<SpawnIntent>(stateDir, text);
    } catch (error) {
      if (!(error instanceof SyntaxError || error instanceof TypeError)) throw error;
      // Not JSON: intents are renamed into place whole, so this one names nothing to recover.
    }
    // Unsealed: this host did not write it, so it names nothing to recover.
    if (!intent) await rm(path, { force: true });
    else if (project === undefined || intent.project === project) intents.push(intent);
  }
  return intents;
}
