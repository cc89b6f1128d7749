// Confirming a fresh worker is ready, and cleaning up when it is not: a worker that never polls is
// stopped (no orphan) and the failure carries its exit and log tail.
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerNotReadyError } from '../../errors.js';
import { tokenProcesses } from './escaped.js';
import { settledRecord } from '../records/identity.js';
import { rotateIfLarge, sectionTail } from '../logs/logs.js';
import {
  readPidRecords,
  removePidRecord,
  updatePidRecord,
  writePidRecord,
  type ExitInfo,
  type PidRecord,
} from '../records/pid-file.js';
import type { PollerSource } from './pollers.js';
import { bootId, type ProcInfo } from '../records/proc.js';
import { waitForPoller } from './readiness.js';
import { stopRecorded, type StopOutcome } from './stop.js';

export interface ReadyInfo {
  waitedMs: number;
  /** When we saw the poller (epoch ms). */
  readyAtMs: number;
  /** The poller's last access when we saw it: its first poll, or a little later. */
  firstPollMs: number;
  pollerIdentity: string;
  /** Set when the spawned process daemonised: its record now names the process that polls. */
  daemonised?: { spawnedPid: number; pid: number; pgid: number };
  /** The record with readiness noted (or as given, when it was removed meanwhile). */
  record: PidRecord;
}

/** The JSON-friendly part of ReadyInfo. */
export function readyFacts({
  waitedMs,
  readyAtMs,
  firstPollMs,
  pollerIdentity,
  daemonised,
}: ReadyInfo): Omit<ReadyInfo, 'record'> {
  return { waitedMs, readyAtMs, firstPollMs, pollerIdentity, ...(daemonised ? { daemonised } : {}) };
}

export interface ConfirmOptions {
  timeoutMs: number;
  pollers: PollerSource;
  graceMs: number;
  onTick?: () => void;
  /** Resolves when the worker exits (when this process spawned it). */
  exited?: Promise<unknown>;
  exitOf?: (pid: number) => ExitInfo | undefined;
  /** Stops the wait (it then rejects with the signal's reason; the worker is left to the caller). */
  signal?: AbortSignal;
  /** Runs the record changes after the wait; pass the project lock when the caller does not hold it. */
  locked?: <T>(fn: () => Promise<T>) => Promise<T>;
}

async function exitInfo(record: PidRecord, options: ConfirmOptions): Promise<ExitInfo | undefined> {
  // The group may vanish from /proc a moment before the spawner's exit event arrives.
  if (options.exited) await Promise.race([options.exited, sleep(1000)]);
  return options.exitOf?.(record.pid) ?? record.exit;
}

/**
 * The worker daemonised and polls from `polling`, outside the spawned group: it is still ours (it
 * carries the spawn token), so its record moves to it (the group leader when that carries the
 * token too). Written before the old record goes, so a crash in between leaves it recorded.
 */
async function followDaemon(
  stateDir: string,
  record: PidRecord,
  polling: ProcInfo,
  noted: Partial<PidRecord>,
): Promise<PidRecord | undefined> {
  const stored = (await readPidRecords(stateDir, { kind: 'worker', project: record.project })).find(
    (r) => r.pid === record.pid && r.startTime === record.startTime,
  );
  if (!stored) return undefined;
  const leader = tokenProcesses(stateDir, stored).find((p) => p.pid === polling.pgid) ?? polling;
  const moved: PidRecord = {
    ...stored,
    ...noted,
    pid: leader.pid,
    pgid: leader.pgid,
    startTime: leader.startTime,
    bootId: bootId(),
    cmdline: leader.cmdline,
    execCmdline: undefined,
    exit: undefined,
    spawned: stored.spawned ?? {
      pid: stored.pid,
      pgid: stored.pgid,
      startTime: stored.startTime,
      movedAtMs: Date.now(),
    },
  };
  await writePidRecord(stateDir, moved);
  await removePidRecord(stateDir, stored);
  return moved;
}

/** Waits until the server lists a poller of the record's group; on failure stops it and throws WorkerNotReadyError. */
export async function confirmReady(
  stateDir: string,
  record: PidRecord,
  options: ConfirmOptions,
): Promise<ReadyInfo> {
  const locked = options.locked ?? ((fn) => fn());
  const outcome = await waitForPoller({
    pgid: record.pgid,
    sinceMs: Date.parse(record.startedAt),
    timeoutMs: options.timeoutMs,
    listPollers: () => options.pollers(record.taskQueue),
    escaped: () => tokenProcesses(stateDir, record),
    exited: options.exited,
    onTick: options.onTick,
    signal: options.signal,
  });
  if (outcome.ready) {
    const ready = { readyAtMs: outcome.readyAtMs, pollerIdentity: outcome.poller.identity };
    const { outside } = outcome;
    const noted = await locked(async () => {
      if (outside) return followDaemon(stateDir, record, outside, ready);
      const settled = settledRecord(record) ?? record;
      return updatePidRecord(stateDir, record, { execCmdline: settled.execCmdline, ...ready });
    });
    return {
      waitedMs: outcome.waitedMs,
      readyAtMs: outcome.readyAtMs,
      firstPollMs: outcome.poller.lastAccessTimeMs,
      pollerIdentity: outcome.poller.identity,
      ...(outside && noted
        ? { daemonised: { spawnedPid: record.pid, pid: noted.pid, pgid: noted.pgid } }
        : {}),
      record: noted ?? record,
    };
  }
  // The record stays, with how it ended: `worker list` shows the failed start, the next start forgets it.
  const queue = `task queue "${record.taskQueue}"`;
  const note =
    outcome.reason === 'timeout'
      ? `did not poll ${queue} within ${outcome.waitedMs} ms; stopped by temporal-ops`
      : `exited before polling ${queue}`;
  const stop = await locked(async (): Promise<StopOutcome | undefined> => {
    const stored = (await readPidRecords(stateDir, { kind: 'worker', project: record.project })).find(
      (r) => r.pid === record.pid,
    );
    if (!stored) return undefined;
    const stopped = await stopRecorded(stateDir, stored, options.graceMs);
    const exit = await exitInfo(stored, options);
    await updatePidRecord(stateDir, stored, {
      exit: { code: exit?.code ?? null, signal: exit?.signal ?? null, atMs: exit?.atMs ?? Date.now(), note },
    });
    return stopped;
  });
  const stillRecorded = stop !== undefined;
  // Processes outside its group that carried its token: it daemonised, and they were stopped too.
  const escaped = stop?.escaped ?? [];
  const daemonNote =
    escaped.length > 0
      ? `; it daemonised: ${escaped.length} process(es) outside its group carried its spawn token (${escaped.join(', ')}) and were stopped`
      : '';
  const exit = await exitInfo(record, options);
  await rotateIfLarge(record.logPath).catch(() => false);
  // Only this worker's lines: a previous worker's traceback would mislead.
  const logTail = await sectionTail(record, 30);
  let message: string;
  if (outcome.reason === 'timeout') {
    message =
      `worker ${record.pid} ${note}` +
      (outcome.lastError ? ` (last DescribeTaskQueue error: ${outcome.lastError})` : '') +
      daemonNote;
  } else if (!stillRecorded && !exit) {
    message = `worker ${record.pid} was stopped by another request before it polled ${queue}`;
  } else {
    message =
      `worker ${record.pid} exited before polling ${queue}` +
      (exit ? ` (exit code ${exit.code}, signal ${exit.signal})` : '') +
      daemonNote;
  }
  const detail = `${message}\n--- log tail (${record.logPath}) ---\n${logTail}`;
  const reported = exit && outcome.reason === 'exited' ? { code: exit.code, signal: exit.signal } : undefined;
  throw new WorkerNotReadyError(detail, record.pid, logTail, reported, outcome.reason);
}
