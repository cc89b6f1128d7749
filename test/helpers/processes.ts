// Helpers for the process-layer tests: throwaway copies of the example project, worker specs, and an
// orphan detector that finds processes by the task queue in their environment (read-only: it never signals).
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { listPids } from '../../src/processes/proc.js';
import type { WorkerSpec } from '../../src/processes/workers.js';
import { exampleProjectDir, venvPython } from '../../src/recipes/example-target.js';
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

/** Live pids whose environment has `TEMPORAL_TASK_QUEUE=<queue>`: every process started for that queue. */
export function processesOnQueue(queue: string): number[] {
  const needle = `\0TEMPORAL_TASK_QUEUE=${queue}\0`;
  return listPids().filter((pid) => {
    try {
      return `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(needle);
    } catch {
      return false;
    }
  });
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
