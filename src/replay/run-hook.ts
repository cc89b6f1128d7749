// Running the project's own worker command with the replay hook on PYTHONPATH: in its own process
// group, output to a log file, the whole group killed on timeout or cancellation.
import { open, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../config.js';
import { parseCommand } from '../processes/command.js';
import { tailLog } from '../processes/logs.js';
import { ReplayCheckError } from './errors.js';
import { parseHookLines, type HookLine } from './hook-output.js';

/** The directory holding sitecustomize.py and the hook module. */
export const hookDir = join(packageRoot, 'src', 'replay', 'python');

/** The env var the hook reads: path of the replay spec (JSON). */
export const REPLAY_SPEC_ENV = 'TEMPORAL_OPS_REPLAY';

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
  pid: number;
}

function pythonPath(env: Record<string, string>): string {
  const existing = env.PYTHONPATH ?? process.env.PYTHONPATH;
  return existing ? `${hookDir}${delimiter}${existing}` : hookDir;
}

/** Kills the group we spawned while its leader is unreaped (so the group id cannot be reused). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs the command until it exits, the timeout passes or `signal` aborts; returns the hook's lines. */
export async function runWithHook(run: HookRun): Promise<HookRunResult> {
  const parsed = parseCommand(run.command);
  const log = await open(run.logPath, 'a');
  let child: ReturnType<typeof execa> | undefined;
  let stopped: 'timed-out' | 'cancelled' | undefined;
  try {
    child = execa(parsed.file, parsed.args, {
      cwd: run.cwd,
      env: { ...run.env, PYTHONPATH: pythonPath(run.env), [REPLAY_SPEC_ENV]: run.specPath },
      extendEnv: true,
      shell: parsed.shell,
      detached: true,
      cleanup: false,
      stdin: 'ignore',
      stdout: log.fd as 1,
      stderr: log.fd as 2,
      reject: false,
      buffer: false,
    });
    const spawned = child;
    const stop = (why: 'timed-out' | 'cancelled') => {
      stopped ??= why;
      if (spawned.pid !== undefined && spawned.exitCode === null) killGroup(spawned.pid);
    };
    const timer = setTimeout(() => stop('timed-out'), run.timeoutMs);
    const onAbort = () => stop('cancelled');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) onAbort();
    const result = await spawned.finally(() => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
    });
    const exit = { code: result.exitCode ?? null, signal: result.signal ?? null };
    if (result.failed && result.exitCode === undefined && !stopped)
      throw new ReplayCheckError(
        'crashed',
        `cannot start "${run.command}": ${result.shortMessage}`,
        '',
        exit,
      );
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
    return { lines, exit, pid: spawned.pid ?? 0 };
  } finally {
    await log.close();
  }
}
