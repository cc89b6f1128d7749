// The replay check for real: a copy of the Python fixtures with the replay fixture added, a worker
// started the normal way, open workflows, then edits to the copy's workflow code; replayCheck runs
// the project's own worker command with the hook and predicts what a restart would do.
import assert from 'node:assert/strict';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { clientPollerSource } from '../../src/processes/pollers.js';
import { readProc } from '../../src/processes/proc.js';
import { ensureWorker } from '../../src/processes/workers.js';
import { openWorkflowHistories } from '../../src/replay/histories.js';
import { replayCheck, type ReplayCheckOptions } from '../../src/replay/replay-check.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { fixturesDir, ordersSpec, scratchDir, venvPython, waitFor } from '../helpers/processes.js';

const replayFixtures = join(packageRoot, 'test', 'fixtures', 'replay');
const WORKER = `${venvPython} replay_worker.py`;

let h: Harness;
let dir: string;
let queue: string;

async function git(...args: string[]) {
  return execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
}

/** The stall fixtures plus the replay fixture, committed in a fresh git repo. */
async function copyProject(target: string): Promise<void> {
  for (const source of [fixturesDir, replayFixtures])
    for (const name of await readdir(source))
      if (name.endsWith('.py') || name.endsWith('.sh')) await copyFile(join(source, name), join(target, name));
  dir = target;
  await git('init', '-q');
  await git('add', '.');
  await git('commit', '-q', '-m', 'fixtures');
}

const original = () => readFile(join(replayFixtures, 'greeting_impl.py'), 'utf8');

/** Writes greeting_impl.py of the copy with `code` inserted at the `# BEFORE-GREET` marker. */
async function editWorkflow(code: string): Promise<void> {
  const text = (await original()).replace('        # BEFORE-GREET\n', code);
  await writeFile(join(dir, 'greeting_impl.py'), text);
}

function check(extra: Partial<ReplayCheckOptions> = {}): ReplayCheckOptions {
  const target = testTarget();
  return {
    projectDir: dir,
    taskQueue: queue,
    workerCommand: WORKER,
    baseEnv: { TEMPORAL_ADDRESS: target.address, TEMPORAL_NAMESPACE: target.namespace },
    stateDir: h.settings.stateDir,
    timeoutMs: 90_000,
    ...extra,
  };
}

async function eventTypes(workflowId: string): Promise<string[]> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map(eventTypeName);
}

let workerPid: number;
const greeterId = `greeter-${Date.now()}`;
const waiterId = `waiter-${Date.now()}`;

before(async () => {
  h = await createHarness();
  queue = uniqueQueue('replay');
  await copyProject(await scratchDir('replay-shop'));
  const outcome = await ensureWorker(
    ordersSpec(h.settings.stateDir, 'replay-shop', dir, queue, { command: WORKER }),
    { ready: { timeoutMs: 30_000, pollers: clientPollerSource(h.client) } },
  );
  workerPid = outcome.record.pid;
  await h.client.workflow.start('Greeter', { taskQueue: queue, workflowId: greeterId, args: ['bob'] });
  await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: waiterId });
  // One activity done, the following workflow task completed: the run now waits for `go`.
  await waitFor(
    'Greeter to finish its first activity and wait',
    async () => {
      const types = await eventTypes(greeterId);
      const done = types.indexOf('ActivityTaskCompleted');
      return done > 0 && types.lastIndexOf('WorkflowTaskCompleted') > done;
    },
    30_000,
  );
  await waitFor(
    'both runs to be listed as running',
    async () => (await openWorkflowHistories(h.client, { taskQueue: queue })).histories.length === 2,
    30_000,
  );
});

after(async () => {
  for (const id of [greeterId, waiterId])
    await h.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await h.cleanup();
});

describe('replayCheck', () => {
  it('predicts the break of a careless edit: the diverging event, what the new code did, the SDK message', async () => {
    await editWorkflow(
      '        await workflow.execute_activity(farewell, name, start_to_close_timeout=timedelta(seconds=10))\n',
    );
    const report = await replayCheck(h.client, check());
    assert.equal(report.checked, 2);
    assert.equal(report.wouldBreak, 1);
    assert.deepEqual(report.byType, {
      Greeter: { replays: 0, wouldBreak: 1 },
      WaitsForSignal: { replays: 1, wouldBreak: 0 },
    });
    const broken = report.results.find((r) => r.workflowId === greeterId);
    assert.equal(broken?.outcome, 'would-break');
    assert.equal(broken?.cause, 'nondeterminism');
    assert.equal(broken?.failureClass, 'NondeterminismError');
    assert.match(broken?.divergence?.message ?? '', /^\[TMPRL1100\] Nondeterminism error: /);
    assert.equal(broken?.divergence?.eventId, 5);
    assert.equal(broken?.divergence?.eventType, 'ActivityTaskScheduled');
    assert.equal(broken?.divergence?.recorded, 'greet');
    assert.equal(broken?.divergence?.produced, 'ScheduleActivityTask farewell');
    // The running worker was not touched: same pid, same process.
    assert.ok(readProc(workerPid), 'the old worker still runs');
  });

  it('lets a harmless edit pass: a comment, or a new activity behind workflow.patched', async () => {
    await editWorkflow('        # a comment that changes nothing\n');
    const commented = await replayCheck(h.client, check());
    assert.deepEqual([commented.checked, commented.replays, commented.wouldBreak], [2, 2, 0]);

    await editWorkflow(
      '        if workflow.patched("farewell-first"):\n' +
        '            await workflow.execute_activity(farewell, name, start_to_close_timeout=timedelta(seconds=10))\n',
    );
    const patched = await replayCheck(h.client, check());
    assert.deepEqual([patched.replays, patched.wouldBreak], [2, 0]);
    assert.equal(patched.spawned, true);
  });

  it('uses the worker registrations: a type found in no file or class name still replays', async () => {
    await git('checkout', '--', 'greeting_impl.py');
    const sources = await Promise.all(
      (await readdir(dir)).filter((n) => n.endsWith('.py')).map((n) => readFile(join(dir, n), 'utf8')),
    );
    assert.ok(!sources.some((s) => /class Greeter\b|def Greeter\b/.test(s)));
    const report = await replayCheck(h.client, check());
    assert.deepEqual(report.byType.Greeter, { replays: 1, wouldBreak: 0 });
  });

  it('passes at once when nothing is open, starting no process', async () => {
    // A command that cannot even start: any spawn would fail the check.
    const report = await replayCheck(
      h.client,
      check({ taskQueue: uniqueQueue('empty'), workerCommand: '/nonexistent/python worker.py' }),
    );
    assert.equal(report.checked, 0);
    assert.equal(report.spawned, false);
    assert.equal(report.replayMs, 0);
    assert.ok(report.durationMs < 5000, `took ${report.durationMs} ms`);
  });

  it('reports a command that never constructs a Worker, and still runs the project sitecustomize', async () => {
    const own = await scratchDir('own-site');
    await writeFile(
      join(own, 'sitecustomize.py'),
      'import sys\nprint("project sitecustomize ran", file=sys.stderr)\n',
    );
    await assert.rejects(
      replayCheck(
        h.client,
        check({ workerCommand: `${venvPython} -c pass`, env: { PYTHONPATH: own } }),
      ),
      (error: Error & { reason?: string; logTail?: string }) => {
        assert.equal(error.reason, 'no-worker');
        assert.match(error.logTail ?? '', /project sitecustomize ran/);
        return true;
      },
    );
  });

  it('reports a crash before replay with the log tail', async () => {
    await writeFile(join(dir, 'greeting_impl.py'), 'raise ImportError("broken on purpose")\n');
    await assert.rejects(replayCheck(h.client, check()), (error: Error & { reason?: string; logTail?: string }) => {
      assert.equal(error.reason, 'crashed');
      assert.match(error.logTail ?? '', /broken on purpose/);
      return true;
    });
    await git('checkout', '--', 'greeting_impl.py');
  });

  it('reports a command that is not Python', async () => {
    await assert.rejects(replayCheck(h.client, check({ workerCommand: 'true' })), {
      reason: 'hook-not-loaded',
    });
  });
});
