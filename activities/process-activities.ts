// Activities that touch local processes: they run on the host that owns the target workers.
import { basename } from 'node:path';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Settings } from '../src/config.js';
import { sanitizeProjectName } from '../src/config.js';
import { WorkerNotReadyError } from '../src/errors.js';
import { listPollers } from '../src/inspect/task-queue.js';
import { assertDirectory, assertRunnable } from '../src/processes/executable.js';
import { proveIdentity, settledRecord } from '../src/processes/identity.js';
import { tailLog } from '../src/processes/logs.js';
import { readPidRecords, removePidRecord, writePidRecord } from '../src/processes/pid-file.js';
import { waitForPoller } from '../src/processes/readiness.js';
import { stopRecorded, type StopOutcome } from '../src/processes/stop.js';
import { exitOf, startFreshWorker, stopProjectWorkers } from '../src/processes/workers.js';
import type { StartSpec } from '../src/recipes/clean-start-input.js';
import { typedFailures } from './failures.js';

export interface ProcessDeps {
  client: Client;
  settings: Settings;
  /** Connection env handed to target workers (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE). */
  workerEnv: Record<string, string>;
}

export interface PreparedProject {
  project: string;
  projectDir: string;
  workerCommand: string;
}

export interface WorkerInfo {
  pid: number;
  pgid: number;
  startedAtMs: number;
  logPath: string;
  fingerprint: string;
  replaced: StopOutcome[];
}

export interface ReadyInfo {
  waitedMs: number;
  pollerIdentity: string;
}

const graceMs = (settings: Settings, graceSeconds?: number) =>
  graceSeconds === undefined ? settings.graceMs : graceSeconds * 1000;

/** Builds the activities bound to this host's processes. */
export function createProcessActivities({ client, settings, workerEnv }: ProcessDeps) {
  return {
    /** Checks the project directory and commands exist; resolves defaults. */
    prepareProject: typedFailures(
      async (input: { projectDir: string; workerCommand?: string; project?: string; start?: StartSpec; env?: Record<string, string> }) => {
        assertDirectory(input.projectDir, 'projectDir');
        const workerCommand = input.workerCommand ?? settings.workerCommand;
        const pathEnv = input.env?.PATH ?? process.env.PATH;
        assertRunnable(workerCommand, input.workerCommand ? 'workerCommand' : 'workerCommand (from TEMPORAL_WORKER_CMD)', input.projectDir, pathEnv);
        if (input.start && 'command' in input.start) assertRunnable(input.start.command, 'start.command', input.projectDir, pathEnv);
        const project = sanitizeProjectName(input.project ?? basename(input.projectDir));
        return { project, projectDir: input.projectDir, workerCommand } satisfies PreparedProject;
      },
    ),

    /** Stops every worker of the project proven ours; reports the ones left alone. */
    stopWorkers: typedFailures(async (input: { project: string; graceSeconds?: number }) => {
      return stopProjectWorkers(settings.stateDir, input.project, graceMs(settings, input.graceSeconds));
    }),

    /** Replaces the project's workers with one fresh worker. A retry adopts the worker it already started. */
    startWorker: typedFailures(
      async (input: PreparedProject & { taskQueue: string; env?: Record<string, string>; graceSeconds?: number }): Promise<WorkerInfo> => {
        const ctx = Context.current();
        const earlier = ctx.info.heartbeatDetails as WorkerInfo | undefined;
        if (earlier) {
          const records = await readPidRecords(settings.stateDir, { kind: 'worker', project: input.project });
          const mine = records.find((r) => r.pid === earlier.pid);
          if (mine && proveIdentity(mine).ownership === 'ours') return earlier;
        }
        const { record, replaced } = await startFreshWorker({
          stateDir: settings.stateDir,
          project: input.project,
          projectDir: input.projectDir,
          command: input.workerCommand,
          taskQueue: input.taskQueue,
          env: { ...workerEnv, ...input.env },
          graceMs: graceMs(settings, input.graceSeconds),
        });
        const info: WorkerInfo = {
          pid: record.pid,
          pgid: record.pgid,
          startedAtMs: Date.parse(record.startedAt),
          logPath: record.logPath,
          fingerprint: record.fingerprint,
          replaced,
        };
        ctx.heartbeat(info);
        return info;
      },
    ),

    /**
     * Waits until the server lists a poller of the worker's group on the task queue. On failure the
     * worker is stopped (no orphan) and the failure carries its log tail.
     */
    waitWorkerReady: typedFailures(
      async (input: { project: string; pid: number; pgid: number; startedAtMs: number; taskQueue: string; logPath: string; timeoutSeconds?: number }): Promise<ReadyInfo> => {
        const ctx = Context.current();
        const outcome = await waitForPoller({
          pgid: input.pgid,
          sinceMs: input.startedAtMs,
          timeoutMs: input.timeoutSeconds === undefined ? settings.readyTimeoutMs : input.timeoutSeconds * 1000,
          listPollers: () => listPollers(client, input.taskQueue),
          onTick: () => ctx.heartbeat(),
        });
        const records = await readPidRecords(settings.stateDir, { kind: 'worker', project: input.project });
        let record = records.find((r) => r.pid === input.pid);
        const settled = record && settledRecord(record);
        if (settled) {
          await writePidRecord(settings.stateDir, settled);
          record = settled;
        }
        if (outcome.ready) return { waitedMs: outcome.waitedMs, pollerIdentity: outcome.poller.identity };
        if (record) {
          await stopRecorded(record, settings.graceMs);
          await removePidRecord(settings.stateDir, record);
        }
        const logTail = await tailLog(input.logPath, 30);
        const exit = exitOf(input.pid);
        const message =
          outcome.reason === 'exited'
            ? `worker ${input.pid} exited before polling task queue "${input.taskQueue}"` +
              (exit ? ` (exit code ${exit.code}, signal ${exit.signal})` : '')
            : `worker ${input.pid} did not poll task queue "${input.taskQueue}" within ${outcome.waitedMs} ms; stopped it`;
        throw new WorkerNotReadyError(`${message}\n--- log tail (${input.logPath}) ---\n${logTail}`, input.pid, logTail, exit);
      },
    ),

    /** Tail of a worker log, for reports. */
    readLogTail: async (input: { logPath: string; lines?: number }): Promise<string> => tailLog(input.logPath, input.lines ?? 30),
  };
}

export type ProcessActivities = ReturnType<typeof createProcessActivities>;

