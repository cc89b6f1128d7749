// Proof of ownership: a pid is ours only if it is alive, started when we recorded (same boot, same
// clock tick), and runs the command line we recorded. Anything else is never signalled.
import type { PidRecord } from './pid-file.js';
import { bootId, readProc } from './proc.js';

/**
 * - `ours`: alive, same start time (and boot), same command line or one it exec'd into.
 * - `gone`: no such process (or a zombie): the record is stale.
 * - `recycled`: the pid is alive but is another process (start time, boot or cmdline differ).
 */
export type Ownership = 'ours' | 'gone' | 'recycled';

export interface IdentityCheck {
  ownership: Ownership;
  why: string;
}

type Recorded = Pick<PidRecord, 'pid' | 'startTime' | 'cmdline' | 'execCmdline' | 'bootId'>;

/** True when `live` is the recorded command after a launcher exec'd its tail (`env A=1 python w.py` -> `python w.py`). */
export function isExecTail(recorded: string[], live: string[]): boolean {
  const words = recorded.flatMap((arg) => arg.split(/\s+/)).filter((w) => w !== '' && w !== 'exec');
  const tail = live.flatMap((arg) => arg.split(/\s+/)).filter((w) => w !== '');
  if (tail.length === 0 || tail.length > words.length) return false;
  const start = words.length - tail.length;
  return tail.every((word, i) => {
    const want = words[start + i]!;
    // The launcher may resolve the program through PATH: `python` becomes `/usr/bin/python`.
    return word === want || (i === 0 && word.endsWith(`/${want}`));
  });
}

/** Checks the recorded identity against the live process table. */
export function proveIdentity(record: Recorded): IdentityCheck {
  const live = readProc(record.pid);
  if (!live) return { ownership: 'gone', why: `pid ${record.pid} is not running` };
  if (record.bootId !== undefined && record.bootId !== bootId()) {
    return { ownership: 'recycled', why: `pid ${record.pid} was recorded before the last reboot` };
  }
  if (live.startTime !== record.startTime) {
    return {
      ownership: 'recycled',
      why: `pid ${record.pid} started at tick ${live.startTime}, recorded ${record.startTime}`,
    };
  }
  const seen = live.cmdline.join('\0');
  if (seen === record.cmdline.join('\0') || seen === record.execCmdline?.join('\0')) {
    return { ownership: 'ours', why: 'pid, start time and command line match' };
  }
  // Same boot, pid and start tick is the same process that exec'd since we looked (`env X=1
  // python ...`, `sh -c 'exec ...'`); the command line must still be the tail of the recorded one,
  // so a changed command line alone never proves anything. Records without a boot id cannot rule
  // out a reboot: for them the command line must match exactly.
  if (record.bootId !== undefined && isExecTail(record.cmdline, live.cmdline)) {
    return {
      ownership: 'ours',
      why: `pid, boot and start time match; it exec'd "${live.cmdline.join(' ')}"`,
    };
  }
  return {
    ownership: 'recycled',
    why: `pid ${record.pid} runs "${live.cmdline.join(' ')}", recorded "${record.cmdline.join(' ')}"`,
  };
}

/**
 * Records the command line a proven process runs now, when it exec'd since spawn: same pid and
 * start time mean the same process. Returns the updated record, or undefined when nothing changed.
 */
export function settledRecord(record: PidRecord): PidRecord | undefined {
  const live = readProc(record.pid);
  if (!live || live.startTime !== record.startTime) return undefined;
  if (record.bootId !== undefined && record.bootId !== bootId()) return undefined;
  const seen = live.cmdline.join('\0');
  if (seen === record.cmdline.join('\0') || seen === record.execCmdline?.join('\0')) return undefined;
  return { ...record, execCmdline: live.cmdline };
}
