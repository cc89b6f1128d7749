// Proof of ownership: a pid is ours only if it is alive, started when we recorded, and runs
// the command line we recorded. Anything else is never signalled.
import type { PidRecord } from './pid-file.js';
import { readProc } from './proc.js';

/**
 * - `ours`: alive, same start time, same command line.
 * - `gone`: no such process (or a zombie): the record is stale.
 * - `recycled`: the pid is alive but is another process (start time or cmdline differ).
 */
export type Ownership = 'ours' | 'gone' | 'recycled';

export interface IdentityCheck {
  ownership: Ownership;
  why: string;
}

/** Checks the recorded identity against the live process table. */
export function proveIdentity(record: Pick<PidRecord, 'pid' | 'startTime' | 'cmdline' | 'execCmdline'>): IdentityCheck {
  const live = readProc(record.pid);
  if (!live) return { ownership: 'gone', why: `pid ${record.pid} is not running` };
  if (live.startTime !== record.startTime) {
    return { ownership: 'recycled', why: `pid ${record.pid} started at tick ${live.startTime}, recorded ${record.startTime}` };
  }
  const seen = live.cmdline.join('\0');
  if (seen !== record.cmdline.join('\0') && seen !== record.execCmdline?.join('\0')) {
    return { ownership: 'recycled', why: `pid ${record.pid} runs "${live.cmdline.join(' ')}", recorded "${record.cmdline.join(' ')}"` };
  }
  return { ownership: 'ours', why: 'pid, start time and command line match' };
}

/**
 * Records the command line a proven process runs now, when it exec'd since spawn: same pid and
 * start time mean the same process. Returns the updated record, or undefined when nothing changed.
 */
export function settledRecord(record: PidRecord): PidRecord | undefined {
  const live = readProc(record.pid);
  if (!live || live.startTime !== record.startTime) return undefined;
  const seen = live.cmdline.join('\0');
  if (seen === record.cmdline.join('\0') || seen === record.execCmdline?.join('\0')) return undefined;
  return { ...record, execCmdline: live.cmdline };
}
