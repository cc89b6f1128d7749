// Stopping a worker we own: SIGTERM to its group and to every process that carries its spawn token
// (a daemonised child left the group), a grace period, SIGKILL, then proof they are gone.
import { setTimeout as sleep } from 'node:timers/promises';
import { tokenProcesses, stillCarries, type SpawnFacts } from './escaped.js';
import { failpoint } from '../records/failpoint.js';
import { proveIdentity, type Ownership } from '../records/identity.js';
import type { PidRecord } from '../records/pid-file.js';
import { groupMembers, readProc, type ProcInfo } from '../records/proc.js';

export interface StopOutcome {
  pid: number;
  /** What we found before acting. */
  ownership: Ownership;
  /**
   * `stopped` by SIGTERM, `killed` after the grace period, `already-gone`, `left-alone` (not
   * proven ours: never signalled), or `spared` (started after the stop was requested).
   */
  result: 'stopped' | 'killed' | 'already-gone' | 'left-alone' | 'spared';
  /** Members of the group that were still alive when we started (wrapper children included). */
  members: number[];
  /** Processes outside the group that carried its spawn token (it daemonised), stopped as well. */
  escaped?: number[];
  detail: string;
}

export interface StopOptions {
  /** A worker the caller keeps that carries the same spawn token (a retry adopted it): its processes are spared. */
  keep?: SpawnFacts;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Signals each process by pid, re-proving first that it still carries the token. */
function signalEach(stateDir: string, processes: ProcInfo[], token: string, signal: NodeJS.Signals): void {
  for (const p of processes) {
    if (!stillCarries(stateDir, p, token)) continue;
    try {
      process.kill(p.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** Whether the recorded group may be signalled: proven ours, or orphans of a gone leader. */
function groupIsOurs(record: PidRecord, ownership: Ownership, members: number[]): boolean {
  if (ownership === 'ours') return true;
  if (ownership === 'recycled' || members.length === 0) return false;
  // A pgid cannot be reused while any member holds it, and the leader pid is not alive as another process.
  return !(readProc(record.pgid) !== undefined && record.pgid !== record.pid);
}

/**
 * Stops a recorded worker if, and only if, it is proven ours: its group (when the leader is
 * proven, or gone with orphans of a wrapper left), and every process outside it that carries its
 * spawn token and started after its spawn. Nothing else is ever signalled.
 */
export async function stopRecorded(
  stateDir: string,
  record: PidRecord,
  graceMs: number,
  options: StopOptions = {},
): Promise<StopOutcome> {
  const identity = proveIdentity(record);
  const members = groupMembers(record.pgid).map((m) => m.pid);
  const group = groupIsOurs(record, identity.ownership, members);
  const outside = () =>
    tokenProcesses(stateDir, record, options.keep).filter((p) => !(group && p.pgid === record.pgid));
  const escaped = outside();
  const base = {
    pid: record.pid,
    ownership: identity.ownership,
    members: group ? members : [],
    ...(escaped.length > 0 ? { escaped: escaped.map((p) => p.pid) } : {}),
  };
  if (!group && escaped.length === 0) {
    const result = identity.ownership === 'recycled' ? 'left-alone' : 'already-gone';
    return { ...base, result, detail: identity.why };
  }
  const token = record.spawnToken ?? '';
  const signalAll = (signal: NodeJS.Signals) => {
    if (group) signalGroup(record.pgid, signal);
    signalEach(stateDir, outside(), token, signal);
  };
  const allGone = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((!group || groupMembers(record.pgid).length === 0) && outside().length === 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(50);
    }
  };
  const also =
    escaped.length > 0
      ? `; also ${escaped.length} process(es) outside its group that carried its spawn token (${escaped.map((p) => p.pid).join(', ')}): it daemonised`
      : '';
  const before = group ? '' : `${identity.why}; `;
  signalAll('SIGTERM');
  failpoint('ensure:during-stop');
  if (await allGone(graceMs))
    return { ...base, result: 'stopped', detail: `${before}exited after SIGTERM${also}` };
  signalAll('SIGKILL');
  if (!(await allGone(5000))) {
    const left = [...(group ? groupMembers(record.pgid) : []), ...outside()].map((m) => m.pid);
    throw new Error(`worker ${record.pid} survived SIGKILL: pids ${left.join(', ')}`);
  }
  return {
    ...base,
    result: 'killed',
    detail: `${before}still running ${graceMs} ms after SIGTERM; killed${also}`,
  };
}
