// Stopping a process group we own: SIGTERM, a grace period, SIGKILL, then proof it is gone.
import { setTimeout as sleep } from 'node:timers/promises';
import { failpoint } from './failpoint.js';
import { proveIdentity, type Ownership } from './identity.js';
import type { PidRecord } from './pid-file.js';
import { groupMembers, readProc } from './proc.js';

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
  detail: string;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/**
 * Stops the group of a recorded process if, and only if, it is proven ours. When the leader is
 * gone but members of its group live on (orphans of a wrapper), they are ours too: a pgid
 * cannot be reused while any member holds it, and the leader pid is not alive as another process.
 */
export async function stopRecorded(record: PidRecord, graceMs: number): Promise<StopOutcome> {
  const identity = proveIdentity(record);
  const members = groupMembers(record.pgid).map((m) => m.pid);
  if (identity.ownership === 'recycled') {
    return { pid: record.pid, ownership: 'recycled', result: 'left-alone', members, detail: identity.why };
  }
  if (identity.ownership === 'gone') {
    const leaderReused = readProc(record.pgid) !== undefined && record.pgid !== record.pid;
    if (members.length === 0 || leaderReused) {
      return {
        pid: record.pid,
        ownership: 'gone',
        result: 'already-gone',
        members: [],
        detail: identity.why,
      };
    }
  }
  signalGroup(record.pgid, 'SIGTERM');
  failpoint('ensure:during-stop');
  if (await waitGroupGone(record.pgid, graceMs)) {
    return {
      pid: record.pid,
      ownership: identity.ownership,
      result: 'stopped',
      members,
      detail: 'exited after SIGTERM',
    };
  }
  signalGroup(record.pgid, 'SIGKILL');
  if (!(await waitGroupGone(record.pgid, 5000))) {
    const left = groupMembers(record.pgid).map((m) => m.pid);
    throw new Error(`process group ${record.pgid} survived SIGKILL: pids ${left.join(', ')}`);
  }
  return {
    pid: record.pid,
    ownership: identity.ownership,
    result: 'killed',
    members,
    detail: `still running ${graceMs} ms after SIGTERM; killed`,
  };
}
