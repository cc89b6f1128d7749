// The processes of a recorded worker wherever they went: a worker that daemonises (fork, setsid,
// parent exits) leaves its process group but keeps our spawn token in its environment.
import type { PidRecord } from '../records/pid-file.js';
import { bootId, readProc, startTimeMs, type ProcInfo } from '../records/proc.js';
import { processesWithToken, tokenOfProcess } from '../records/spawn-token.js';

/** What proves a process belongs to a spawn: its token, and a start at or after the spawn (same boot). */
export type SpawnFacts = Pick<PidRecord, 'spawnToken' | 'startTime' | 'startedAt' | 'bootId' | 'spawned'>;

function startedSince(spawn: SpawnFacts, process: ProcInfo): boolean {
  const tick = spawn.spawned?.startTime ?? spawn.startTime;
  if (tick !== '') return Number(process.startTime) >= Number(tick);
  // A record written when the leader exited before we read its start tick. Wall-clock start times
  // are whole seconds (ps's lstart) counted from a boot time of whole seconds: up to 2 s early.
  return startTimeMs(process) >= Date.parse(spawn.startedAt) - 2000;
}

/**
 * Live processes that carry the record's spawn token and started at or after its spawn. With
 * `keep` (a later spawn of the same token that the caller keeps), processes from its spawn on are
 * left out: they are that worker's.
 */
export function tokenProcesses(stateDir: string, record: SpawnFacts, keep?: SpawnFacts): ProcInfo[] {
  const token = record.spawnToken;
  if (token === undefined || token === '') return [];
  if (record.bootId !== undefined && record.bootId !== bootId()) return [];
  const later = keep?.spawnToken === token ? keep : undefined;
  return processesWithToken(stateDir, token).filter(
    (p) => startedSince(record, p) && !(later && startedSince(later, p)),
  );
}

/** True when `process` still runs (same start tick) and still carries `token`: re-proven before each signal. */
export function stillCarries(stateDir: string, process: ProcInfo, token: string): boolean {
  return (
    readProc(process.pid)?.startTime === process.startTime && tokenOfProcess(stateDir, process.pid) === token
  );
}
