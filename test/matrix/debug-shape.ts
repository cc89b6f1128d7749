// One project shape as a developer has it for the DebugStalled matrix: a scratch copy of the
// shape's fixture, registered on this host, its worker run with the shape's own command, and the
// faults a developer makes by editing the copy's real source (then restarting the worker).
import assert from 'node:assert/strict';
import { cp, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { targetEnv } from '../../src/control-worker.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { proveIdentity } from '../../src/host/records/identity.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { addProject } from '../../src/host/projects/registry.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { testTarget } from '../helpers/harness.js';
import { scratchDir, venvPython, waitFor } from '../helpers/processes.js';
import type { Shape } from '../integration/replay-shapes-fixture.js';

/** The faults, each as the line a developer adds (and later removes) in the copy's source. */
const faults = {
  /** After the wait for the signal: the run's next workflow task raises (a code bug). */
  codeBug: {
    file: (shape: Shape) => shape.workflowFile,
    after: /^ {8}await workflow\.wait_condition\(.*\)\n/m,
    line: '        raise RuntimeError("bug: the total is not computed")\n',
  },
  /** First line of the activity: every attempt fails (a retry storm). */
  retryStorm: {
    file: (shape: Shape) => shape.workflowFile.replace(/workflows\.py$/, 'activities.py'),
    after: /^@activity\.defn\nasync def \w+\(.*\).*:\n/m,
    line: '    raise RuntimeError("downstream unavailable")\n',
  },
} as const;

export type Fault = keyof typeof faults;

export interface ShapeCopy {
  shape: Shape;
  dir: string;
  project: string;
  taskQueue: string;
  /** The workflow ID the program starts by itself (samples style), unique to this copy. */
  ownRunId?: string;
  env: Record<string, string>;
  /** Adds or removes a fault in the copy's source (the worker runs it after its next start). */
  fault(fault: Fault, on: boolean): Promise<void>;
  /** The careless edit: a timer before the activity call (or its removal). */
  careless(on: boolean): Promise<void>;
  /** Restarts the worker as the developer does, and waits until it polls. */
  restartWorker(): Promise<number>;
  /** Stops the worker as the developer does (a samples-style file: its own run ends, so it exits). */
  stopWorker(): Promise<void>;
}

async function replaceIn(file: string, from: string | RegExp, to: (match: string) => string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const match = typeof from === 'string' ? (text.includes(from) ? from : undefined) : from.exec(text)?.[0];
  assert.ok(match !== undefined, `${file} has ${String(from)}`);
  await writeFile(file, text.replace(match, to(match)));
}

/** Until the run has passed its activity and waits (its workflow task after the activity completed). */
export async function pastActivity(client: Client, workflowId: string): Promise<void> {
  await waitFor(
    `${workflowId} to pass its activity`,
    async () => {
      const history = await client.workflow
        .getHandle(workflowId)
        .fetchHistory()
        .catch(() => undefined);
      const types = (history?.events ?? []).map(eventTypeName);
      const done = types.indexOf('ActivityTaskCompleted');
      return done > 0 && types.lastIndexOf('WorkflowTaskCompleted') > done;
    },
    60_000,
  );
}

/**
 * Copies the shape's fixture; hard-coded names (queue, address, the own run's ID) become unique to
 * the copy and the test server, still hard-coded. Registers the directory with the env names its
 * worker needs, starts the worker with the shape's command and waits until it polls.
 */
export async function copyShape(client: Client, stateDir: string, shape: Shape): Promise<ShapeCopy> {
  const tag = nanoid(6).replace(/[^A-Za-z0-9]/g, 'x');
  const project = `${shape.fixture}-${tag}`;
  const dir = await realpath(await scratchDir(project));
  await cp(join(packageRoot, 'test', 'fixtures', shape.fixture), dir, { recursive: true });
  const taskQueue = shape.fixedQueue ? `${shape.fixedQueue}-${tag}` : `${shape.fixture}-${tag}`;
  const ownRunId = shape.ownRunId ? `${shape.ownRunId}-${tag}` : undefined;
  const main = join(dir, shape.fixedQueue ? mainFile(shape) : shape.workflowFile);
  if (shape.fixedQueue) await replaceIn(main, `"${shape.fixedQueue}"`, () => `"${taskQueue}"`);
  if (ownRunId) {
    await replaceIn(main, `"${shape.ownRunId}"`, () => `"${ownRunId}"`);
    await replaceIn(main, '"localhost:7233"', () => `"${testTarget().address}"`);
  }
  if (shape.fixture === 'shape-src-layout')
    await execa(
      join(packageRoot, '.venv', 'bin', 'uv'),
      ['sync', '--locked', '--offline', '--quiet', '--python', venvPython],
      {
        cwd: dir,
        env: { UV_OFFLINE: '1', UV_PYTHON_DOWNLOADS: 'never' },
      },
    );
  const env = shape.env?.(dir) ?? {};
  await addProject(stateDir, { projectDir: dir, project, envAllow: Object.keys(env) });
  const spec = {
    stateDir,
    project,
    projectDir: dir,
    command: shape.command(dir),
    taskQueue,
    env,
    baseEnv: targetEnv(testTarget()),
    graceMs: 3000,
  };
  const stopWorker = async (): Promise<void> => {
    if (!ownRunId) {
      await stopProjectWorkers(stateDir, project, 3000);
      return;
    }
    // The sample's worker lives as long as its own run: end the run, and the program exits.
    const [record] = await readPidRecords(stateDir, { kind: 'worker', project });
    const own = client.workflow.getHandle(ownRunId);
    const open = await own.describe().then(
      (d) => d.status.name === 'RUNNING',
      () => false,
    );
    if (open) await own.terminate('the developer ends the sample');
    if (record)
      await waitFor(`worker ${record.pid} to exit`, () => proveIdentity(record).ownership !== 'ours', 30_000);
  };
  const copy: ShapeCopy = {
    shape,
    dir,
    project,
    taskQueue,
    ownRunId,
    env,
    async fault(name, on) {
      const fault = faults[name];
      const file = join(dir, fault.file(shape));
      if (on) await replaceIn(file, fault.after, (m) => m + fault.line);
      else await replaceIn(file, fault.line, () => '');
    },
    async careless(on) {
      const timer = '        await workflow.sleep(timedelta(seconds=1))\n';
      const file = join(dir, shape.workflowFile);
      if (on) await replaceIn(file, shape.activityCall, (m) => timer + m);
      else await replaceIn(file, timer + shape.activityCall, () => shape.activityCall);
    },
    async restartWorker() {
      // A samples-style file starts its own run again: the old one must have ended first.
      if (ownRunId) await stopWorker();
      const outcome = await ensureWorker(spec, {
        mode: 'restart',
        ready: { timeoutMs: 60_000, pollers: clientPollerSource(client) },
      });
      return outcome.record.pid;
    },
    stopWorker,
  };
  await copy.restartWorker();
  return copy;
}

/** The file that names the hard-coded queue: the worker module, or the single file. */
function mainFile(shape: Shape): string {
  return shape.ownRunId ? shape.workflowFile : shape.workflowFile.replace(/workflows\.py$/, 'worker.py');
}

async function pollerIdentities(client: Client, taskQueue: string): Promise<string[]> {
  const lists = await Promise.all(
    (['workflow', 'activity'] as const).map((kind) => listPollers(client, taskQueue, kind)),
  );
  return lists.flat().map((p) => p.identity);
}

/**
 * Watches the live queue from now on; `stop` returns the poller identities that appeared and were
 * not listed at the start (dead pollers stay listed for minutes, so a short-lived one is seen too).
 */
export async function watchNewPollers(
  client: Client,
  taskQueue: string,
): Promise<{ stop(): Promise<string[]> }> {
  const known = new Set(await pollerIdentities(client, taskQueue));
  const seen = new Set<string>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const identity of await pollerIdentities(client, taskQueue)) seen.add(identity);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      watching = false;
      await watch;
      for (const identity of await pollerIdentities(client, taskQueue)) seen.add(identity);
      return [...seen].filter((identity) => !known.has(identity));
    },
  };
}
