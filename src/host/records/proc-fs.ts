// The Linux backend: reads /proc directly (the facts that prove who a process is, in clock ticks
// since boot, and spawn tokens from /proc/<pid>/environ, readable for our own uid only).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { ProcInfo, ProcessBackend } from './process-backend.js';
import { SPAWN_TOKEN_ENV } from './token-name.js';

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

function readProc(pid: number): ProcInfo | undefined {
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

function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function tokenOfProcess(pid: number): string | undefined {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
  const prefix = `${SPAWN_TOKEN_ENV}=`;
  const entry = environ.split('\0').find((e) => e.startsWith(prefix));
  return entry?.slice(prefix.length);
}

/** True when /proc hides other users' processes (`hidepid`): a pid missing there may still run. */
export function procHidesPids(mountinfo: string): boolean {
  return mountinfo
    .split('\n')
    .some((line) => line.split(' ')[4] === '/proc' && /(^|[ ,])hidepid=(?!0\b|off\b)/.test(line));
}

let cachedBootId: string | undefined;

export const procBackend: ProcessBackend = {
  name: 'proc',
  readProc,
  listProcesses: () => listPids().flatMap((pid) => readProc(pid) ?? []),
  readCwd(pid) {
    try {
      return readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      return undefined;
    }
  },
  // Start ticks count from boot, so a pid file written before a reboot could match a new process
  // by pid and tick; the kernel's random boot id tells the two apart.
  bootId() {
    cachedBootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return cachedBootId;
  },
  bootTimeMs() {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    return Number(line?.split(' ')[1] ?? 0) * 1000;
  },
  processesWithToken(token) {
    return listPids().flatMap((pid) => (tokenOfProcess(pid) === token ? (readProc(pid) ?? []) : []));
  },
  tokenOfProcess,
  mapsLibrary(pid, fragment) {
    try {
      return readFileSync(`/proc/${pid}/maps`, 'latin1').includes(fragment);
    } catch {
      return false;
    }
  },
  hidesOtherUsers() {
    try {
      return procHidesPids(readFileSync('/proc/self/mountinfo', 'utf8'));
    } catch {
      return false;
    }
  },
};
