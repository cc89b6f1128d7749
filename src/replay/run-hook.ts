// Running the project's own worker command with the replay hook on PYTHONPATH: spawned like a worker
// (own process group, output to a log file), the whole group killed on timeout or cancellation.
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { packageRoot } from '../config.js';
import { tailLog } from '../processes/logs.js';
import { spawnDetached, SpawnFailedError } from '../processes/spawn.js';
import { ReplayCheckError } from './errors.js';
import { parseHookLines, type HookLine } from './hook-output.js';

/** The directory holding sitecustomize.py and the hook module. */
const hookDir = join(packageRoot, 'src', 'replay', 'python');

/** The env var the hook reads: path of the replay spec (JSON). */
const REPLAY_SPEC_ENV = 'TEMPORAL_OPS_REPLAY';

export interface HookRun {
  command: string;
  cwd: string;
  /** Complete environment overrides (connection env, project env, task queue). */
  env: Record<string, string>;
  specPath: string;
  outputPath: string;
  logPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HookRunResult {
  lines: HookLine[];
  exit: { code: number | null; signal: string | null };
}

function pythonPath(env: Record<string, string>): string {
  const existing = env.PYTHONPATH ?? process.env.PYTHONPATH;
  return existing ? `${hookDir}${delimiter}${existing}` : hookDir;
}

/** Kills the group we spawned while its leader is unreaped (so its group id cannot have been reused). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs the command until it exits, the timeout passes or `signal` aborts; returns the hook's lines. */
export async function runWithHook(run: HookRun): Promise<HookRunResult> {
  const env = { ...run.env, PYTHONPATH: pythonPath(run.env), [REPLAY_SPEC_ENV]: run.specPath };
  let pid: number | undefined;
  let reaped = false;
  let stopped: 'timed-out' | 'cancelled' | undefined;
  const stop = (why: 'timed-out' | 'cancelled') => {
    stopped ??= why;
    if (pid !== undefined && !reaped) killGroup(pid);
  };
  const timer = setTimeout(() => stop('timed-out'), run.timeoutMs);
  // The child is unref'd (spawned like a worker): without this, a process with nothing else to do
  // would end before the child's exit is seen.
  const keepAlive = setInterval(() => undefined, 60_000);
  const onAbort = () => stop('cancelled');
  run.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let exited: Promise<{ code: number | null; signal: string | null }>;
    try {
      const spawned = await spawnDetached({ command: run.command, cwd: run.cwd, env, logPath: run.logPath });
      ({ pid, exited } = spawned);
    } catch (error) {
      if (!(error instanceof SpawnFailedError)) throw error;
      if (!error.exited) throw new ReplayCheckError('crashed', error.message, await tailLog(run.logPath, 30));
      // Exited before we could look at it: its output file still says what happened.
      reaped = true;
      ({ pid } = error.exited);
      exited = Promise.resolve(error.exited);
    }
    if (stopped || run.signal?.aborted) stop(stopped ?? 'cancelled');
    const exit = await exited;
    reaped = true;
    const lines = parseHookLines(await readFile(run.outputPath, 'utf8').catch(() => ''));
    if (stopped) {
      const what = stopped === 'timed-out' ? `timed out after ${run.timeoutMs} ms` : 'was cancelled';
      throw new ReplayCheckError(
        stopped,
        `replay with "${run.command}" ${what}`,
        await tailLog(run.logPath, 30),
        exit,
      );
    }
    return { lines, exit };
  } finally {
    clearTimeout(timer);
    clearInterval(keepAlive);
    run.signal?.removeEventListener('abort', onAbort);
  }
}
