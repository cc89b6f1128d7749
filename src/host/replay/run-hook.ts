// Running the project's own worker command with the replay hook: spawned like a worker (own process
// group, output to a log file), without network where the host allows it, every connection setting
// aimed at the gate's own address. The hook must say it loaded within HOOK_WAIT_MS, or the whole
// group is killed; the whole group is also killed on timeout or cancellation.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../config.js';
import { tailLog } from '../logs/logs.js';
import { spawnDetached } from '../workers/spawn.js';
import { ReplayCheckError, SpawnFailedError } from '../../errors.js';
import { parseHookLines, type HookLine } from './hook-output.js';
import { hookedArgv, hookEnv, launchOf, REPLAY_WAIT_ENV, rehookEnv } from './hook-command.js';
import type { PythonLaunch } from './python-launch.js';
import { SPAWN_TOKEN_ENV } from '../records/token-name.js';
import type { IsolationPlan } from './isolation.js';
import { SdkWatch } from './sdk-watch.js';

/** The directory holding sitecustomize.py and the hook module. */
const hookDir = join(packageRoot, 'src', 'host', 'replay', 'python');

/** A warm process's program: runs what the recorded Python ran (python/temporal_ops_warm.py). */
const warmProgram = join(hookDir, 'temporal_ops_warm.py');

/** Tells the warm program what the recorded Python ran. */
const WARM_TARGET_ENV = 'TEMPORAL_OPS_WARM_TARGET';

/** How long the hook has to prove it loaded (its `hook-loaded` line) before the group is killed. */
const HOOK_WAIT_MS = 5000;

/** How the hooked command is started: the worker command's own, with the hook armed. */
export interface HookLaunch {
  command: string;
  cwd: string;
  /** The environment the worker command would get (connection env, project env, task queue). */
  env: Record<string, string>;
  /** The spawn token's file its processes hold open (records/spawn-token.ts). */
  tokenFile?: string;
  specPath: string;
  logPath: string;
  /** The gate's own address and a temporal.toml naming it. */
  gateAddress: string;
  configFilePath: string;
  isolation: IsolationPlan;
  /** Start this recorded Python directly, running what it ran, instead of the command (a warm process). */
  python?: PythonLaunch;
}

export interface HookRun extends HookLaunch {
  outputPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HookRunResult {
  lines: HookLine[];
  exit: { code: number | null; signal: string | null };
}

/** A started hooked command; a warm one (launchHooked's `readyPath`) waits for `go` on stdin. */
export interface Launched {
  pid: number;
  exited: Promise<HookRunResult['exit']>;
  /** True once the process was reaped: its group id may be reused, so it is never signalled again. */
  reaped: () => boolean;
  stdin?: Writable;
}

type Exit = HookRunResult['exit'];

/** Kills the group we spawned while its leader is unreaped (so its group id cannot have been reused). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function readLines(path: string): Promise<HookLine[]> {
  return parseHookLines(await readFile(path, 'utf8').catch(() => ''));
}

/**
 * Waits until the hook's `hook-loaded` line appears, the process exits, `stopped()` says so, or
 * HOOK_WAIT_MS pass (`waited`). After `exited`, the output file was read once more after the exit.
 */
async function awaitHook(
  path: string,
  exited: Promise<Exit>,
  stopped: () => boolean,
): Promise<'loaded' | 'exited' | 'stopped' | 'waited'> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = performance.now() + HOOK_WAIT_MS;
  let size = 0;
  for (;;) {
    // Read after `done` is seen, so a line written just before the exit is not missed.
    const ended = done;
    const now = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (now !== size) {
      size = now;
      if ((await readLines(path)).some((l) => l.kind === 'hook-loaded')) return 'loaded';
    }
    if (ended) return 'exited';
    if (stopped()) return 'stopped';
    if (performance.now() >= deadline) return 'waited';
    await Promise.race([sleep(25), exited]);
  }
}

/** The failure of a command whose Python never armed the hook (`why`: what it did instead). */
export function hookNotLoaded(
  command: string,
  lines: readonly HookLine[],
  why: string,
  tail: string,
  exit?: Exit,
): ReplayCheckError {
  const pythons = lines.flatMap((l) => (l.kind === 'hook-inert' ? [`${l.python} (${l.why})`] : []));
  return new ReplayCheckError(
    'hook-not-loaded',
    `"${command}" ${why} without loading the replay hook` +
      (pythons.length > 0 ? ` (Python without the SDK: ${pythons.join(', ')})` : '') +
      ': is it a Python program with temporalio, run without -I/-S/-E and with PYTHONPATH kept?',
    tail,
    exit,
  );
}

/**
 * Starts the command with the hook armed. With `readyPath`, the process is warm: its Python imports
 * the SDK, says so in `readyPath`, and waits for `go` on stdin (runWithHook sends it) before the
 * program's own code runs; it exits quietly at the end of its input.
 */
export async function launchHooked(run: HookLaunch, readyPath?: string): Promise<Launched> {
  const armed = {
    hookDir,
    specPath: run.specPath,
    gateAddress: run.gateAddress,
    configFilePath: run.configFilePath,
  };
  const { python } = run;
  const argv = python
    ? [python.executable, ...python.options, warmProgram]
    : hookedArgv(run.command, hookDir);
  const hooked = python
    ? {
        ...rehookEnv(python.env, armed),
        [WARM_TARGET_ENV]: JSON.stringify(python.target),
        ...(run.env[SPAWN_TOKEN_ENV] ? { [SPAWN_TOKEN_ENV]: run.env[SPAWN_TOKEN_ENV] } : {}),
      }
    : hookEnv({ env: run.env, inherited: process.env, ...armed });
  const launch = launchOf([...run.isolation.prefix, ...argv]);
  const env = { ...hooked, ...launch.env, ...(readyPath ? { [REPLAY_WAIT_ENV]: readyPath } : {}) };
  let reaped = false;
  const settle = (exited: Promise<HookRunResult['exit']>) => {
    void exited.then(() => (reaped = true));
    return exited;
  };
  try {
    const spawned = await spawnDetached({
      command: launch.command,
      cwd: python?.cwd ?? run.cwd,
      env,
      logPath: run.logPath,
      ...(run.tokenFile ? { tokenFile: run.tokenFile } : {}),
      ...(readyPath ? { stdin: 'pipe' as const } : {}),
    });
    return {
      pid: spawned.pid,
      exited: settle(spawned.exited),
      reaped: () => reaped,
      ...(spawned.stdin ? { stdin: spawned.stdin } : {}),
    };
  } catch (error) {
    if (!(error instanceof SpawnFailedError)) throw error;
    if (!error.exited) throw new ReplayCheckError('crashed', error.message, await tailLog(run.logPath, 30));
    // Exited before we could look at it: its output file still says what happened.
    reaped = true;
    return { pid: error.exited.pid, exited: Promise.resolve(error.exited), reaped: () => true };
  }
}

/**
 * Runs the command (or lets the warm process `launched` go) until it exits, the timeout passes or
 * `signal` aborts; returns the hook's lines.
 */
export async function runWithHook(run: HookRun, launched?: Launched): Promise<HookRunResult> {
  let stopped: 'timed-out' | 'cancelled' | undefined;
  let current: Launched | undefined;
  const stopGroup = () => {
    if (current && !current.reaped()) killGroup(current.pid);
  };
  const stop = (why: 'timed-out' | 'cancelled') => {
    stopped ??= why;
    stopGroup();
  };
  const timer = setTimeout(() => stop('timed-out'), run.timeoutMs);
  // The child is unref'd (spawned like a worker): without this, a process with nothing else to do
  // would end before the child's exit is seen.
  const keepAlive = setInterval(() => undefined, 60_000);
  let watching: NodeJS.Timeout | undefined;
  const onAbort = () => stop('cancelled');
  run.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    current = launched ?? (await launchHooked(run));
    current.stdin?.end('go\n');
    const { pid, exited } = current;
    if (stopped || run.signal?.aborted) stop(stopped ?? 'cancelled');
    let strays: number[] = [];
    if (run.isolation.kind === 'none' && process.platform === 'linux') {
      const watch = new SdkWatch(pid, run.outputPath);
      const look = () => {
        if (current?.reaped() || strays.length > 0) return;
        strays = watch.strays();
        if (strays.length > 0) stopGroup();
      };
      look();
      watching = setInterval(look, 100);
    }
    if ((await awaitHook(run.outputPath, exited, () => stopped !== undefined)) === 'waited') {
      stopGroup();
      const exit = await exited;
      const why = `ran ${HOOK_WAIT_MS / 1000} s`;
      throw hookNotLoaded(
        run.command,
        await readLines(run.outputPath),
        why,
        await tailLog(run.logPath, 30),
        exit,
      );
    }
    const exit = await exited;
    const lines = await readLines(run.outputPath);
    if (strays.length > 0) {
      const why = `ran a Python with temporalio (pid ${strays.join(', ')}) that did not load the hook; stopped`;
      throw hookNotLoaded(run.command, lines, why, await tailLog(run.logPath, 30), exit);
    }
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
    clearInterval(watching);
    run.signal?.removeEventListener('abort', onAbort);
  }
}
