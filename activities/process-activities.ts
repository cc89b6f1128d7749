// Activities that touch local processes: they run on the host that owns the target workers.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Settings } from '../src/config.js';
import { defaultRestartPolicy, type RestartPolicy } from '../src/host/workers/backoff.js';
import type { PidRecord } from '../src/host/records/pid-file.js';
import type { PlanMode } from '../src/host/workers/plan.js';
import {
  checkStarter,
  confirmPrepared,
  prepareContext,
  prepareProject,
  type PreparedProject,
} from '../src/host/projects/prepare.js';
import { clientPollerSource } from '../src/host/workers/pollers.js';
import { readyFacts } from '../src/host/workers/ready-check.js';
import type { StopOutcome } from '../src/host/workers/stop.js';
import { tokenFor } from '../src/host/records/spawn-token.js';
import { runStarterOnce } from '../src/host/starter/starter-run.js';
import { starterWorkflowFromVisibility } from '../src/host/starter/starter-found.js';
import { superviseInBackground } from '../src/host/workers/supervise.js';
import {
  ensureWorker,
  stopProjectWorkers,
  type AdoptedFrom,
  type EnsureOutcome,
  type WorkerSpec,
} from '../src/host/workers/workers.js';
import type { StartSpec, WorkerFields } from '../src/contract/clean-start-input.js';
import { DEFAULTS } from '../src/defaults.js';
import { serverAnswersVia } from '../src/temporal/connection.js';
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

interface ReadyInfo {
  waitedMs: number;
  pollerIdentity: string;
  readyAtMs?: number;
  firstPollMs?: number;
  /** The spawned process daemonised: `pid` is the process that polls, now the worker. */
  daemonised?: { spawnedPid: number; pid: number; pgid: number };
}

/**
 * The ensureWorker step: the project as prepare resolved it on this host, and the recipe's worker
 * spec (its own fields, as parsed from the recipe input); this host re-checks both before a launch.
 */
export type EnsureWorkerInput = PreparedProject &
  Pick<WorkerFields, 'taskQueue' | 'env' | 'graceSeconds' | 'readyTimeoutSeconds'> & {
    mode?: PlanMode;
    /** Restart the worker with backoff when it crashes later; this host's control worker watches it. */
    restartOnCrash?: Partial<RestartPolicy>;
  };

export interface EnsureWorkerReport {
  action: EnsureOutcome['action'];
  reason: string;
  /** Workers stopped to make room (stale ones, and groups an interrupted attempt left unrecorded). */
  stopped: StopOutcome[];
  worker: WorkerInfo;
  ready?: ReadyInfo;
  /** With `adopted`: the worker another request started, which this one now uses. */
  adoptedFrom?: AdoptedFrom;
  /** With `started`: an interrupted attempt of this step spawned the worker; this attempt took it over. */
  recovered?: boolean;
  /** Times the worker was started again because it exited while the server was briefly down. */
  serverBlips?: number;
  /** In the worker's environment as TEMPORAL_OPS_SPAWN_TOKEN. */
  spawnToken?: string;
  supervised: boolean;
}

export interface RunStarterInput {
  projectDir: string;
  taskQueue: string;
  command: string;
  workflowIdPattern?: string;
  env?: Record<string, string>;
  /** Bound on the starter's run (default DEFAULTS.starterTimeoutSeconds). */
  timeoutSeconds?: number;
}

export interface StarterReport {
  workflowId: string;
  runId: string;
  /** The starter's exit code; null when it was adopted from an interrupted attempt. */
  exitCode: number | null;
  /** True when a retried step found the run of its interrupted attempt instead of running the starter again. */
  recovered: boolean;
}

/** The token every attempt of the running activity shares: workflow, run and activity ids. */
function stepToken(): string {
  const info = Context.current().info;
  const execution = info.workflowExecution;
  return tokenFor([execution?.workflowId ?? '', execution?.runId ?? '', info.activityId]);
}

function holderName(name: string): string {
  const execution = Context.current().info.workflowExecution;
  return execution ? `${name} of workflow ${execution.workflowId}` : name;
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
  /** The worker to launch: this host's own view of the project (`trusted`), never the input's alone. */
  const spec = (input: EnsureWorkerInput, trusted: PreparedProject): WorkerSpec => ({
    stateDir: settings.stateDir,
    project: trusted.project,
    projectDir: trusted.projectDir,
    command: trusted.workerCommand,
    taskQueue: input.taskQueue,
    env: input.env ?? {},
    baseEnv: workerEnv,
    ...(trusted.passEnv ? { passEnv: trusted.passEnv } : {}),
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
      async (input: WorkerFields & { start?: StartSpec }): Promise<PreparedProject> =>
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
      async (input: {
        project: string;
        /** Only the workers of this task queue (a project may run one per queue); all when omitted. */
        taskQueue?: string;
        graceSeconds?: number;
        spareStartedAfterMs?: number;
      }) =>
        heartbeating(async () =>
          stopProjectWorkers(
            settings.stateDir,
            input.project,
            graceMs(input.graceSeconds),
            {
              spareStartedAfterMs: input.spareStartedAfterMs ?? (await recipeStartMs()),
              requester: requester(),
              ...(input.taskQueue === undefined ? {} : { taskQueue: input.taskQueue }),
            },
            { signal: Context.current().cancellationSignal, holder: holderName('stopWorkers') },
          ),
        ),
    ),

    /**
     * Stop, start and wait ready in one step under the project lock (mode `ensure`, `start` or
     * `restart`); with `restartOnCrash`, this host's control worker restarts it after crashes.
     */
    ensureWorker: typedFailures(async (input: EnsureWorkerInput): Promise<EnsureWorkerReport> =>
      heartbeating(async () => {
        // Any workflow in the namespace can schedule this step: re-check what prepare decided.
        const trusted = await confirmPrepared(input, await prepareContext(settings, address));
        const workerSpec = spec(input, trusted);
        const ready = {
          timeoutMs: readyMs(input.readyTimeoutSeconds),
          pollers,
          serverUp: () => serverAnswersVia(client),
        };
        const token = stepToken();
        const outcome = await ensureWorker(workerSpec, {
          mode: input.mode ?? 'ensure',
          requestedAtMs: await recipeStartMs(),
          requester: requester(),
          ready,
          token,
          signal: Context.current().cancellationSignal,
          lock: { holder: holderName('ensureWorker') },
        });
        const policy = { ...defaultRestartPolicy, ...input.restartOnCrash };
        const supervised =
          input.restartOnCrash !== undefined &&
          outcome.action !== 'kept' &&
          superviseInBackground(workerSpec, outcome, { policy, ready });
        return {
          action: outcome.action,
          reason: outcome.reason,
          stopped: outcome.stopped,
          worker: infoOf(outcome.record, outcome.stopped),
          ready: outcome.ready && readyFacts(outcome.ready),
          ...(outcome.adoptedFrom ? { adoptedFrom: outcome.adoptedFrom } : {}),
          ...(outcome.recovered ? { recovered: true } : {}),
          ...(outcome.serverBlips ? { serverBlips: outcome.serverBlips } : {}),
          ...(outcome.record.spawnToken ? { spawnToken: outcome.record.spawnToken } : {}),
          supervised,
        };
      }),
    ),

    /**
     * Runs the project's starter and returns the workflow it started. A retried step never runs
     * it twice: it waits for the run its interrupted attempt began (found by the step's token) or
     * reads what that run printed. Without a printed ID, the run that started on the task queue while
     * the starter ran is the answer. Fails with StarterFailedError on timeout, or with none or several such runs.
     */
    runStarter: typedFailures(async (input: RunStarterInput): Promise<StarterReport> =>
      heartbeating(async () => {
        const ctx = Context.current();
        // Any workflow in the namespace can schedule this step: the policy judges it here too.
        const passEnv = await checkStarter(
          { projectDir: input.projectDir, command: input.command, env: input.env },
          await prepareContext(settings, address),
        );
        const outcome = await runStarterOnce({
          stateDir: settings.stateDir,
          token: stepToken(),
          command: input.command,
          cwd: input.projectDir,
          env: { ...workerEnv, TEMPORAL_TASK_QUEUE: input.taskQueue, ...input.env },
          passEnv,
          timeoutMs: (input.timeoutSeconds ?? DEFAULTS.starterTimeoutSeconds) * 1000,
          workflowIdPattern: input.workflowIdPattern,
          signal: ctx.cancellationSignal,
          stopOnCancel: () => ctx.cancellationDetails?.cancelRequested === true,
        });
        if (!outcome.workflowId) {
          const found = await starterWorkflowFromVisibility(client, input, outcome, settings.opsTaskQueue, {
            signal: ctx.cancellationSignal,
          });
          return { ...found, exitCode: outcome.exitCode, recovered: outcome.recovered };
        }
        const runId = outcome.runId ?? (await client.workflow.getHandle(outcome.workflowId).describe()).runId;
        return {
          workflowId: outcome.workflowId,
          runId,
          exitCode: outcome.exitCode,
          recovered: outcome.recovered,
        };
      }),
    ),
  };
}

export type ProcessActivities = ReturnType<typeof createProcessActivities>;
