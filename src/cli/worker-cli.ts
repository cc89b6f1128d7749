// `temporal-ops worker <command>`: target worker processes. argv -> options here; one function per command.
import { envPairs, parseFlags } from './flags.js';
import { basename, resolve } from 'node:path';
import { sanitizeProjectName } from '../config.js';
import { ExitError } from '../errors.js';
import { runEnsure } from './commands/worker-ensure.js';
import { runRemoteEnsure } from './commands/worker-remote.js';
import { runHealth } from './commands/worker-health.js';
import { runList } from './commands/worker-list.js';
import { runLogs } from './commands/worker-logs.js';
import { runStop } from './commands/worker-stop.js';
import { runStopAll } from './commands/stop-all.js';
import type { CommandGroup } from './context.js';
import { ExitCode } from './output.js';

export const WORKER_USAGE = `  temporal-ops worker ensure --task-queue Q [worker flags] [--supervise [--max-restarts N]] [--json]
      Stop this project's workers, start one fresh, wait until the server sees it poll.
      --supervise stays in the foreground and restarts it after crashes with backoff (Ctrl-C
      stops watching; the worker keeps running).
  temporal-ops worker start --task-queue Q [worker flags] [--json]
      Start a worker and wait until it polls, unless one of ours already runs for the project.
  temporal-ops worker restart [worker flags] [--json]
      Stop and start again with the recorded command, task queue and env (flags override them).
      ensure / start / restart --host H: run on machine H through its control worker (the
      EnsureWorker recipe; --project-dir is then an absolute path on H, and --supervise makes
      H's control worker restart the worker after crashes).
  temporal-ops worker stop [--project P | --project-dir DIR] [--grace SEC] [--json]
      Stop the project's workers proven ours: SIGTERM to the group, grace, SIGKILL, verified gone.
  temporal-ops worker stop-all [--include-server] [--json]
      Stop every worker we started (and the dev servers we started, with --include-server).
  temporal-ops worker list [--project P] [--task-queue Q ...] [--json]
      Our workers (state, uptime, RSS, pollers seen, code fingerprint, log), then every poller of
      their task queues: ours, ours-stale (older code than the working tree), foreign, ghost.
  temporal-ops worker health [--project P] [--json]
      Alive, polling, uptime, restarts, RSS and CPU, last errors in the log. Exit 1 if unhealthy.
  temporal-ops worker logs [--project P] [--lines N] [--follow] [--json]
      The end of the project's worker log; --follow prints new lines until Ctrl-C.
  Worker flags: --project-dir DIR (default $TEMPORAL_OPS_PROJECT_DIR, else the current dir),
      --project NAME (default $TEMPORAL_OPS_PROJECT, else the dir's name), --task-queue Q (default
      $TEMPORAL_TASK_QUEUE), --worker-command CMD, --env KEY=VALUE (repeatable), --ready-timeout SEC,
      --grace SEC (SIGTERM to SIGKILL; default $TEMPORAL_OPS_GRACE_MS / 1000, else 5).
  Without --host, worker commands run on this machine and need no control worker.
`;

/** The target of ensure / start / restart / stop, as given on the command line. */
export interface WorkerTarget {
  projectDir: string;
  /** --project-dir was given (restart otherwise reuses the recorded directory). */
  projectDirGiven: boolean;
  project: string;
  taskQueue?: string;
  workerCommand?: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  graceMs?: number;
  /** Run on this machine's control worker instead of here (ensure, start, restart). */
  host?: string;
}

export type WorkerCommand =
  | { cmd: 'help' }
  | {
      cmd: 'ensure' | 'start' | 'restart';
      target: WorkerTarget;
      json: boolean;
      supervise?: { maxRestarts: number };
    }
  | { cmd: 'stop'; target: WorkerTarget; json: boolean }
  | { cmd: 'stop-all'; includeServer: boolean; json: boolean }
  | { cmd: 'list'; project?: string; taskQueues: string[]; json: boolean }
  | { cmd: 'health'; project?: string; json: boolean }
  | { cmd: 'logs'; project?: string; lines: number; follow: boolean; json: boolean };

const options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'include-server': { type: 'boolean' },
  'project-dir': { type: 'string' },
  project: { type: 'string' },
  'task-queue': { type: 'string', multiple: true },
  'worker-command': { type: 'string' },
  env: { type: 'string', multiple: true },
  'ready-timeout': { type: 'string' },
  grace: { type: 'string' },
  supervise: { type: 'boolean' },
  'max-restarts': { type: 'string' },
  host: { type: 'string' },
  lines: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
} as const;

function usageError(message: string): ExitError {
  return new ExitError(`${message}\nRun "temporal-ops worker --help" for usage.`, ExitCode.usage);
}

function number(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min)
    throw usageError(`--${flag}: expected a number >= ${min}, got "${text}"`);
  return value;
}

/** Parses `worker ...` argv (after the group word); `env` supplies the documented defaults. */
export function parseWorkerArgs(argv: string[], env: NodeJS.ProcessEnv, cwd: string): WorkerCommand {
  const { values: v, positionals } = parseFlags(argv, options, usageError);
  const cmd = positionals.join(' ');
  if (v.help || cmd === '' || cmd === 'help') return { cmd: 'help' };
  const json = v.json ?? false;
  const queues = v['task-queue'] ?? [];
  if (queues.length > 1 && cmd !== 'list') throw usageError(`--task-queue: give one, got ${queues.length}`);
  const projectDir = resolve(cwd, v['project-dir'] ?? env.TEMPORAL_OPS_PROJECT_DIR ?? '.');
  const explicitProject =
    v.project ?? (v['project-dir'] === undefined ? env.TEMPORAL_OPS_PROJECT || undefined : undefined);
  const readySeconds = number('ready-timeout', v['ready-timeout'], 1);
  const graceSeconds = number('grace', v.grace, 0);
  const target: WorkerTarget = {
    projectDir,
    projectDirGiven: v['project-dir'] !== undefined,
    project: sanitizeProjectName(explicitProject ?? basename(projectDir)),
    taskQueue: queues[0] ?? (cmd === 'restart' ? undefined : env.TEMPORAL_TASK_QUEUE || undefined),
    workerCommand: v['worker-command'],
    env: envPairs(v.env, usageError),
    readyTimeoutMs: readySeconds === undefined ? undefined : readySeconds * 1000,
    graceMs: graceSeconds === undefined ? undefined : graceSeconds * 1000,
    ...(v.host ? { host: v.host } : {}),
  };
  const project = v.project === undefined ? undefined : sanitizeProjectName(v.project);
  if (v.host && !['ensure', 'start', 'restart'].includes(cmd))
    throw usageError(`--host: only with ensure, start or restart, not "worker ${cmd}"`);
  switch (cmd) {
    case 'ensure':
    case 'start':
    case 'restart': {
      if (cmd !== 'restart' && !target.taskQueue)
        throw usageError(`worker ${cmd}: --task-queue is required (or set TEMPORAL_TASK_QUEUE)`);
      const maxRestarts = number('max-restarts', v['max-restarts'], 0);
      if (maxRestarts !== undefined && !v.supervise)
        throw usageError('--max-restarts: only with --supervise');
      if (v.supervise && cmd !== 'ensure')
        throw usageError(`--supervise: only with "worker ensure", not "worker ${cmd}"`);
      return { cmd, target, json, ...(v.supervise ? { supervise: { maxRestarts: maxRestarts ?? 5 } } : {}) };
    }
    case 'stop':
      return { cmd, target, json };
    case 'stop-all':
      return { cmd, includeServer: v['include-server'] ?? false, json };
    case 'list':
      return { cmd, project, taskQueues: queues, json };
    case 'health':
      return { cmd, project, json };
    case 'logs':
      return { cmd, project, lines: number('lines', v.lines, 0) ?? 40, follow: v.follow ?? false, json };
    default:
      throw usageError(`unknown command "worker ${cmd}"`);
  }
}

export const workerCli: CommandGroup = async (argv, ctx) => {
  const command = parseWorkerArgs(argv, process.env, ctx.cwd);
  switch (command.cmd) {
    case 'help':
      process.stdout.write(`Usage:\n${WORKER_USAGE}`);
      return ExitCode.ok;
    case 'ensure':
    case 'start':
    case 'restart': {
      const { host } = command.target;
      if (host && host !== ctx.settings.host)
        return runRemoteEnsure(command.cmd, { ...command.target, host }, ctx, command);
      return runEnsure(command.cmd, command.target, ctx, {
        json: command.json,
        supervise: command.supervise,
      });
    }
    case 'stop':
      return runStop(command.target, ctx.settings, command.json);
    case 'stop-all':
      return runStopAll(ctx.settings, command.includeServer, command.json);
    case 'list':
      return runList(ctx, command);
    case 'health':
      return runHealth(ctx, command);
    case 'logs':
      return runLogs(ctx, command);
  }
};
