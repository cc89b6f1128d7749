// Process facts on this host, through one platform backend: Linux /proc, or the portable one on
// `ps`/`lsof` (the default on macOS; TEMPORAL_OPS_PROCESS_BACKEND=portable forces it on Linux).
import { processBackendFromEnv, PROCESS_BACKEND_ENV } from '../../config.js';
import type { ProcInfo, ProcessBackend } from './process-backend.js';
import { procBackend } from './proc-fs.js';
import { portableBackend } from './proc-ps.js';

export type { ProcInfo } from './process-backend.js';

let chosen: { asked: string | undefined; backend: ProcessBackend } | undefined;

/** The backend in use: chosen from the environment on first use, and again when it changes. */
export function processBackend(): ProcessBackend {
  const asked = process.env[PROCESS_BACKEND_ENV];
  if (!chosen || chosen.asked !== asked) {
    const backend = processBackendFromEnv() === 'proc' ? procBackend : portableBackend;
    chosen = { asked, backend };
  }
  return chosen.backend;
}

/** Facts of a live process, or undefined when it is gone (zombies count as gone). */
export function readProc(pid: number): ProcInfo | undefined {
  return processBackend().readProc(pid);
}

/** Working directory of a process, when readable. */
export function readCwd(pid: number): string | undefined {
  return processBackend().readCwd(pid);
}

/** Live members of a process group. */
export function groupMembers(pgid: number): ProcInfo[] {
  return processBackend()
    .listProcesses()
    .filter((p) => p.pgid === pgid);
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

/**
 * This boot's id. Start ticks count from boot on /proc, so a pid file written before a reboot
 * could match a new process by pid and tick; the boot id tells the two apart.
 */
export function bootId(): string {
  return processBackend().bootId();
}

/** Epoch milliseconds at start tick 0, to turn start ticks into wall-clock time. */
export function bootTimeMs(): number {
  return processBackend().bootTimeMs();
}

/** Clock ticks per second: 100 on every Linux we target, and the portable backend's unit. */
export const CLOCK_TICKS = 100;

/** Wall-clock start time of a process in epoch milliseconds (`bootMs` saves re-reading it). */
export function startTimeMs(info: Pick<ProcInfo, 'startTime'>, bootMs = bootTimeMs()): number {
  return bootMs + (Number(info.startTime) * 1000) / CLOCK_TICKS;
}
