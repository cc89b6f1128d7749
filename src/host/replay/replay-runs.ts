// Replay processes outlive a killed control worker: each replay run is recorded before its spawn
// (its spawn token and the process that owns it) and forgotten once its processes are gone. A
// record whose owner no longer runs names an orphan, which the next replay check or control
// worker start stops: only processes that carry the record's token and started after it.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import { stillCarries, tokenProcesses, type SpawnFacts } from '../workers/escaped.js';
import { removeIfOld } from '../records/intent.js';
import { bootId, readProc } from '../records/proc.js';
import { openSealed, sealJson } from '../records/seal.js';
import { freshToken } from '../records/spawn-token.js';

/** One replay run: enough to find its processes (token, start) and to tell whether its owner lives. */
export interface ReplayRunRecord {
  spawnToken: string;
  startedAt: string;
  bootId: string;
  /** The process that spawned the replay and waits for it (pid and start tick). */
  owner: { pid: number; startTime: string };
  command: string;
  cwd: string;
}

/** What stopping an orphaned replay run did. */
export interface StoppedReplay {
  spawnToken: string;
  command: string;
  /** Pids that carried the token and were killed. */
  killed: number[];
  /** True when none of its processes is left (the record is then removed). */
  gone: boolean;
}

const dirOf = (stateDir: string) => join(stateDir, 'replays');
const pathOf = (stateDir: string, token: string) => join(dirOf(stateDir), `${token}.json`);

function factsOf(record: ReplayRunRecord): SpawnFacts {
  return { spawnToken: record.spawnToken, startTime: '', startedAt: record.startedAt, bootId: record.bootId };
}

/** Records a replay run of this process before its spawn; the token goes into its environment. */
export async function recordReplayRun(
  stateDir: string,
  run: Pick<ReplayRunRecord, 'command' | 'cwd'>,
): Promise<ReplayRunRecord> {
  const self = readProc(process.pid);
  const record: ReplayRunRecord = {
    spawnToken: freshToken(),
    startedAt: new Date().toISOString(),
    bootId: bootId(),
    owner: { pid: process.pid, startTime: self?.startTime ?? '' },
    ...run,
  };
  await mkdir(dirOf(stateDir), { recursive: true });
  const path = pathOf(stateDir, record.spawnToken);
  const tmp = `${path}.${nanoid(6)}.tmp`;
  await writeFile(tmp, await sealJson(stateDir, record), { mode: 0o600 });
  await rename(tmp, path);
  return record;
}

/** SIGKILLs every process of the run, re-proving each first; true once none is left (bounded wait). */
async function killRun(stateDir: string, record: ReplayRunRecord, killed: number[]): Promise<boolean> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const left = tokenProcesses(stateDir, factsOf(record));
    if (left.length === 0) return true;
    if (Date.now() >= deadline) return false;
    for (const p of left) {
      if (!stillCarries(stateDir, p, record.spawnToken)) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
        if (!killed.includes(p.pid)) killed.push(p.pid);
      } catch {
        // gone meanwhile
      }
    }
    await sleep(20);
  }
}

/** Ends a run of this process: kills whatever still carries its token, then drops the record. */
export async function endReplayRun(stateDir: string, record: ReplayRunRecord): Promise<void> {
  if (await killRun(stateDir, record, [])) await rm(pathOf(stateDir, record.spawnToken), { force: true });
}

async function readRecords(stateDir: string): Promise<ReplayRunRecord[]> {
  const names = await readdir(dirOf(stateDir)).catch(() => [] as string[]);
  const records: ReplayRunRecord[] = [];
  for (const name of names) {
    const path = join(dirOf(stateDir), name);
    if (name.endsWith('.tmp')) {
      await removeIfOld(path);
      continue;
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // ended and removed meanwhile
    let record: ReplayRunRecord | undefined;
    try {
      record = await openSealed<ReplayRunRecord>(stateDir, text);
    } catch {
      // not JSON: written whole by rename, so it names nothing
    }
    // Unsealed: this host did not write it, so it proves nothing.
    if (record) records.push(record);
    else await rm(path, { force: true });
  }
  return records;
}

function ownerRuns(record: ReplayRunRecord): boolean {
  if (record.bootId !== bootId()) return false;
  const owner = readProc(record.owner.pid);
  return owner !== undefined && owner.startTime === record.owner.startTime;
}

/**
 * Stops the replay runs whose owner is gone (killed with -9, or another boot): every process that
 * carries the run's spawn token and started after it, then removes the record. Runs of a live
 * owner are left alone: it stops them itself.
 */
export async function stopOrphanedReplays(stateDir: string): Promise<StoppedReplay[]> {
  const stopped: StoppedReplay[] = [];
  for (const record of await readRecords(stateDir)) {
    if (ownerRuns(record)) continue;
    const killed: number[] = [];
    const gone = await killRun(stateDir, record, killed);
    if (gone) await rm(pathOf(stateDir, record.spawnToken), { force: true });
    stopped.push({ spawnToken: record.spawnToken, command: record.command, killed, gone });
  }
  return stopped;
}
