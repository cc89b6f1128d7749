// The replay tests' project: a git copy of the stall fixtures with the replay fixture added, its
// worker started the normal way, and helpers to edit the copy's workflow code.
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { ensureWorker } from '../../src/host/workers/workers.js';
import { openWorkflowHistories } from '../../src/host/replay/histories.js';
import type { ReplayCheckOptions } from '../../src/host/replay/replay-check.js';
import { testTarget } from '../helpers/harness.js';
import { fixturesDir, ordersSpec, scratchDir, venvPython, waitFor } from '../helpers/processes.js';

export const replayFixtures = join(packageRoot, 'test', 'fixtures', 'replay');
export const REPLAY_WORKER = `${venvPython} replay_worker.py`;

export interface ReplayProject {
  dir: string;
  git(...args: string[]): Promise<unknown>;
  /** Writes greeting_impl.py with `code` inserted at its `# BEFORE-GREET` marker. */
  editWorkflow(code: string): Promise<void>;
}

/** The stall fixtures plus the replay fixture, committed in a fresh git repo named `name`. */
export async function copyReplayProject(name: string): Promise<ReplayProject> {
  const dir = await scratchDir(name);
  for (const source of [fixturesDir, replayFixtures])
    for (const file of await readdir(source))
      if (/\.(py|sh)$/.test(file)) await copyFile(join(source, file), join(dir, file));
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
  await git('init', '-q');
  await git('add', '.');
  await git('commit', '-q', '-m', 'fixtures');
  return {
    dir,
    git,
    async editWorkflow(code: string) {
      const original = await readFile(join(replayFixtures, 'greeting_impl.py'), 'utf8');
      await writeFile(join(dir, 'greeting_impl.py'), original.replace('        # BEFORE-GREET\n', code));
    },
  };
}

/** Starts the project's worker (as EnsureWorker does) and waits until the server sees it. */
export async function startReplayWorker(
  client: Client,
  stateDir: string,
  project: ReplayProject,
  taskQueue: string,
): Promise<number> {
  const outcome = await ensureWorker(
    ordersSpec(stateDir, 'replay-shop', project.dir, taskQueue, { command: REPLAY_WORKER }),
    { ready: { timeoutMs: 30_000, pollers: clientPollerSource(client) } },
  );
  return outcome.record.pid;
}

/** Starts Greeter and waits until its first activity is done and it waits for `go`. */
export async function startWaitingGreeter(client: Client, taskQueue: string, workflowId: string) {
  await client.workflow.start('Greeter', { taskQueue, workflowId, args: ['bob'] });
  await waitFor(
    'Greeter to finish its first activity and wait',
    async () => {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const types = (history.events ?? []).map(eventTypeName);
      const done = types.indexOf('ActivityTaskCompleted');
      return done > 0 && types.lastIndexOf('WorkflowTaskCompleted') > done;
    },
    30_000,
  );
}

/** Waits until visibility lists `count` running runs on the queue (it lags behind starts). */
export async function waitListed(client: Client, taskQueue: string, count: number): Promise<void> {
  await waitFor(
    `${count} runs listed as running on ${taskQueue}`,
    async () => (await openWorkflowHistories(client, { taskQueue })).histories.length === count,
    30_000,
  );
}

/** Replay check options for the project against the test server. */
export function checkOptions(
  project: ReplayProject,
  stateDir: string,
  taskQueue: string,
  extra: Partial<ReplayCheckOptions> = {},
): ReplayCheckOptions {
  const target = testTarget();
  return {
    projectDir: project.dir,
    taskQueue,
    workerCommand: REPLAY_WORKER,
    baseEnv: { TEMPORAL_ADDRESS: target.address, TEMPORAL_NAMESPACE: target.namespace },
    stateDir,
    timeoutMs: 90_000,
    ...extra,
  };
}
