// Parsed flags -> command options: recipe input from target flags, worker targets with their
// documented environment defaults. Pure apart from one check that a relative --project-dir exists here.
import { statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { sanitizeProjectName } from '../config.js';
import { assertProjectKey } from '../host/projects/key.js';
import { ExitError } from '../errors.js';
import { ExitCode } from './output.js';

/** Where relative paths and defaults come from. */
export interface Where {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function usageError(message: string): ExitError {
  return new ExitError(message, ExitCode.usage);
}

/** The target flags of `up`, `run clean-start` and `run test-interactive`, as commander parsed them. */
export interface RawRecipeFlags {
  input?: Record<string, unknown>;
  projectDir?: string;
  project?: string;
  taskQueue?: string;
  workerCommand?: string;
  workflowType?: string;
  args?: unknown[];
  workflowId?: string;
  starter?: string;
  byWorker?: boolean;
  env?: Record<string, string>;
  readyTimeout?: number;
  resultTimeout?: number;
  host?: string;
}

/** A relative directory means one on this machine, so it must exist here; absolute ones are the recipe's to check. */
function projectDir(dir: string, host: string | undefined, where: Where): string {
  if (isAbsolute(dir)) return dir;
  if (host !== undefined)
    throw usageError(`--project-dir: expected an absolute path on host ${host}, got "${dir}"`);
  const full = resolve(where.cwd, dir);
  let isDirectory = false;
  try {
    isDirectory = statSync(full).isDirectory();
  } catch {
    // Missing: reported below.
  }
  if (!isDirectory) throw usageError(`--project-dir: expected an existing directory, got "${dir}" (${full})`);
  return full;
}

/** Recipe input from --input plus the target flags (flags win); undefined when neither was given. */
export function recipeInput(raw: RawRecipeFlags, where: Where): Record<string, unknown> | undefined {
  const input: Record<string, unknown> = { ...raw.input };
  if (raw.projectDir !== undefined) input.projectDir = projectDir(raw.projectDir, raw.host, where);
  if (raw.project !== undefined) input.project = raw.project;
  if (raw.taskQueue !== undefined) input.taskQueue = raw.taskQueue;
  if (raw.workerCommand !== undefined) input.workerCommand = raw.workerCommand;
  if (raw.workflowType !== undefined && raw.starter !== undefined)
    throw usageError('--workflow-type and --starter: give one, not both');
  if (raw.workflowType === undefined && (raw.args !== undefined || raw.workflowId !== undefined))
    throw usageError('--args and --workflow-id: only with --workflow-type');
  if (raw.workflowType !== undefined)
    input.start = {
      workflowType: raw.workflowType,
      args: raw.args ?? [],
      ...(raw.workflowId !== undefined && { workflowId: raw.workflowId }),
    };
  if (raw.starter !== undefined) input.start = { command: raw.starter };
  if (raw.byWorker === true) {
    if (raw.workflowType !== undefined || raw.starter !== undefined)
      throw usageError('--by-worker: not with --workflow-type or --starter');
    input.start = { byWorker: true };
  }
  if (raw.env !== undefined) input.env = raw.env;
  if (raw.readyTimeout !== undefined) input.readyTimeoutSeconds = raw.readyTimeout;
  if (raw.resultTimeout !== undefined) input.resultTimeoutSeconds = raw.resultTimeout;
  if (raw.host !== undefined) input.host = raw.host;
  return Object.keys(input).length > 0 ? input : undefined;
}

/** Input of a sweeping recipe: --input plus --query and --task-queue (a filter here). */
export function sweepInput(raw: {
  input?: Record<string, unknown>;
  query?: string;
  taskQueue?: string;
}): Record<string, unknown> {
  return {
    ...raw.input,
    ...(raw.query !== undefined && { query: raw.query }),
    ...(raw.taskQueue !== undefined && { taskQueue: raw.taskQueue }),
  };
}

/**
 * A scheduled sweep's remedies of its own (--auto-remedy): act without waiting for approval, only
 * those kinds, on the project of --project-dir (default the current directory).
 */
export function autoRemedyInput(
  raw: { autoRemedy?: string[]; projectDir?: string; workerCommand?: string },
  where: Where,
): Record<string, unknown> {
  if (!raw.autoRemedy?.length) {
    if (raw.projectDir !== undefined || raw.workerCommand !== undefined)
      throw usageError('--project-dir and --worker-command: only with --auto-remedy');
    return {};
  }
  return {
    act: true,
    autoApprove: true,
    remedies: raw.autoRemedy,
    projectDir: projectDir(raw.projectDir ?? '.', undefined, where),
    ...(raw.workerCommand !== undefined && { workerCommand: raw.workerCommand }),
  };
}

/** Input of `run check-recent`: --input plus --minutes, --task-queue, --query, --workflow-type. */
export function checkRecentInput(raw: {
  input?: Record<string, unknown>;
  minutes?: number;
  taskQueue?: string;
  query?: string;
  workflowType?: string[];
}): Record<string, unknown> {
  return {
    ...sweepInput(raw),
    ...(raw.minutes !== undefined && { minutes: raw.minutes }),
    ...(raw.workflowType?.length && { workflowTypes: raw.workflowType }),
  };
}

/** Input of `run debug-stalled`: the sweep, one workflow, or with --act the project and the remedy knobs. */
export function debugStalledInput(
  raw: RawRecipeFlags & Record<string, unknown>,
  where: Where,
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...raw.input, ...sweepInput(raw) };
  if (raw.projectDir !== undefined) input.projectDir = projectDir(raw.projectDir, raw.host, where);
  const copy: [flag: string, field: string][] = [
    ['workflowId', 'workflowId'],
    ['workerCommand', 'workerCommand'],
    ['project', 'project'],
    ['host', 'host'],
    ['waitForFix', 'waitForFixSeconds'],
    ['verify', 'verifySeconds'],
    ['nonDeterminism', 'nonDeterminism'],
  ];
  for (const [flag, field] of copy) if (raw[flag] !== undefined) input[field] = raw[flag];
  if (raw.act === true) input.act = true;
  if (raw.autoApprove === true) input.autoApprove = true;
  if (raw.resetAttempts === true) input.resetAttempts = true;
  if (raw.rerun === false) input.rerun = false;
  return input;
}

/** The flags of the `worker` commands, as commander parsed them (each command declares a subset). */
export interface RawWorkerFlags {
  projectDir?: string;
  project?: string;
  taskQueue?: string;
  workerCommand?: string;
  env?: Record<string, string>;
  readyTimeout?: number;
  grace?: number;
  host?: string;
}

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

/**
 * The worker target with the documented defaults: $TEMPORAL_OPS_PROJECT_DIR else the current dir,
 * $TEMPORAL_OPS_PROJECT else the dir's name, $TEMPORAL_TASK_QUEUE (not for restart, which reuses the record).
 */
export function workerTarget(raw: RawWorkerFlags, where: Where, restart = false): WorkerTarget {
  const dir = resolve(where.cwd, raw.projectDir ?? where.env.TEMPORAL_OPS_PROJECT_DIR ?? '.');
  const named =
    raw.project ?? (raw.projectDir === undefined ? where.env.TEMPORAL_OPS_PROJECT || undefined : undefined);
  return {
    projectDir: dir,
    projectDirGiven: raw.projectDir !== undefined,
    project: named === undefined ? sanitizeProjectName(basename(dir)) : projectName(named),
    taskQueue: raw.taskQueue ?? (restart ? undefined : where.env.TEMPORAL_TASK_QUEUE || undefined),
    workerCommand: raw.workerCommand,
    env: raw.env,
    readyTimeoutMs: raw.readyTimeout === undefined ? undefined : raw.readyTimeout * 1000,
    graceMs: raw.grace === undefined ? undefined : raw.grace * 1000,
    ...(raw.host !== undefined && { host: raw.host }),
  };
}

/** --project as given: a project key, never rewritten (`../../etc` is refused, not read as `etc`). */
function projectName(name: string): string {
  try {
    return assertProjectKey(name, '--project');
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

/** --project, when given (it must be a valid project key). */
export function workerProject(raw: { project?: string }): string | undefined {
  return raw.project === undefined ? undefined : projectName(raw.project);
}
