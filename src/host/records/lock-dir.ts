// A lock on disk (per project, or per task queue of a project): a directory that appears and
// leaves only by rename, so every transition is atomic. `<name>.lock/owner.json` names the holder;
// a holder's lock leaves only by a rename to `<name>.reap-<nonce>`, which exists from then on. A
// second rename to the same name fails (the target is a non-empty directory), so two processes
// that both see a dead holder can never both take its lock over, and a late one cannot move the
// new holder's lock away.
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Who holds a lock; the pid facts let others prove the holder is still alive. */
export interface LockOwner {
  /** Unique per acquisition. */
  nonce: string;
  pid: number;
  startTime: string;
  bootId: string;
  cmdline: string[];
  acquiredAtMs: number;
  /** What holds it (e.g. `activity ensureWorker of workflow X`), for messages. */
  holder?: string;
}

/** The owner as read, with when it last renewed its lease (owner.json's mtime). */
export interface ObservedOwner {
  owner?: LockOwner;
  renewedAtMs: number;
  /** Inode of the lock directory: names the reap target when the owner file is unreadable. */
  ino: number;
}

/** Reap directories older than this are deleted: no contender waits that long between read and rename. */
const REAP_KEEP_MS = 10 * 60_000;

function refused(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

/** Creates the lock directory with its owner file in one rename; false when another holds it. */
export async function tryCreate(lockDir: string, owner: LockOwner): Promise<boolean> {
  const claim = `${lockDir}.claim-${owner.nonce}`;
  await mkdir(claim, { recursive: true });
  await writeFile(join(claim, 'owner.json'), JSON.stringify(owner) + '\n', { mode: 0o600 });
  try {
    await rename(claim, lockDir);
    return true;
  } catch (error) {
    await rm(claim, { recursive: true, force: true });
    if (refused(error)) return false;
    throw error;
  }
}

/** The current owner, or undefined when no lock directory exists. */
export async function observe(lockDir: string): Promise<ObservedOwner | undefined> {
  let ino: number;
  try {
    ino = (await stat(lockDir)).ino;
  } catch {
    return undefined;
  }
  try {
    const path = join(lockDir, 'owner.json');
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { owner: JSON.parse(text) as LockOwner, renewedAtMs: info.mtimeMs, ino };
  } catch {
    // Cannot happen with our writes (the directory arrives complete); a hand-edited file.
    const info = await stat(lockDir).catch(() => undefined);
    return info ? { renewedAtMs: info.mtimeMs, ino } : undefined;
  }
}

function reapName(lockDir: string, seen: ObservedOwner): string {
  return `${lockDir}.reap-${seen.owner?.nonce ?? `ino${seen.ino}`}`;
}

/**
 * Moves the lock away iff it still is the one `seen` describes; true when this call moved it.
 * Used both to release one's own lock and to take over a dead or expired one.
 */
export async function moveAway(lockDir: string, seen: ObservedOwner): Promise<boolean> {
  try {
    await rename(lockDir, reapName(lockDir, seen));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (refused(error) || code === 'ENOENT') return false;
    throw error;
  }
}

/** Renews the lease: true while `nonce` still holds the lock. */
export async function renew(lockDir: string, nonce: string): Promise<boolean> {
  const seen = await observe(lockDir);
  if (seen?.owner?.nonce !== nonce) return false;
  const now = new Date();
  await utimes(join(lockDir, 'owner.json'), now, now).catch(() => undefined);
  return true;
}

/** Deletes reap directories and abandoned claims of this lock older than REAP_KEEP_MS. */
export async function sweepOld(lockDir: string, nowMs = Date.now()): Promise<void> {
  const parent = join(lockDir, '..');
  const base = lockDir.slice(parent.length + 1);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(`${base}.reap-`) && !name.startsWith(`${base}.claim-`)) continue;
    const path = join(parent, name);
    const info = await stat(path).catch(() => undefined);
    if (info && nowMs - info.ctimeMs > REAP_KEEP_MS) await rm(path, { recursive: true, force: true });
  }
}
