// Reading Linux /proc: the facts that prove who a process is. Missing processes read as undefined.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): unique per pid lifetime. */
  startTime: string;
  /** One-letter state; 'Z' is a zombie (exited, not yet reaped). */
  state: string;
  cmdline: string[];
  rssBytes: number;
  /** user + system CPU time in clock ticks. */
  cpuTicks: number;
}

const PAGE_SIZE = 4096;

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses, so split after the last ')'. */
function parseStat(pid: number, stat: string): Omit<ProcInfo, 'cmdline'> {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const field = (n: number): string => rest[n - 3] ?? '0';
  return {
    pid,
    state: field(3),
    ppid: Number(field(4)),
    pgid: Number(field(5)),
    cpuTicks: Number(field(14)) + Number(field(15)),
    startTime: field(22),
    rssBytes: Number(field(24)) * PAGE_SIZE,
  };
}

/** Facts of a live process, or undefined when it is gone (zombies count as gone). */
export function readProc(pid: number): ProcInfo | undefined {
  try {
    const info = parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (info.state === 'Z' || info.state === 'X') return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((arg) => arg !== '');
    return { ...info, cmdline };
  } catch {
    return undefined;
  }
}

/** Working directory of a process, when readable. */
export function readCwd(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** Pids of all live processes. */
export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Live members of a process group. */
export function groupMembers(pgid: number): ProcInfo[] {
  const members: ProcInfo[] = [];
  for (const pid of listPids()) {
    const info = readProc(pid);
    if (info?.pgid === pgid) members.push(info);
  }
  return members;
}

/** Resource use of a process group: the sum over its live members. */
export interface GroupUsage {
  pids: number[];
  rssBytes: number;
  cpuTicks: number;
}

/** Sums RSS and CPU ticks over the live members of a group (a wrapper and its Python child). */
export function groupUsage(pgid: number): GroupUsage {
  const members = groupMembers(pgid);
  return {
    pids: members.map((m) => m.pid),
    rssBytes: members.reduce((sum, m) => sum + m.rssBytes, 0),
    cpuTicks: members.reduce((sum, m) => sum + m.cpuTicks, 0),
  };
}

let cachedBootId: string | undefined;

/**
 * This boot's random id. Start ticks count from boot, so a pid file written before a reboot could
 * match a new process by pid and tick; the boot id tells the two apart.
 */
export function bootId(): string {
  cachedBootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return cachedBootId;
}

/** Boot time in epoch milliseconds, to turn start ticks into wall-clock time. */
export function bootTimeMs(): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('btime '));
  return Number(line?.split(' ')[1] ?? 0) * 1000;
}

/** Clock ticks per second; 100 on every Linux we target. */
export const CLOCK_TICKS = 100;

/** Wall-clock start time of a process in epoch milliseconds (`bootMs` saves re-reading /proc/stat). */
export function startTimeMs(info: Pick<ProcInfo, 'startTime'>, bootMs = bootTimeMs()): number {
  return bootMs + (Number(info.startTime) * 1000) / CLOCK_TICKS;
}
