// Settings resolution: recipe input or CLI flag wins over environment, environment over defaults.
import { homedir, hostname } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { accessSync, constants, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from './defaults.js';
import { InvalidInputError } from './errors.js';

/** Root of this package (where package.json and .venv live). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Local policy settings from flags or environment; each one replaces the policy file's value. */
export interface PolicyOverrides {
  /** Directories whose projects may be run without registration (replaces the default list). */
  allowedRoots?: string[];
  /** Accept worker and starter commands given in recipe input that differ from a registration. */
  allowFreeFormCommands?: boolean;
  /** Accept commands with shell syntax (pipes, `&&`, `$VAR`, globs), which then run through /bin/sh. */
  allowShell?: boolean;
}

export interface Settings {
  opsTaskQueue: string;
  /**
   * Where the bookkeeping workflows run (ProjectHost, HostProcesses, Incident), so they never show among the
   * user's workflows; the user's own namespace keeps them there instead.
   */
  bookkeepingNamespace: string;
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
  /**
   * Keep warm replay processes between gate checks (on by default; TEMPORAL_OPS_REPLAY_WARM=0 turns
   * it off): the Python of the project's worker command, started directly and paused before its code.
   */
  replayWarm: boolean;
  /** Local policy settings on top of `<stateDir>/policy.json` (see src/host/projects/load-policy.ts). */
  policy?: PolicyOverrides;
}

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name}: expected a non-negative number, got "${raw}"`);
  return value;
}

export const PROCESS_BACKEND_ENV = 'TEMPORAL_OPS_PROCESS_BACKEND';

/** `proc` reads Linux /proc; `portable` runs `ps` (and `lsof`), as on macOS. */
export type ProcessBackendName = 'proc' | 'portable';

/**
 * The process backend `env` asks for, or this platform's default (/proc on Linux, portable
 * elsewhere); throws InvalidInputError naming the variable and its value for anything else.
 */
export function processBackendFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ProcessBackendName {
  const asked = env[PROCESS_BACKEND_ENV];
  if (asked === undefined || asked === '') return platform === 'linux' ? 'proc' : 'portable';
  if (asked === 'portable' || (asked === 'proc' && platform === 'linux')) return asked;
  throw new InvalidInputError(
    PROCESS_BACKEND_ENV,
    asked,
    platform === 'linux' ? '"proc" or "portable"' : `"portable" (no /proc on ${platform})`,
  );
}

function booleanFromEnv(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new Error(`${name}: expected true or false, got "${raw}"`);
}

/** Policy overrides from TEMPORAL_OPS_ALLOWED_ROOTS (path list), TEMPORAL_OPS_ALLOW_FREE_FORM, TEMPORAL_OPS_ALLOW_SHELL. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): PolicyOverrides {
  const roots = env.TEMPORAL_OPS_ALLOWED_ROOTS;
  const freeForm = booleanFromEnv(env, 'TEMPORAL_OPS_ALLOW_FREE_FORM');
  const shell = booleanFromEnv(env, 'TEMPORAL_OPS_ALLOW_SHELL');
  return {
    ...(roots ? { allowedRoots: roots.split(delimiter).filter(Boolean) } : {}),
    ...(freeForm === undefined ? {} : { allowFreeFormCommands: freeForm }),
    ...(shell === undefined ? {} : { allowShell: shell }),
  };
}

/** Where the `temporal` binary was found: which rule picked it. */
export type TemporalCliSource = 'TEMPORAL_CLI' | 'PATH' | 'setup' | 'none';

export interface TemporalCliChoice {
  /** What to spawn: a path, or plain `temporal` when nothing was found. */
  path: string;
  source: TemporalCliSource;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The `temporal` binary as the runbook found it: TEMPORAL_CLI, else the first on PATH, else the copy our setup installed (.venv/bin). */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): TemporalCliChoice {
  if (env.TEMPORAL_CLI) return { path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'temporal');
    if (isExecutableFile(candidate)) return { path: candidate, source: 'PATH' };
  }
  const venvCli = join(packageRoot, '.venv', 'bin', 'temporal');
  if (isExecutableFile(venvCli)) return { path: venvCli, source: 'setup' };
  return { path: 'temporal', source: 'none' };
}

/** The path of the `temporal` binary findTemporalCli picks. */
export function defaultTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  return findTemporalCli(env).path;
}

/** Reads settings from the environment; what it leaves unset comes from DEFAULTS (src/defaults.ts). */
function flagFromEnv(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new Error(`${name}: expected 1, true, 0 or false, got "${raw}"`);
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const stateHome = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  // Checked here too, so a bad value stops every command before any process is read.
  processBackendFromEnv(env);
  return {
    opsTaskQueue: env.TEMPORAL_OPS_TASK_QUEUE || DEFAULTS.opsTaskQueue,
    bookkeepingNamespace: env.TEMPORAL_OPS_BOOKKEEPING_NAMESPACE || DEFAULTS.bookkeepingNamespace,
    stateDir: resolve(env.TEMPORAL_OPS_STATE_DIR || join(stateHome, 'temporal-ops')),
    workerCommand: env.TEMPORAL_WORKER_CMD || DEFAULTS.workerCommand,
    temporalCli: defaultTemporalCli(env),
    graceMs: numberFromEnv(env, 'TEMPORAL_OPS_GRACE_MS', DEFAULTS.graceSeconds * 1000),
    readyTimeoutMs: numberFromEnv(env, 'TEMPORAL_OPS_READY_TIMEOUT_MS', DEFAULTS.readyTimeoutSeconds * 1000),
    host: env.TEMPORAL_OPS_HOST || hostname(),
    replayWarm: (env.TEMPORAL_OPS_REPLAY_WARM ?? '') === '' || flagFromEnv(env, 'TEMPORAL_OPS_REPLAY_WARM'),
    policy: policyFromEnv(env),
  };
}

/** Project names become file names: keep letters, digits, dot, dash and underscore. */
export function sanitizeProjectName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return cleaned.slice(0, 100) || 'project';
}
