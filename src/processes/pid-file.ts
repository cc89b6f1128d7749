// Pid records: one JSON file per target worker we started, written atomically.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nanoid } from 'nanoid';

/** Everything needed to prove a process is ours and to explain it later. */
export interface PidRecord {
  kind: 'worker' | 'server';
  pid: number;
  pgid: number;
  /** /proc/<pid>/stat field 22 at spawn. */
  startTime: string;
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
  await writeFile(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, path);
  return path;
}

export async function removePidRecord(stateDir: string, record: PidRecord): Promise<void> {
  await rm(recordPath(stateDir, record), { force: true });
}

/** All readable records, optionally of one kind and project; unreadable files are skipped. */
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
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      const record = JSON.parse(await readFile(join(pidDir(stateDir), name), 'utf8')) as PidRecord;
      if (filter.kind && record.kind !== filter.kind) continue;
      if (filter.project && record.project !== filter.project) continue;
      records.push(record);
    } catch {
      // A record being replaced or hand-edited: ignore rather than act on it.
    }
  }
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
