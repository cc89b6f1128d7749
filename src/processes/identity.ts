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
export function proveIdentity(record: Pick<PidRecord, 'pid' | 'startTime' | 'cmdline'>): IdentityCheck {
  const live = readProc(record.pid);
  if (!live) return { ownership: 'gone', why: `pid ${record.pid} is not running` };
  if (live.startTime !== record.startTime) {
    return { ownership: 'recycled', why: `pid ${record.pid} started at tick ${live.startTime}, recorded ${record.startTime}` };
  }
  if (live.cmdline.join('\0') !== record.cmdline.join('\0')) {
    return { ownership: 'recycled', why: `pid ${record.pid} runs "${live.cmdline.join(' ')}", recorded "${record.cmdline.join(' ')}"` };
  }
  return { ownership: 'ours', why: 'pid, start time and command line match' };
}
