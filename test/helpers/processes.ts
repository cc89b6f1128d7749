// Helpers for the process-layer tests: throwaway copies of the example project, worker specs, and an
// orphan detector that finds processes by the task queue in their environment (read-only: it never signals).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { proveIdentity } from '../../src/host/records/identity.js';
import { readIntents } from '../../src/host/records/intent.js';
import { readPidRecords, type PidRecord } from '../../src/host/records/pid-file.js';
import { groupMembers, readProc } from '../../src/host/records/proc.js';
import { pidOfIdentity } from '../../src/host/workers/readiness.js';
import { SPAWN_TOKEN_ENV } from '../../src/host/records/token-name.js';
import type { WorkerSpec } from '../../src/host/workers/workers.js';
import { exampleProjectDir, venvPython } from '../../src/host/projects/example.js';
import { testTarget } from './harness.js';

export { venvPython };
export const fixturesDir = join(packageRoot, 'test', 'fixtures', 'python');

/** A fresh directory under the test root; `name` becomes its last path part (the project name). */
export async function scratchDir(name: string): Promise<string> {
  const parent = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'projects-'));
  const dir = join(parent, name);
  await mkdir(dir);
  return dir;
}

/** Copies the example orders project; with `git`, commits it so the code fingerprint is a commit. */
export async function copyOrders(dir: string, options: { git?: boolean } = {}): Promise<string> {
  for (const file of ['worker.py', 'workflows.py', 'activities.py', 'starter.py'])
    await copyFile(join(exampleProjectDir, file), join(dir, file));
  if (options.git) {
    const git = (...args: string[]) =>
      execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
    await git('init', '-q');
    await git('add', '.');
    await git('commit', '-q', '-m', 'orders');
  }
  return dir;
}

/** A spec that runs the orders worker (or `command`) in `dir` against the test server. */
export function ordersSpec(
  stateDir: string,
  project: string,
  dir: string,
  taskQueue: string,
  extra: Partial<WorkerSpec> = {},
): WorkerSpec {
  const target = testTarget();
  return {
    stateDir,
    project,
    projectDir: dir,
    command: `${venvPython} worker.py`,
    taskQueue,
    env: {},
    baseEnv: { TEMPORAL_ADDRESS: target.address, TEMPORAL_NAMESPACE: target.namespace },
    graceMs: 3000,
    ...extra,
  };
}

// The tests' own view of processes reads Linux /proc directly, whichever backend the code under
// test uses: an observer independent of it.
function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    return [];
  }
}

/** The spawn token in a process's environment (read from /proc, not through the backend under test). */
export function envTokenOf(pid: number): string | undefined {
  const prefix = `${SPAWN_TOKEN_ENV}=`;
  return environOf(pid)
    .find((entry) => entry.startsWith(prefix))
    ?.slice(prefix.length);
}

/** Live pids whose environment has `TEMPORAL_TASK_QUEUE=<queue>`: every process started for that queue. */
export function processesOnQueue(queue: string): number[] {
  const needle = `TEMPORAL_TASK_QUEUE=${queue}`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => environOf(pid).includes(needle));
}

export interface WaitOptions {
  /** Pause between two checks (default 50 ms). */
  intervalMs?: number;
  /** Treat a check that throws as not yet true, and name its last error on timeout (default: rethrow). */
  retryErrors?: boolean;
}

/**
 * Polls `check` until it returns a value other than undefined/false; throws after `timeoutMs` with an
 * error naming `what` it waited for. The one bounded wait of the tests: no fixed sleeps.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (!options.retryErrors) throw error;
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`,
      );
    await sleep(options.intervalMs ?? 50);
  }
}

/** Live pids started for `queue` (TEMPORAL_TASK_QUEUE in their environment) with their spawn token. */
export function tokensOnQueue(queue: string): Map<number, string | undefined> {
  return new Map(processesOnQueue(queue).map((pid) => [pid, envTokenOf(pid)]));
}

/** The spawn tokens of the replay runs recorded in `stateDir` (warm replay processes among them). */
function warmReplayTokens(stateDir: string): Set<string> {
  const dir = join(stateDir, 'replays');
  const names = (() => {
    try {
      return readdirSync(dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
  })();
  return new Set(
    names.flatMap((name) => {
      try {
        return [(JSON.parse(readFileSync(join(dir, name), 'utf8')) as { spawnToken: string }).spawnToken];
      } catch {
        return [];
      }
    }),
  );
}

function cmdlineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The end state every process step owes: one record of the project, its group alive and the only
 * poller on the queue, and no process started for the queue outside it or with another token.
 */
export async function assertOneWorkerNoOrphan(
  client: Client,
  stateDir: string,
  project: string,
  queue: string,
  /** Under a wrapper (`uv run`) the poller is a child in the worker's group, not its leader. */
  options: { pollerInGroup?: boolean } = {},
): Promise<PidRecord> {
  const records = await readPidRecords(stateDir, { kind: 'worker', project });
  assert.equal(records.length, 1, `records: ${records.map((r) => r.pid).join(', ')}`);
  const [worker] = records as [PidRecord];
  assert.equal(proveIdentity(worker).ownership, 'ours', `worker ${worker.pid} runs`);
  const group = groupMembers(worker.pgid).map((m) => m.pid);
  const warm = warmReplayTokens(stateDir);
  for (const [pid, token] of tokensOnQueue(queue)) {
    // A warm replay process: recorded by us, and `ps` shows our warm program, not the worker command.
    if (token !== undefined && warm.has(token) && cmdlineOf(pid).at(-1)?.endsWith('temporal_ops_warm.py'))
      continue;
    assert.ok(
      group.includes(pid),
      `process ${pid} (token ${token}) runs outside the recorded group: an orphan`,
    );
    assert.equal(token, worker.spawnToken, `process ${pid} carries another spawn token`);
  }
  const intents = (await readIntents(stateDir, project)).map((i) => i.spawnToken);
  assert.deepEqual(intents, [], 'no intent left behind');
  const polling = await waitFor('the recorded worker to be the only live poller', async () => {
    const pids = (await listPollers(client, queue))
      .map((p) => pidOfIdentity(p.identity))
      .filter((pid): pid is number => pid !== undefined && readProc(pid) !== undefined)
      .map((pid) => (options.pollerInGroup ? readProc(pid)!.pgid : pid));
    const unique = [...new Set(pids)];
    return unique.length === 1 && unique[0] === worker.pid && unique;
  });
  assert.deepEqual(polling, [worker.pid]);
  return worker;
}

export interface ControlWorkerProcess {
  pid: number;
  /** Resolves when the process ends, with its exit code or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** The environment of a control worker process on the test server with its own state dir and ops queue. */
export function controlWorkerEnv(
  stateDir: string,
  opsQueue: string,
  stepBundle?: string,
): Record<string, string> {
  const recipes = process.env.TEMPORAL_OPS_TEST_BUNDLE ?? '';
  return {
    TEMPORAL_ADDRESS: testTarget().address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_OPS_STATE_DIR: stateDir,
    TEMPORAL_OPS_TASK_QUEUE: opsQueue,
    TEMPORAL_OPS_GRACE_MS: '3000',
    TEMPORAL_OPS_TEST_BUNDLE: recipes,
    TEMPORAL_OPS_TEST_BOOKKEEPING_BUNDLE: process.env.TEMPORAL_OPS_TEST_BOOKKEEPING_BUNDLE ?? '',
    // Without step workflows, the recipes' bundle serves the steps queue too (nothing is sent there).
    TEMPORAL_OPS_STEP_BUNDLE: stepBundle ?? recipes,
  };
}

const controlWorkerMain = join(packageRoot, 'test', 'helpers', 'control-worker-main.ts');

/** Starts test/helpers/control-worker-main.ts as its own process and waits until it says "ready". */
export async function startControlWorkerProcess(env: Record<string, string>): Promise<ControlWorkerProcess> {
  const child = execa(process.execPath, ['--import', 'tsx', controlWorkerMain], {
    cwd: packageRoot,
    env,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const exited = child.then((r) => ({ code: r.exitCode ?? null, signal: r.signal ?? null }));
  const ready = new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('ready\n')) resolve();
    });
    void exited.then((exit) =>
      reject(new Error(`control worker exited before ready: ${JSON.stringify(exit)}`)),
    );
  });
  await Promise.race([
    ready,
    sleep(60_000).then(() => Promise.reject(new Error('control worker not ready in 60 s'))),
  ]);
  const pid = child.pid!;
  return {
    pid,
    exited,
    async stop(graceMs = 20_000) {
      child.kill('SIGTERM');
      const done = await Promise.race([exited, sleep(graceMs).then(() => undefined)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
