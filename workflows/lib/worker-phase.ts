// The runbook's "ensure worker" phase shared by recipes: check the project on its host, then in
// one step under the project lock stop stale workers, start one fresh worker and wait until the
// server sees it polling (or adopt the same fresh worker a concurrent recipe just started).
import type {
  EnsureWorkerInput,
  EnsureWorkerReport,
  PreparedProject,
} from '../../activities/process-activities.js';
import type { StopOutcome } from '../../src/host/workers/stop.js';
import type { StartSpec, WorkerFields } from '../../src/contract/clean-start-input.js';
import { DEFAULTS } from '../../src/defaults.js';
import type { ReplayGate } from '../../src/contract/rule-schemas.js';
import { GATE_STEP, replayGateStep, resetAfterRestart, type GateReport } from './replay-gate.js';
import { isCancellation } from '@temporalio/workflow';
import { clusterActivities, hostActivities, processOp, shortOp, waitOp } from './activities.js';
import { failureDetails, failureMessage } from './checklist.js';
import type { RecipeContext } from './recipe.js';

export const WORKER_STEPS: [string, string][] = [
  ['prepare', 'Check project directory, commands and policy'],
  GATE_STEP,
  ['ensure-worker', 'Stop stale workers, start one fresh, wait until it polls'],
];

export type PhaseWorker = EnsureWorkerReport['worker'] & {
  action: EnsureWorkerReport['action'];
  reason: string;
  /** The worker a concurrent recipe had just started, which this recipe adopted instead of replacing. */
  adoptedFrom?: EnsureWorkerReport['adoptedFrom'];
  /** True when a retry after a crash finished what the crashed attempt began. */
  recovered?: boolean;
  readyAfterMs?: number;
  pollerIdentity?: string;
  /** The spawned process daemonised: `pid` is the process that polls (outside the spawned group), now the worker. */
  daemonised?: { spawnedPid: number; pid: number; pgid: number };
  logTail?: string;
};

/** What the phase learned; filled step by step so a failed phase still reports what it did. */
export interface WorkerPhaseState {
  project: string;
  prepared?: PreparedProject;
  stopped: StopOutcome[];
  worker?: PhaseWorker;
  /** What the replay gate found and chose before the restart. */
  replayGate?: GateReport;
  /** What was done on the host that owned the project before this recipe moved it. */
  previousHost?: { host: string; stopped?: StopOutcome[]; problem?: string };
}

/** The host's readiness facts name the process that polls when the spawned one daemonised. */
function daemonisedOf(ready: EnsureWorkerReport['ready']): Pick<PhaseWorker, 'daemonised'> {
  const daemonised = ready?.daemonised;
  return daemonised ? { daemonised } : {};
}

/** What is known of a worker that failed to become ready: its pid is its group. */
function notReadyWorker(pid: number): PhaseWorker {
  return {
    pid,
    pgid: pid,
    startedAtMs: 0,
    logPath: '',
    fingerprint: '',
    replaced: [],
    action: 'started',
    reason: 'not ready',
  };
}

/** The worker fields of a recipe input, and nothing else: the spec every host step of the worker gets. */
export function workerSpec(input: WorkerFields): WorkerFields {
  const { projectDir, taskQueue, workerCommand, project, env, readyTimeoutSeconds, graceSeconds, host } =
    input;
  return { projectDir, taskQueue, workerCommand, project, env, readyTimeoutSeconds, graceSeconds, host };
}

/** The host's prepareProject call for `worker` (and the starter of `start`, checked too): the canonical project. */
export function prepareCall(
  ctx: RecipeContext<unknown>,
  worker: WorkerFields,
  start?: StartSpec,
): Promise<PreparedProject> {
  return ctx.onHost.prepareProject.executeWithOptions({ ...shortOp, summary: `check ${worker.projectDir}` }, [
    { ...workerSpec(worker), ...(start ? { start } : {}) },
  ]);
}

/**
 * The host's ensureWorker call for `worker` as prepare resolved it, bounded by the worker's ready
 * timeout and grace period (their defaults from DEFAULTS when the input leaves them out).
 */
export function ensureCall(
  ctx: RecipeContext<unknown>,
  worker: WorkerFields,
  prepared: PreparedProject,
  options: Pick<EnsureWorkerInput, 'mode' | 'restartOnCrash'> & { summary: string },
): Promise<EnsureWorkerReport> {
  const { summary, mode, restartOnCrash } = options;
  const { taskQueue, env, graceSeconds, readyTimeoutSeconds } = worker;
  const bound =
    (readyTimeoutSeconds ?? DEFAULTS.readyTimeoutSeconds) + 2 * (graceSeconds ?? DEFAULTS.graceSeconds);
  return ctx.onHost.ensureWorker.executeWithOptions({ ...waitOp(bound), summary }, [
    { ...prepared, taskQueue, env, graceSeconds, readyTimeoutSeconds, mode, restartOnCrash },
  ]);
}

/** Checks the project on the pinned host: directory, commands, policy; returns the canonical project. */
export async function prepareStep(
  ctx: RecipeContext<unknown>,
  input: WorkerFields & { start?: StartSpec },
  state: WorkerPhaseState,
): Promise<PreparedProject> {
  const prepared = await ctx.checklist.run(
    'prepare',
    () => prepareCall(ctx, input, input.start),
    (p) => `project ${p.project}, worker command "${p.workerCommand}"`,
  );
  state.prepared = prepared;
  state.project = prepared.project;
  ctx.outcome.setProject(prepared.project);
  if (ctx.previousHost)
    state.previousHost = await stopOnPreviousHost(ctx, ctx.previousHost, input, input.start);
  return prepared;
}

/**
 * The project moved to the host this recipe named: stop its worker of this task queue on the host
 * that owned it, so one worker serves the queue (its workers of other queues stay). A previous host
 * that is gone is reported, not waited for.
 */
async function stopOnPreviousHost(
  ctx: RecipeContext<unknown>,
  host: string,
  input: WorkerFields,
  start?: StartSpec,
): Promise<{ host: string; stopped?: StopOutcome[]; problem?: string }> {
  try {
    await clusterActivities.checkHostQueue.executeWithOptions({ ...shortOp, summary: `check host ${host}` }, [
      { host },
    ]);
    const there = hostActivities(host);
    const project = await there.prepareProject.executeWithOptions(
      { ...shortOp, summary: `find ${input.projectDir} on ${host}` },
      [{ ...workerSpec(input), ...(start ? { start } : {}) }],
    );
    const stopped = await there.stopWorkers.executeWithOptions(
      { ...processOp, summary: `stop the worker of ${project.project} on ${input.taskQueue} on ${host}` },
      [
        {
          project: project.project,
          taskQueue: input.taskQueue,
          graceSeconds: input.graceSeconds,
          spareStartedAfterMs: Number.MAX_SAFE_INTEGER,
        },
      ],
    );
    return { host, stopped };
  } catch (error) {
    if (isCancellation(error)) throw error;
    return { host, problem: failureMessage(error) };
  }
}

/** Runs step `ensure-worker` for a prepared project, recording into `state`; failures are rethrown. */
export async function ensureWorkerStep(
  ctx: RecipeContext<unknown>,
  input: WorkerFields,
  prepared: PreparedProject,
  state: WorkerPhaseState,
): Promise<PhaseWorker> {
  const ensured = await ctx.checklist
    .run(
      'ensure-worker',
      () =>
        ensureCall(ctx, input, prepared, {
          mode: 'ensure',
          summary: `fresh worker of ${prepared.project} on ${input.taskQueue}`,
        }),
      (e) =>
        `${e.action === 'adopted' ? 'adopted' : 'started'} worker ${e.worker.pid}` +
        (daemonisedOf(e.ready).daemonised
          ? ` (daemonised from ${daemonisedOf(e.ready).daemonised?.spawnedPid})`
          : '') +
        (e.ready ? `, polling after ${e.ready.waitedMs} ms` : '') +
        (e.worker.replaced.length
          ? `; stopped ${e.worker.replaced.map((o) => `${o.pid} ${o.result}`).join(', ')}`
          : ''),
    )
    .catch((error: unknown) => {
      // A worker that exited or never polled is reported with its pid and log tail.
      const failed = failureDetails<{ pid?: number; logTail?: string }>(error);
      if (failed?.pid !== undefined)
        state.worker = { ...notReadyWorker(failed.pid), logTail: failed.logTail };
      throw error;
    });
  state.stopped = ensured.stopped;
  state.worker = {
    ...ensured.worker,
    action: ensured.action,
    reason: ensured.reason,
    ...(ensured.adoptedFrom ? { adoptedFrom: ensured.adoptedFrom } : {}),
    ...(ensured.recovered ? { recovered: true } : {}),
    readyAfterMs: ensured.ready?.waitedMs,
    pollerIdentity: ensured.ready?.pollerIdentity,
    ...daemonisedOf(ensured.ready),
  };
  return state.worker;
}

/** Runs the replay gate; throws (the recipe is not ok) when the old worker is kept. */
export async function gateStep(
  ctx: RecipeContext<unknown>,
  input: WorkerFields & { replayGate?: ReplayGate },
  prepared: PreparedProject,
  state: WorkerPhaseState,
): Promise<GateReport> {
  const gate = await replayGateStep(ctx, input, prepared, () => ctx.approvals());
  state.replayGate = gate;
  if (gate.choice === 'keep-old-worker') {
    ctx.checklist.mark('ensure-worker', 'skipped', 'the replay gate kept the old worker');
    throw new Error(`replay gate: ${gate.reason}; kept the old worker (${gate.chosenBy}), nothing restarted`);
  }
  return gate;
}

/** The worker steps: prepare, the replay gate, then ensure one fresh worker (and resets the gate chose). */
export async function freshWorkerPhase(
  ctx: RecipeContext<unknown>,
  input: WorkerFields & { start?: StartSpec; replayGate?: ReplayGate },
  state: WorkerPhaseState,
): Promise<void> {
  const prepared = await prepareStep(ctx, input, state);
  const gate = await gateStep(ctx, input, prepared, state);
  await ensureWorkerStep(ctx, input, prepared, state);
  await resetAfterRestart(gate);
}

/** The phase's findings as report fields (every recipe report that runs the phase carries them). */
export function phaseFields(
  state: WorkerPhaseState,
): Pick<WorkerPhaseState, 'project' | 'stopped' | 'worker' | 'previousHost' | 'replayGate'> {
  const { project, stopped, worker, previousHost, replayGate } = state;
  return {
    project,
    stopped,
    worker,
    ...(previousHost ? { previousHost } : {}),
    ...(replayGate ? { replayGate } : {}),
  };
}
