// Settings resolution: recipe input or CLI flag wins over environment, environment over defaults.
import { homedir, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Root of this package (where package.json and .venv live). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_OPS_TASK_QUEUE = 'temporal-ops';
export const DEFAULT_WORKER_COMMAND = 'uv run worker';

export interface Settings {
  opsTaskQueue: string;
  stateDir: string;
  /** Default command that starts a target worker. */
  workerCommand: string;
  /** Path of the `temporal` CLI binary. */
  temporalCli: string;
  /** Grace period between SIGTERM and SIGKILL when stopping a worker. */
  graceMs: number;
  /** How long a fresh worker may take to poll its task queue. */
  readyTimeoutMs: number;
  host: string;
}

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name}: expected a non-negative number, got "${raw}"`);
  return value;
}

/** The venv's `temporal` binary, or the one on PATH when TEMPORAL_CLI says so. */
export function defaultTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI) return env.TEMPORAL_CLI;
  const venvCli = join(packageRoot, '.venv', 'bin', 'temporal');
  return existsSync(venvCli) ? venvCli : 'temporal';
}

/** Reads settings from the environment with documented defaults. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const stateHome = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return {
    opsTaskQueue: env.TEMPORAL_OPS_TASK_QUEUE || DEFAULT_OPS_TASK_QUEUE,
    stateDir: resolve(env.TEMPORAL_OPS_STATE_DIR || join(stateHome, 'temporal-ops')),
    workerCommand: env.TEMPORAL_WORKER_CMD || DEFAULT_WORKER_COMMAND,
    temporalCli: defaultTemporalCli(env),
    graceMs: numberFromEnv(env, 'TEMPORAL_OPS_GRACE_MS', 5000),
    readyTimeoutMs: numberFromEnv(env, 'TEMPORAL_OPS_READY_TIMEOUT_MS', 30_000),
    host: env.TEMPORAL_OPS_HOST || hostname(),
  };
}

/** Project names become file names: keep letters, digits, dot, dash and underscore. */
export function sanitizeProjectName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return cleaned.slice(0, 100) || 'project';
}
