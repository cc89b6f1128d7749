// After a crash: turn what interrupted spawns of a project's worker on one task queue left into pid
// records, so the plan sees every worker we own. Run under that queue's worker lock, before reading
// the records: another queue's intents belong to spawns its own lock may have in progress.
import { setTimeout as sleep } from 'node:timers/promises';
import { readIntents, removeIntent, type SpawnIntent } from '../records/intent.js';
import { readPidRecords, writePidRecord, type PidRecord } from '../records/pid-file.js';
import { bootId, groupMembers, type ProcInfo } from '../records/proc.js';
import { processesWithToken } from '../records/spawn-token.js';
import type { StopOutcome } from './stop.js';

/** What settling the intents did: records written for found leaders, groups stopped for leaderless ones. */
export interface Settled {
  recorded: PidRecord[];
  stopped: StopOutcome[];
}

function recordOf(intent: SpawnIntent, leader: ProcInfo): PidRecord {
  return {
    ...intent,
    pid: leader.pid,
    pgid: leader.pgid,
    startTime: leader.startTime,
    bootId: bootId(),
    cmdline: leader.cmdline,
  };
}

/** Stops a group whose members carry our token (that proves them ours); a leader was never recorded. */
async function stopTokenGroup(
  stateDir: string,
  pgid: number,
  token: string,
  graceMs: number,
): Promise<StopOutcome> {
  const members = groupMembers(pgid).map((m) => m.pid);
  const signal = (name: NodeJS.Signals) => {
    // Re-prove before each signal: some member of the group still carries the token.
    if (!processesWithToken(stateDir, token).some((p) => p.pgid === pgid)) return false;
    try {
      process.kill(-pgid, name);
    } catch {
      return false;
    }
    return true;
  };
  const gone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (groupMembers(pgid).length > 0 && Date.now() < deadline) await sleep(50);
    return groupMembers(pgid).length === 0;
  };
  const detail = `unrecorded group ${pgid} of an interrupted spawn (token ${token})`;
  if (!signal('SIGTERM')) return { pid: pgid, ownership: 'gone', result: 'already-gone', members, detail };
  if (await gone(graceMs)) return { pid: pgid, ownership: 'ours', result: 'stopped', members, detail };
  signal('SIGKILL');
  await gone(5000);
  return { pid: pgid, ownership: 'ours', result: 'killed', members, detail };
}

/**
 * For each intent of the project's worker on `taskQueue`: a live leader carrying its token gets its
 * pid record; members without their leader (a wrapper died, its child lives on) are stopped; then
 * the intent goes.
 */
export async function settleIntents(
  stateDir: string,
  project: string,
  taskQueue: string,
  graceMs: number,
): Promise<Settled> {
  const settled: Settled = { recorded: [], stopped: [] };
  const intents = (await readIntents(stateDir, project)).filter((i) => i.taskQueue === taskQueue);
  if (intents.length === 0) return settled;
  const records = await readPidRecords(stateDir, { kind: 'worker', project });
  for (const intent of intents) {
    const token = intent.spawnToken;
    if (!records.some((r) => r.spawnToken === token)) {
      const found = processesWithToken(stateDir, token);
      const leader = found
        .filter((p) => p.pid === p.pgid)
        .sort((a, b) => Number(a.startTime) - Number(b.startTime))[0];
      if (leader) {
        const record = recordOf(intent, leader);
        await writePidRecord(stateDir, record);
        settled.recorded.push(record);
      } else {
        for (const pgid of new Set(found.map((p) => p.pgid)))
          settled.stopped.push(await stopTokenGroup(stateDir, pgid, token, graceMs));
      }
    }
    await removeIntent(stateDir, token);
  }
  return settled;
}
