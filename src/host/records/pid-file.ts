// Pid records: one JSON file per target worker we started, written atomically.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { removeIfOld } from './intent.js';
import { openSealed, sealJson } from './seal.js';

/** How a process ended, as seen by the process that spawned it (the only one that can see it). */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  atMs: number;
  /** Why, when we know more than the code (e.g. stopped because it never polled). */
  note?: string;
}

/** Everything needed to prove a process is ours and to explain it later. */
export interface PidRecord {
  kind: 'worker' | 'server';
  pid: number;
  pgid: number;
  /** Start time at spawn, in the process backend's ticks (ProcInfo.startTime). */
  startTime: string;
  /** The backend's boot id at spawn (absent in records of older versions). */
  bootId?: string;
  cmdline: string[];
  /** Command line after the program exec'd another (e.g. `env X=1 python worker.py`), same pid and start time. */
  execCmdline?: string[];
  cwd: string;
  project: string;
  taskQueue: string;
  logPath: string;
  /** git commit + hash of uncommitted changes of the project at spawn. */
  fingerprint: string;
  command: string;
  startedAt: string;
  host: string;
  /** The spawn token it carries (records/spawn-token.ts): finds it again after a crash. */
  spawnToken?: string;
  /** Who asked for this worker (e.g. `workflow <id>/<run>`), so a recipe can tell its own worker from a concurrent one's. */
  startedBy?: string;
  /** Environment given for this worker on top of the connection env; a restart reuses it. */
  env?: Record<string, string>;
  /** Workers of this project started before this one by restart, ensure or crash supervision. */
  restarts?: number;
  /** When the server first listed a poller of this worker's group (epoch ms). */
  readyAtMs?: number;
  pollerIdentity?: string;
  /** Written by the spawning process when it saw the worker exit without being stopped by us. */
  exit?: ExitInfo;
  /**
   * What was spawned, when that process daemonised (left its group, the parent exited) and this
   * record was moved to the process that polls; its start tick still bounds the token sweep.
   */
  spawned?: { pid: number; pgid: number; startTime: string; movedAtMs: number };
  /** Where this worker's section of the log starts: its header line at `offset` names `id`. */
  logSection?: { id: string; offset: number };
  /** Written when crash supervision stopped restarting this project's worker. */
  gaveUp?: { atMs: number; reason: string };
}

export function pidDir(stateDir: string): string {
  return join(stateDir, 'pids');
}

function recordPath(stateDir: string, record: Pick<PidRecord, 'kind' | 'project' | 'pid'>): string {
  return join(pidDir(stateDir), `${record.kind}-${record.project}-${record.pid}.json`);
}

/** Writes a record via a temporary file and rename, so readers never see half a record. */
export async function writePidRecord(stateDir: string, record: PidRecord): Promise<string> {
  await mkdir(pidDir(stateDir), { recursive: true });
  const path = recordPath(stateDir, record);
  const tmp = `${path}.${nanoid(6)}.tmp`;
  await writeFile(tmp, await sealJson(stateDir, record), { mode: 0o600 });
  await rename(tmp, path);
  return path;
}

/**
 * Applies `patch` (or the patch it computes from the stored record) to the stored record of the
 * same process, if still stored; returns the new record, or undefined when it is gone (stopped
 * and removed meanwhile). Call under the project lock: this is a read-modify-write.
 */
export async function updatePidRecord(
  stateDir: string,
  record: PidRecord,
  patch: Partial<PidRecord> | ((stored: PidRecord) => Partial<PidRecord>),
): Promise<PidRecord | undefined> {
  let stored: PidRecord | undefined;
  try {
    stored = await openSealed<PidRecord>(stateDir, await readFile(recordPath(stateDir, record), 'utf8'));
  } catch {
    return undefined;
  }
  if (!stored || stored.startTime !== record.startTime) return undefined;
  const next = { ...stored, ...(typeof patch === 'function' ? patch(stored) : patch) };
  await writePidRecord(stateDir, next);
  return next;
}

export async function removePidRecord(stateDir: string, record: PidRecord): Promise<void> {
  await rm(recordPath(stateDir, record), { force: true });
}

/**
 * All readable records this host wrote (sealed with its key), optionally of one kind and project;
 * unreadable or unsealed files are skipped: nothing is ever done to a process they name.
 */
export async function readPidRecords(
  stateDir: string,
  filter: { kind?: PidRecord['kind']; project?: string } = {},
): Promise<PidRecord[]> {
  let names: string[];
  try {
    names = await readdir(pidDir(stateDir));
  } catch {
    return [];
  }
  const records: PidRecord[] = [];
  // A crash between write and rename leaves a temporary file: it must not pile up.
  await Promise.all(
    names.filter((n) => n.endsWith('.tmp')).map((n) => removeIfOld(join(pidDir(stateDir), n))),
  );
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      const record = await openSealed<PidRecord>(
        stateDir,
        await readFile(join(pidDir(stateDir), name), 'utf8'),
      );
      if (!record) continue;
      if (filter.kind && record.kind !== filter.kind) continue;
      if (filter.project && record.project !== filter.project) continue;
      records.push(record);
    } catch {
      // A record being replaced or hand-edited: ignore rather than act on it.
    }
  }
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
