// Activities that touch local processes: they run on the host that owns the target workers.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Settings } from '../src/config.js';
import { defaultRestartPolicy, type RestartPolicy } from '../src/processes/backoff.js';
import { checkHealth, type WorkerHealth } from '../src/processes/health.js';
import { inventoryFacts, takeInventory, type Inventory } from '../src/processes/inventory.js';
import { withProjectLock } from '../src/processes/lock.js';
import { tailLog } from '../src/processes/logs.js';
import type { PidRecord } from '../src/processes/pid-file.js';
import type { PlanMode } from '../src/processes/plan.js';
import {
  prepareContext,
  prepareProject,
  stillOurs,
  type PreparedProject,
  type ProjectInput,
} from '../src/processes/prepare.js';
import { clientPollerSource } from '../src/processes/pollers.js';
import { confirmReady, readyFacts, recordToWaitFor, type WaitFacts } from '../src/processes/ready-check.js';
import type { StopOutcome } from '../src/processes/stop.js';
import { superviseInBackground } from '../src/processes/supervise.js';
import {
  ensureWorker,
  exitOf,
  stopProjectWorkers,
  type EnsureOutcome,
  type WorkerSpec,
} from '../src/processes/workers.js';
import type { StartSpec } from '../src/recipes/clean-start-input.js';
import { typedFailures } from './failures.js';

export interface ProcessDeps {
  client: Client;
  settings: Settings;
  /** Connection env handed to target workers (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE). */
  workerEnv: Record<string, string>;
  /** The server this control worker serves: its policy defaults depend on it. */
  address: string;
}

export type { PreparedProject };

export interface WorkerInfo {
  pid: number;
  pgid: number;
  startedAtMs: number;
  logPath: string;
  fingerprint: string;
  replaced: StopOutcome[];
  /** `started` fresh, or `adopted`: a concurrent request started the same worker after this one was asked. */
  action?: EnsureOutcome['action'];
}

export interface ReadyInfo {
  waitedMs: number;
  pollerIdentity: string;
  readyAtMs?: number;
  firstPollMs?: number;
}

export type StartWorkerInput = PreparedProject & {
  taskQueue: string;
  env?: Record<string, string>;
  graceSeconds?: number;
};

export interface EnsureWorkerInput extends StartWorkerInput {
  mode?: PlanMode;
  readyTimeoutSeconds?: number;
  /** Restart the worker with backoff when it crashes later; this host's control worker watches it. */
  restartOnCrash?: Partial<RestartPolicy>;
}

export interface EnsureWorkerReport {
  action: EnsureOutcome['action'];
  reason: string;
  worker: WorkerInfo;
  ready?: ReadyInfo;
  supervised: boolean;
}

function infoOf(record: PidRecord, replaced: StopOutcome[], action?: EnsureOutcome['action']): WorkerInfo {
  const { pid, pgid, logPath, fingerprint } = record;
  return {
    pid,
    pgid,
    startedAtMs: Date.parse(record.startedAt),
    logPath,
    fingerprint,
    replaced,
    ...(action ? { action } : {}),
  };
}

/** Heartbeats every few seconds (with the latest details) while `fn` runs: waits for the project lock can be long. */
async function heartbeating<T>(fn: (setDetails: (details: unknown) => void) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  let details: unknown;
  const timer = setInterval(() => ctx.heartbeat(details), 5000);
  try {
    return await fn((next) => {
      details = next;
      ctx.heartbeat(next);
    });
  } finally {
    clearInterval(timer);
  }
}

/** Builds the activities bound to this host's processes. */
export function createProcessActivities({ client, settings, workerEnv, address }: ProcessDeps) {
  const graceMs = (seconds?: number) => (seconds === undefined ? settings.graceMs : seconds * 1000);
  const readyMs = (seconds?: number) => (seconds === undefined ? settings.readyTimeoutMs : seconds * 1000);
  const pollers = clientPollerSource(client);
  const spec = (input: StartWorkerInput): WorkerSpec => ({
    stateDir: settings.stateDir,
    project: input.project,
    projectDir: input.projectDir,
    command: input.workerCommand,
    taskQueue: input.taskQueue,
    env: input.env ?? {},
    baseEnv: workerEnv,
    graceMs: graceMs(input.graceSeconds),
  });
  /** The recipe run asking, recorded as a worker's `startedBy`. */
  const requester = (): string | undefined => {
    const execution = Context.current().info.workflowExecution;
    return execution && `workflow ${execution.workflowId}/${execution.runId}`;
  };
  /** When the recipe began: a worker started after it answers the recipe's request as well as a new one. */
  const recipeStartMs = async (): Promise<number> => {
    const info = Context.current().info;
    const execution = info.workflowExecution;
    if (!execution) return info.scheduledTimestampMs;
    try {
      return (
        await client.workflow.getHandle(execution.workflowId, execution.runId).describe()
      ).startTime.getTime();
    } catch {
      return info.scheduledTimestampMs;
    }
  };

  return {
    /** Checks the project directory and commands exist; resolves defaults. */
    prepareProject: typedFailures(
      async (input: ProjectInput & { start?: StartSpec }): Promise<PreparedProject> =>
        prepareProject(
          {
            ...input,
            starterCommand: input.start && 'command' in input.start ? input.start.command : undefined,
          },
          await prepareContext(settings, address),
        ),
    ),

    /**
     * Stops the project's workers that are proven ours and reports the ones left alone. Workers a
     * concurrent recipe started after this recipe began are spared (stopping them would undo a
     * newer start); this recipe's own worker is always stopped. `spareStartedAfterMs` sets
     * another time (a far-future one spares none).
     */
    stopWorkers: typedFailures(
      async (input: { project: string; graceSeconds?: number; spareStartedAfterMs?: number }) =>
        heartbeating(async () =>
          stopProjectWorkers(settings.stateDir, input.project, graceMs(input.graceSeconds), {
            spareStartedAfterMs: input.spareStartedAfterMs ?? (await recipeStartMs()),
            requester: requester(),
          }),
        ),
    ),

    /**
     * Replaces the project's workers with one fresh worker, or adopts one a concurrent recipe started
     * after this recipe began with the same command and code. A retry adopts the worker it already started.
     */
    startWorker: typedFailures(async (input: StartWorkerInput): Promise<WorkerInfo> =>
      heartbeating(async (setDetails) => {
        const earlier = Context.current().info.heartbeatDetails as WorkerInfo | undefined;
        if (earlier && (await stillOurs(settings.stateDir, input.project, earlier.pid))) return earlier;
        const outcome = await ensureWorker(spec(input), {
          mode: 'ensure',
          requestedAtMs: await recipeStartMs(),
          requester: requester(),
        });
        const info = infoOf(outcome.record, outcome.stopped, outcome.action);
        setDetails(info);
        return info;
      }),
    ),

    /**
     * Waits until the server lists a poller of the worker's group on the task queue. On failure the
     * worker is stopped (no orphan) and the failure carries its log tail.
     */
    waitWorkerReady: typedFailures(
      async (input: WaitFacts & { timeoutSeconds?: number }): Promise<ReadyInfo> => {
        const ctx = Context.current();
        const record = await recordToWaitFor(settings.stateDir, input);
        const ready = await confirmReady(settings.stateDir, record, {
          timeoutMs: readyMs(input.timeoutSeconds),
          pollers,
          graceMs: settings.graceMs,
          onTick: () => ctx.heartbeat(),
          exitOf,
          locked: (fn) => withProjectLock(settings.stateDir, input.project, fn),
        });
        return readyFacts(ready);
      },
    ),

    /**
     * Stop, start and wait ready in one step under the project lock (mode `ensure`, `start` or
     * `restart`); with `restartOnCrash`, this host's control worker restarts it after crashes.
     */
    ensureWorker: typedFailures(async (input: EnsureWorkerInput): Promise<EnsureWorkerReport> =>
      heartbeating(async () => {
        const workerSpec = spec(input);
        const ready = { timeoutMs: readyMs(input.readyTimeoutSeconds), pollers };
        const outcome = await ensureWorker(workerSpec, {
          mode: input.mode ?? 'ensure',
          requestedAtMs: await recipeStartMs(),
          requester: requester(),
          ready,
        });
        const policy = { ...defaultRestartPolicy, ...input.restartOnCrash };
        const supervised =
          input.restartOnCrash !== undefined &&
          outcome.action !== 'kept' &&
          superviseInBackground(workerSpec, outcome, { policy, ready });
        return {
          action: outcome.action,
          reason: outcome.reason,
          worker: infoOf(outcome.record, outcome.stopped),
          ready: outcome.ready && readyFacts(outcome.ready),
          supervised,
        };
      }),
    ),

    /** Our recorded workers on this host with their state, and the pollers of their task queues classified. */
    listWorkers: async (input: {
      project?: string;
      taskQueues?: string[];
    }): Promise<Omit<Inventory, 'views'>> =>
      inventoryFacts(await takeInventory(settings.stateDir, { ...input, pollers })),

    /** Health of the recorded workers on this host (one project, or all). */
    workerHealth: async (input: {
      project?: string;
    }): Promise<{ workers: WorkerHealth[]; serverError?: string }> =>
      checkHealth(settings.stateDir, { ...input, pollers }),

    /** Tail of a worker log, for reports. */
    readLogTail: async (input: { logPath: string; lines?: number }): Promise<string> =>
      tailLog(input.logPath, input.lines ?? 30),
  };
}

export type ProcessActivities = ReturnType<typeof createProcessActivities>;
