// `temporal-ops worker ensure|start|restart`: the process layer run from the CLI process itself
// (no control worker needed); readiness is judged by the server's pollers, as in recipes.
import { defaultRestartPolicy } from '../../host/workers/backoff.js';
import { prepareProject, type PreparedProject } from '../../host/projects/prepare.js';
import { localUserPolicy } from '../../host/projects/policy.js';
import { readPidRecords } from '../../host/records/pid-file.js';
import type { PlanMode } from '../../host/workers/plan.js';
import { clientPollerSource } from '../../host/workers/pollers.js';
import { SpawnFailedError } from '../../errors.js';
import { superviseWorker, type SupervisionEvent } from '../../host/workers/supervise.js';
import { ensureWorker, type EnsureOutcome, type WorkerSpec } from '../../host/workers/workers.js';
import { targetEnv } from '../../control-worker.js';
import { ExitError, InvalidInputError, WorkerNotReadyError } from '../../errors.js';
import type { CliContext, CommandContext } from '../context.js';
import type { WorkerTarget } from '../options.js';
import { ExitCode } from '../output.js';
import { formatDuration } from './worker-format.js';

export interface EnsureOptions {
  mode: PlanMode;
  target: WorkerTarget;
  /** Stay in the foreground restarting the worker after crashes (ensure only). */
  supervise?: { maxRestarts: number };
}

const FLAG_OF_FIELD: Record<string, string> = {
  projectDir: '--project-dir',
  project: '--project',
  workerCommand: '--worker-command',
  taskQueue: '--task-queue',
};

/** The worker spec from flags; `restart` fills what is missing from the project's latest record. */
async function resolveSpec(mode: PlanMode, target: WorkerTarget, ctx: CliContext): Promise<WorkerSpec> {
  const { settings } = ctx;
  const records =
    mode === 'restart'
      ? await readPidRecords(settings.stateDir, { kind: 'worker', project: target.project })
      : [];
  const last = records[records.length - 1];
  if (mode === 'restart' && !last && !target.taskQueue) {
    throw new ExitError(
      `worker restart: no worker of project "${target.project}" is recorded; give --task-queue and --worker-command, or use "worker ensure"`,
      ExitCode.usage,
    );
  }
  const projectDir = last && !target.projectDirGiven ? last.cwd : target.projectDir;
  const env = target.env ?? last?.env ?? {};
  let prepared: PreparedProject;
  try {
    // The same project identity as recipes (its real directory), without the remote policy: the
    // user runs these commands on their own machine as themselves.
    prepared = await prepareProject(
      {
        projectDir,
        project: target.project,
        workerCommand: target.workerCommand,
        taskQueue: target.taskQueue ?? last?.taskQueue,
        env,
      },
      {
        stateDir: settings.stateDir,
        defaultWorkerCommand: settings.workerCommand,
        policy: localUserPolicy(),
      },
    );
  } catch (error) {
    if (error instanceof InvalidInputError) {
      // Name the flag the user typed, not the recipe field behind it.
      const flag = FLAG_OF_FIELD[error.field] ?? error.field;
      throw new ExitError(new InvalidInputError(flag, error.value, error.expected).message, ExitCode.usage);
    }
    throw error;
  }
  const command = prepared.workerCommand;
  return {
    stateDir: settings.stateDir,
    project: prepared.project,
    projectDir: prepared.projectDir,
    command,
    // Without a queue named, a project with one registered worker means that worker's queue.
    taskQueue: (target.taskQueue ?? last?.taskQueue ?? prepared.taskQueue)!,
    env,
    baseEnv: targetEnv(ctx.target),
    graceMs: target.graceMs ?? settings.graceMs,
  };
}

function describe(outcome: EnsureOutcome): string {
  const { record, ready } = outcome;
  const verb = {
    started: 'started',
    adopted: 'adopted (started by a concurrent request)',
    kept: 'already running',
  }[outcome.action];
  const readyText = ready ? `; polling after ${formatDuration(ready.waitedMs)}` : '';
  return `worker ${record.pid} of ${record.project} ${verb} on task queue ${record.taskQueue}${readyText}\n  code ${record.fingerprint}, log ${record.logPath}`;
}

function eventLine(event: SupervisionEvent): string {
  switch (event.type) {
    case 'crashed': {
      const how = event.exit
        ? event.exit.signal
          ? `killed by ${event.exit.signal}`
          : `exit code ${event.exit.code}`
        : 'exit status unknown';
      return `worker ${event.pid} died after ${formatDuration(event.ranMs)} (${how}); log tail:\n${event.logTail}`;
    }
    case 'restarting':
      return `restarting in ${formatDuration(event.delayMs)} (restart ${event.attempt})`;
    case 'restarted':
      return `restarted: worker ${event.pid} is polling`;
    case 'restart-failed':
      return `restart failed: ${event.message}`;
    case 'gave-up':
      return `gave up: ${event.reason}`;
  }
}

async function supervise(
  spec: WorkerSpec,
  first: EnsureOutcome,
  ctx: CommandContext,
  maxRestarts: number,
  timeoutMs: number,
): Promise<number> {
  const { info } = ctx.out;
  info(
    `supervising worker ${first.record.pid}: restart on crash (up to ${maxRestarts} in a row); Ctrl-C stops watching, the worker keeps running`,
  );
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  try {
    const end = await superviseWorker(spec, first, {
      policy: { ...defaultRestartPolicy, maxRestarts },
      ready: { timeoutMs, pollers: clientPollerSource(await ctx.client()) },
      signal: stop.signal,
      onEvent: (event) => info(eventLine(event)),
    });
    if (end.ended === 'stopped')
      info(`worker ${end.pid} was stopped or replaced by another command; supervision ends`);
    return end.ended === 'gave-up' ? ExitCode.notOk : ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/**
 * Runs ensure, start or restart here, or on another host through its control worker; with
 * `supervise`, stays in the foreground restarting the worker after crashes.
 */
export async function workerEnsure(options: EnsureOptions, ctx: CommandContext): Promise<number> {
  const { mode, target } = options;
  if (target.host && target.host !== ctx.settings.host) {
    const { runRemoteEnsure } = await import('./worker-remote.js');
    return runRemoteEnsure(mode, { ...target, host: target.host }, ctx, options.supervise);
  }
  const { info } = ctx.out;
  const requestedAtMs = Date.now();
  const spec = await resolveSpec(mode, target, ctx);
  const timeoutMs = target.readyTimeoutMs ?? ctx.settings.readyTimeoutMs;
  const pollers = clientPollerSource(await ctx.client());
  info(
    `${mode}: project ${spec.project}, task queue ${spec.taskQueue}, command "${spec.command}" in ${spec.projectDir}`,
  );
  let outcome: EnsureOutcome;
  try {
    outcome = await ensureWorker(spec, { mode, requestedAtMs, ready: { timeoutMs, pollers } });
  } catch (error) {
    if (error instanceof WorkerNotReadyError)
      throw new ExitError(error.message, error.reason === 'timeout' ? ExitCode.timeout : ExitCode.notOk);
    if (error instanceof SpawnFailedError || error instanceof InvalidInputError)
      throw new ExitError(error.message, ExitCode.usage);
    throw error;
  }
  for (const stopped of outcome.stopped)
    info(
      `  ${stopped.result === 'left-alone' ? 'left alone (not proven ours)' : stopped.result}: pid ${stopped.pid} — ${stopped.detail}`,
    );
  ctx.out.result(
    {
      action: outcome.action,
      reason: outcome.reason,
      worker: outcome.record,
      stopped: outcome.stopped,
      ready: outcome.ready && { ...outcome.ready, record: undefined },
    },
    () => describe(outcome),
  );
  if (outcome.action === 'kept')
    info(`(${outcome.reason}; use "worker restart" or "worker ensure" for a fresh one)`);
  if (!options.supervise) return ExitCode.ok;
  return supervise(spec, outcome, ctx, options.supervise.maxRestarts, timeoutMs);
}
