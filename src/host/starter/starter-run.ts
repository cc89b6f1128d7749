// Running a project's starter at most once per step: it runs detached with the step's token in
// its environment and its output in a file named by the token, so a retry after a crash waits for
// the same run (found by token) or reads what it printed, and never starts a second one.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import { SpawnFailedError, StarterFailedError } from '../../errors.js';
import { parseStarterOutput } from './starter.js';
import { failpoint } from '../records/failpoint.js';
import { spawnDetached } from '../workers/spawn.js';
import { processesWithToken, tokenFile } from '../records/spawn-token.js';
import { SPAWN_TOKEN_ENV } from '../records/token-name.js';

export interface StarterRun {
  stateDir: string;
  /** The same for every attempt of the step (see tokenFor). */
  token: string;
  command: string;
  cwd: string;
  env: Record<string, string>;
  /** Connection secrets of ours the project's registration passes on (by name). */
  passEnv?: readonly string[];
  /** Bound from the first attempt's spawn; a starter still running then is stopped. */
  timeoutMs: number;
  workflowIdPattern?: string;
  signal?: AbortSignal;
  /** Decides at cancellation whether the starter is stopped too (a cancelled recipe) or left to finish (worker shutdown). */
  stopOnCancel?: () => boolean;
  onTick?: () => void;
}

export interface StarterResult {
  workflowId?: string;
  runId?: string;
  /** null when the run was adopted from a crashed attempt (only its parent sees the code). */
  exitCode: number | null;
  output: string;
  /** True when this call found the run of an earlier attempt instead of starting one. */
  recovered: boolean;
  pid?: number;
  /** The starter's lifetime on this host's clock, as the state file keeps it (the same for every attempt). */
  startedAtMs: number;
  /** When its exit was seen; absent only in a state file from before this field existed. */
  endedAtMs?: number;
}

/** What the state file keeps of a starter run. */
interface RunState {
  token: string;
  command: string;
  cwd: string;
  startedAtMs: number;
  pid?: number;
  exit?: { code: number | null; signal: string | null; timedOut?: boolean; atMs?: number };
}

const dirOf = (stateDir: string) => join(stateDir, 'starters');
const statePath = (run: StarterRun) => join(dirOf(run.stateDir), `${run.token}.json`);
const outputPath = (run: StarterRun) => join(dirOf(run.stateDir), `${run.token}.out`);

async function readState(run: StarterRun): Promise<RunState | undefined> {
  try {
    return JSON.parse(await readFile(statePath(run), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

async function writeState(run: StarterRun, state: RunState): Promise<void> {
  const path = statePath(run);
  const tmp = `${path}.${nanoid(6)}.tmp`;
  await writeFile(tmp, JSON.stringify(state) + '\n', { mode: 0o600 });
  await rename(tmp, path);
}

const readOutput = (run: StarterRun) => readFile(outputPath(run), 'utf8').catch(() => '');

/** SIGTERM, then SIGKILL, to every group whose members carry the run's token (the proof it is ours). */
async function stopRun(stateDir: string, token: string): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    for (const pgid of new Set(processesWithToken(stateDir, token).map((p) => p.pgid))) {
      try {
        process.kill(-pgid, signal);
      } catch {
        // gone meanwhile
      }
    }
    const deadline = Date.now() + 3000;
    while (processesWithToken(stateDir, token).length > 0 && Date.now() < deadline) await sleep(50);
  }
}

/** Waits until no process carries the token, bounded by the run's deadline; false on timeout. */
async function waitRunGone(run: StarterRun, deadlineMs: number, exited?: Promise<unknown>): Promise<boolean> {
  let first = true;
  for (;;) {
    if (processesWithToken(run.stateDir, run.token).length === 0) return true;
    if (Date.now() >= deadlineMs) return false;
    run.onTick?.();
    if (first) failpoint('starter:during-wait');
    first = false;
    const signalled = run.signal ? { signal: run.signal } : undefined;
    // An aborted sleep rejects with a generic AbortError: report the signal's own reason instead.
    await Promise.race([
      sleep(200, undefined, signalled).catch(() => undefined),
      ...(exited ? [exited] : []),
    ]);
    run.signal?.throwIfAborted();
  }
}

async function finish(run: StarterRun, state: RunState, recovered: boolean): Promise<StarterResult> {
  const output = await readOutput(run);
  const parsed = await parseStarterOutput(output, run.workflowIdPattern);
  return {
    ...parsed,
    exitCode: state.exit?.code ?? null,
    output,
    recovered,
    pid: state.pid,
    startedAtMs: state.startedAtMs,
    endedAtMs: state.exit?.atMs,
  };
}

async function awaitRun(
  run: StarterRun,
  state: RunState,
  exited?: Promise<{ code: number | null; signal: string | null }>,
): Promise<RunState> {
  let gone: boolean;
  try {
    gone = await waitRunGone(run, state.startedAtMs + run.timeoutMs, exited);
  } catch (error) {
    if (run.signal?.aborted && run.stopOnCancel?.()) await stopRun(run.stateDir, run.token);
    throw error;
  }
  if (!gone) {
    await stopRun(run.stateDir, run.token);
    const done = { ...state, exit: { code: null, signal: 'SIGTERM', timedOut: true, atMs: Date.now() } };
    await writeState(run, done);
    const tail = (await readOutput(run)).slice(-2000);
    throw new StarterFailedError(
      run.command,
      'timeout',
      null,
      tail,
      `starter "${run.command}" still ran after ${run.timeoutMs} ms; stopped`,
    );
  }
  // Its processes are gone, but its exit event may not have arrived: the child is unref'd, so hold
  // the event loop open until it does.
  const hold = setInterval(() => undefined, 60_000);
  const exit = await (exited ?? Promise.resolve({ code: null, signal: null })).finally(() =>
    clearInterval(hold),
  );
  const done = { ...state, exit: { ...exit, atMs: Date.now() } };
  await writeState(run, done);
  failpoint('starter:after-exit');
  return done;
}

/** Runs the starter unless an earlier attempt of the step already did; returns what it printed. */
export async function runStarterOnce(run: StarterRun): Promise<StarterResult> {
  await mkdir(dirOf(run.stateDir), { recursive: true });
  const earlier = await readState(run);
  if (earlier?.exit) return finish(run, earlier, true);
  if (earlier && processesWithToken(run.stateDir, run.token).length > 0)
    return finish(run, await awaitRun(run, earlier), true);
  // Ran and exited while nobody watched: its output is all there is; never run it again.
  if (earlier && (earlier.pid !== undefined || (await readOutput(run)) !== ''))
    return finish(run, await awaitRun(run, earlier), true);
  const state: RunState = { token: run.token, command: run.command, cwd: run.cwd, startedAtMs: Date.now() };
  await writeState(run, state);
  failpoint('starter:before-spawn');
  let spawned;
  try {
    spawned = await spawnDetached({
      command: run.command,
      cwd: run.cwd,
      env: { ...run.env, [SPAWN_TOKEN_ENV]: run.token },
      tokenFile: tokenFile(run.stateDir, run.token),
      ...(run.passEnv ? { passEnv: run.passEnv } : {}),
      logPath: outputPath(run),
      header: false,
    });
  } catch (error) {
    if (!(error instanceof SpawnFailedError && error.exited)) throw error;
    // Exited before we could look at it: it ran, so what it printed is the answer.
    const { code, signal } = error.exited;
    const done = { ...state, pid: error.exited.pid, exit: { code, signal, atMs: Date.now() } };
    await writeState(run, done);
    return finish(run, done, false);
  }
  failpoint('starter:after-spawn');
  const running = { ...state, pid: spawned.pid };
  await writeState(run, running);
  return finish(run, await awaitRun(run, running, spawned.exited), false);
}
