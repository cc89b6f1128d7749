// What a pid record's process is doing now: ownership, live group members, memory and CPU.
import { proveIdentity, type Ownership } from '../records/identity.js';
import type { PidRecord } from '../records/pid-file.js';
import { CLOCK_TICKS, groupUsage, readCwd, readProc, startTimeMs } from '../records/proc.js';
import type { LocalProcessFacts } from './reconcile.js';

export interface WorkerView {
  record: PidRecord;
  ownership: Ownership;
  why: string;
  /** Its group has live members we may signal (proven ours, or orphans of a gone leader). */
  alive: boolean;
  /** Live pids of its group; empty when not ours. */
  memberPids: number[];
  rssBytes: number;
  cpuTicks: number;
  /** Since the leader started, while alive. */
  uptimeMs?: number;
}

/** Observes one recorded worker; never signals anything. */
export function observeWorker(record: PidRecord, nowMs = Date.now()): WorkerView {
  const identity = proveIdentity(record);
  const usage =
    identity.ownership === 'recycled' ? { pids: [], rssBytes: 0, cpuTicks: 0 } : groupUsage(record.pgid);
  const alive = usage.pids.length > 0;
  return {
    record,
    ownership: identity.ownership,
    why:
      identity.ownership === 'gone' && alive
        ? `leader ${record.pid} is gone; its group lives on in ${usage.pids.join(', ')}`
        : identity.why,
    alive,
    memberPids: usage.pids,
    rssBytes: usage.rssBytes,
    cpuTicks: usage.cpuTicks,
    uptimeMs: alive ? nowMs - startTimeMs({ startTime: record.startTime }) : undefined,
  };
}

/** CPU use of each view's group in percent of one core, sampled over `ms`. */
export async function sampleCpuPercent(views: WorkerView[], ms = 500): Promise<Map<number, number>> {
  const before = new Map(views.map((v) => [v.record.pid, v.cpuTicks]));
  await new Promise((resolve) => setTimeout(resolve, ms));
  const result = new Map<number, number>();
  for (const view of views) {
    if (!view.alive) continue;
    const ticks = groupUsage(view.record.pgid).cpuTicks - (before.get(view.record.pid) ?? 0);
    result.set(view.record.pid, Math.max(0, Math.round(((ticks / CLOCK_TICKS) * 100_000) / ms) / 10));
  }
  return result;
}

/** Live local processes with the given pids (for poller reconciliation). */
export function localProcesses(pids: number[]): LocalProcessFacts[] {
  return pids.flatMap((pid) => {
    const info = readProc(pid);
    return info ? [{ pid, cmdline: info.cmdline, cwd: readCwd(pid) }] : [];
  });
}
