// Who may run what, through the real EnsureWorker recipe and its prepareProject activity: a real
// control worker, real copies of the example project, real Python workers.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { EnsureWorkerRecipeReport } from '../../workflows/ensure-worker.js';
import { packageRoot } from '../../src/config.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { readProc } from '../../src/host/records/proc.js';
import { addProject } from '../../src/host/projects/registry.js';
import { writePolicyFile } from '../../src/host/projects/load-policy.js';
import { venvPython } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';

let h: Harness;
let root: string;

/** A fresh copy of the example project (its own directory, so its own project). */
async function exampleCopy(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await cp(join(packageRoot, 'examples', 'orders'), dir, { recursive: true });
  return dir;
}

function ensureWorker(input: Record<string, unknown>): Promise<EnsureWorkerRecipeReport> {
  return h.client.workflow.execute('EnsureWorker', {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `test-policy-${nanoid(8)}`,
    args: [{ readyTimeoutSeconds: 60, graceSeconds: 2, ...input }],
    workflowExecutionTimeout: '3m',
  });
}

/** The recipe's problem: its report's when it ended with one, the failure's when input was refused. */
async function problemOf(input: Record<string, unknown>): Promise<string> {
  try {
    const report = await ensureWorker(input);
    assert.equal(report.ok, false, 'the recipe was expected to be refused');
    return report.problem ?? '';
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    return error.cause?.message ?? '';
  }
}

/** A refusal fails the recipe itself with a non-retryable PolicyRefusedError; returns its message. */
async function refusal(input: Record<string, unknown>): Promise<string> {
  const error = await ensureWorker(input).then(
    (report) => assert.fail(`expected a refusal, the recipe ended ok=${report.ok}: ${report.problem}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkflowFailedError, String(error));
  assert.equal((error.cause as { type?: string } | undefined)?.type, 'PolicyRefusedError');
  return error.cause?.message ?? '';
}

async function liveWorkers(project: string) {
  const records = await readPidRecords(h.settings.stateDir, { kind: 'worker', project });
  return records.filter((r) => readProc(r.pid) !== undefined);
}

before(async () => {
  h = await createHarness();
  root = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'projects-'));
});

after(async () => {
  await h.cleanup();
});

describe('local policy, registered-only (the remote default)', () => {
  before(async () => {
    // What `serve` on a remote server would apply: no open roots, no free-form commands.
    await writePolicyFile(h.settings.stateDir, { allowedRoots: [], allowFreeFormCommands: false });
    h.settings.policy = {};
  });

  it('refuses an unregistered directory, naming the policy, the rule and how to register it', async () => {
    const dir = await exampleCopy('unregistered');
    const problem = await h.withControlWorker(() =>
      refusal({ projectDir: dir, taskQueue: uniqueQueue('refused') }),
    );
    assert.match(problem, /projectDir ".*\/unregistered" refused by the loopback policy of this host/);
    assert.match(problem, /not registered on this host and not under an allowed root \(allowedRoots: none\)/);
    assert.match(problem, new RegExp(`temporal-ops project add ${dir}`));
    assert.match(problem, /policy\.json/);
  });

  it('runs a registered directory with the command registered for each queue, and refuses a free-form one', async () => {
    const dir = await exampleCopy('registered');
    const taskQueue = uniqueQueue('registered');
    const otherQueue = `${taskQueue}-other`;
    const command = `${venvPython} worker.py`;
    // Another spelling of the same worker, registered for the second queue.
    const otherCommand = `${venvPython} -u worker.py`;
    const entry = await addProject(h.settings.stateDir, {
      projectDir: dir,
      workerCommand: command,
      taskQueue,
    });
    await addProject(h.settings.stateDir, {
      projectDir: dir,
      workerCommand: otherCommand,
      taskQueue: otherQueue,
    });
    const [ran, freeForm, ranOther] = await h.withControlWorker(async () => [
      await ensureWorker({ projectDir: dir, taskQueue }),
      await refusal({ projectDir: dir, taskQueue, workerCommand: `${venvPython} -c "print(1)"` }),
      await ensureWorker({ projectDir: dir, taskQueue: otherQueue }),
    ]);
    assert.equal(ran.ok, true, ran.problem);
    assert.equal(ranOther.ok, true, ranOther.problem);
    assert.equal(ran.project, entry.key);
    const workers = await liveWorkers(entry.key);
    assert.deepEqual(
      workers.map((w) => [w.taskQueue, w.command, w.cwd]).sort((a, b) => a[0]!.localeCompare(b[0]!)),
      [
        [taskQueue, command, dir],
        [otherQueue, otherCommand, dir],
      ],
    );
    assert.match(freeForm, /workerCommand ".*" refused by .*allowFreeFormCommands: false/);
    assert.match(freeForm, /--worker-command/);
  });
});

describe('local policy, open roots', () => {
  before(async () => {
    await writePolicyFile(h.settings.stateDir, { allowedRoots: [root] });
    h.settings.policy = {};
  });

  it('refuses a free-form shell command unless shell syntax is allowed', async () => {
    const dir = await exampleCopy('shell');
    const input = {
      projectDir: dir,
      taskQueue: uniqueQueue('shell'),
      workerCommand: `${venvPython} worker.py 2>&1`,
    };
    const refused = await h.withControlWorker(() => refusal(input));
    assert.match(refused, /workerCommand ".*worker\.py 2>&1" refused by .*shell syntax .*allowShell: false/);
    h.settings.policy = { allowShell: true };
    try {
      const allowed = await h.withControlWorker(() => ensureWorker(input));
      assert.equal(allowed.ok, true, allowed.problem);
    } finally {
      h.settings.policy = {};
    }
  });

  it('gives one directory under two names (and a symlink) one key and one worker', async () => {
    const dir = await exampleCopy('labels');
    const link = join(root, 'labels-link');
    await symlink(dir, link);
    const taskQueue = uniqueQueue('labels');
    const workerCommand = `${venvPython} worker.py`;
    const [first, second] = await h.withControlWorker(async () => [
      await ensureWorker({ projectDir: dir, project: 'labels-a', taskQueue, workerCommand }),
      await ensureWorker({ projectDir: link, project: 'labels-b', taskQueue, workerCommand }),
    ]);
    assert.equal(first.ok, true, first.problem);
    assert.equal(second.ok, true, second.problem);
    assert.equal(first.project, 'labels-a');
    assert.equal(second.project, 'labels-a');
    assert.equal((await liveWorkers('labels-a')).length, 1);
    assert.deepEqual(await liveWorkers('labels-b'), []);
  });

  it('refuses a name that is another directory’s project instead of merging them', async () => {
    const dir = await exampleCopy(join('elsewhere', 'labels'));
    const problem = await h.withControlWorker(() =>
      problemOf({
        projectDir: dir,
        project: 'labels-a',
        taskQueue: uniqueQueue('collide'),
        workerCommand: `${venvPython} worker.py`,
      }),
    );
    assert.match(
      problem,
      /project: expected a name that is not already another directory's project \("labels-a" is .*\/labels\)/,
    );
  });
});
