// The replay check for real: a worker started the normal way, open workflows, then edits to the
// project's workflow code; replayCheck runs the project's own worker command with the hook and
// predicts what a restart onto the edited code would do.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readProc } from '../../src/host/records/proc.js';
import { replayCheck, type ReplayCheckOptions } from '../../src/host/replay/replay-check.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { processesOnQueue, scratchDir, venvPython, waitFor } from '../helpers/processes.js';
import {
  REPLAY_WORKER as WORKER,
  checkOptions,
  copyReplayProject,
  startReplayWorker,
  startWaitingGreeter,
  waitListed,
  type ReplayProject,
} from './replay-fixture.js';

let h: Harness;
let project: ReplayProject;
let queue: string;
let workerPid: number;
const greeterId = `greeter-${Date.now()}`;
const waiterId = `waiter-${Date.now()}`;

const check = (extra: Partial<ReplayCheckOptions> = {}) =>
  checkOptions(project, h.settings.stateDir, queue, extra);

before(async () => {
  h = await createHarness();
  queue = uniqueQueue('replay');
  project = await copyReplayProject('replay-shop');
  workerPid = await startReplayWorker(h.client, h.settings.stateDir, project, queue);
  await startWaitingGreeter(h.client, queue, greeterId);
  await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: waiterId });
  await waitListed(h.client, queue, 2);
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
    await project.editWorkflow(
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
    assert.equal(
      broken?.divergence?.message,
      "[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'greet' does not match activity type of activity command 'farewell'",
    );
    assert.equal(broken?.divergence?.eventId, 5);
    assert.equal(broken?.divergence?.eventType, 'ActivityTaskScheduled');
    assert.equal(broken?.divergence?.recorded, 'greet');
    assert.equal(broken?.divergence?.produced, 'ScheduleActivityTask farewell');
    // The running worker was not touched.
    assert.ok(readProc(workerPid), 'the old worker still runs');
  });

  it('names the event when the new code schedules a timer where history has an activity', async () => {
    await project.editWorkflow('        await workflow.sleep(1)\n');
    const report = await replayCheck(h.client, check());
    const broken = report.results.find((r) => r.workflowId === greeterId);
    assert.equal(broken?.divergence?.eventId, 5);
    assert.equal(broken?.divergence?.eventType, 'ActivityTaskScheduled');
    assert.equal(broken?.divergence?.produced, 'StartTimer');
    assert.match(
      broken?.divergence?.message ?? '',
      /^\[TMPRL1100\] .*HistoryEvent\(id: 5, ActivityTaskScheduled\)/,
    );
  });

  it('lets a harmless edit pass: a comment, or a new activity behind workflow.patched', async () => {
    await project.editWorkflow('        # a comment that changes nothing\n');
    const commented = await replayCheck(h.client, check());
    assert.deepEqual([commented.checked, commented.replays, commented.wouldBreak], [2, 2, 0]);

    await project.editWorkflow(
      '        if workflow.patched("farewell-first"):\n' +
        '            await workflow.execute_activity(farewell, name, start_to_close_timeout=timedelta(seconds=10))\n',
    );
    const patched = await replayCheck(h.client, check());
    assert.deepEqual([patched.replays, patched.wouldBreak, patched.spawned], [2, 0, true]);
  });

  it('uses the worker registrations: a type named in no file or class still replays', async () => {
    await project.git('checkout', '--', 'greeting_impl.py');
    const sources = await Promise.all(
      (await readdir(project.dir))
        .filter((n) => n.endsWith('.py'))
        .map((n) => readFile(join(project.dir, n), 'utf8')),
    );
    assert.ok(!sources.some((s) => /class Greeter\b/.test(s)));
    const report = await replayCheck(h.client, check());
    assert.deepEqual(report.byType.Greeter, { replays: 1, wouldBreak: 0 });
  });

  it('replays through an `async with` worker with a payload codec, started by a uv-run-style wrapper', async () => {
    // The stall fixtures' own worker.py (it does not register Greeter): only the newest run, the waiter.
    const report = await replayCheck(
      h.client,
      check({ workerCommand: './wrapper.sh', env: { PYTHON: venvPython }, max: 1 }),
    );
    assert.deepEqual([report.checked, report.replays, report.truncated], [1, 1, true]);
    assert.equal(report.results[0]?.workflowId, waiterId);
  });

  it('predicts a task failure for a run whose workflow type the new worker no longer registers', async () => {
    const worker = join(project.dir, 'replay_worker.py');
    const text = await readFile(worker, 'utf8');
    await writeFile(
      worker,
      text.replace(
        'workflows=[registered_flows._Impl, WaitsForSignal]',
        'workflows=[registered_flows._Impl]',
      ),
    );
    try {
      const report = await replayCheck(h.client, check());
      const waiter = report.results.find((r) => r.workflowId === waiterId);
      assert.equal(waiter?.outcome, 'would-break');
      assert.equal(waiter?.cause, 'task-failure');
      assert.match(waiter?.divergence?.message ?? '', /WaitsForSignal/);
      assert.equal(waiter?.divergence?.eventId, undefined);
      assert.deepEqual(report.byType.Greeter, { replays: 1, wouldBreak: 0 });
    } finally {
      await project.git('checkout', '--', 'replay_worker.py');
    }
  });

  it('passes at once when nothing is open, starting no process', async () => {
    // A command that cannot even start: any spawn would fail the check.
    const report = await replayCheck(
      h.client,
      check({ taskQueue: uniqueQueue('empty'), workerCommand: '/nonexistent/python worker.py' }),
    );
    assert.deepEqual([report.checked, report.spawned, report.replayMs], [0, false, 0]);
    assert.ok(report.durationMs < 5000, `took ${report.durationMs} ms`);
  });

  it('reports a command that never constructs a Worker, and still runs the project sitecustomize', async () => {
    const own = await scratchDir('own-site');
    await writeFile(
      join(own, 'sitecustomize.py'),
      'import sys\nprint("project sitecustomize ran", file=sys.stderr)\n',
    );
    await assert.rejects(
      replayCheck(h.client, check({ workerCommand: `${venvPython} -c pass`, env: { PYTHONPATH: own } })),
      (error: Error & { reason?: string; logTail?: string }) => {
        assert.equal(error.reason, 'no-worker');
        assert.match(error.message, /without constructing a temporalio Worker/);
        assert.match(error.logTail ?? '', /project sitecustomize ran/);
        return true;
      },
    );
  });

  it('reports a crash before replay with the log tail', async () => {
    await writeFile(join(project.dir, 'greeting_impl.py'), 'raise ImportError("broken on purpose")\n');
    await assert.rejects(
      replayCheck(h.client, check()),
      (error: Error & { reason?: string; logTail?: string }) => {
        assert.equal(error.reason, 'crashed');
        assert.match(error.logTail ?? '', /ImportError: broken on purpose/);
        return true;
      },
    );
    await project.git('checkout', '--', 'greeting_impl.py');
  });

  it('reports a worker that serves another task queue, which never polls', async () => {
    await assert.rejects(
      replayCheck(
        h.client,
        check({ workerCommand: `env TEMPORAL_TASK_QUEUE=elsewhere ${WORKER}`, otherQueueWaitMs: 2000 }),
      ),
      (error: Error & { reason?: string }) => {
        assert.equal(error.reason, 'no-matching-worker');
        assert.match(
          error.message,
          /no Worker with workflows on task queue "replay-[^"]+" \(seen: \["elsewhere"\]\)/,
        );
        return true;
      },
    );
  });

  it('kills the whole process group at the timeout', async () => {
    await assert.rejects(
      replayCheck(
        h.client,
        check({ workerCommand: `${venvPython} -c "import time; time.sleep(600)"`, timeoutMs: 1500 }),
      ),
      { reason: 'timed-out' },
    );
    // Only the real worker is left on the queue (its environment names the queue; the check's did too).
    await waitFor('the check processes to be gone', () => processesOnQueue(queue).length === 1, 10_000);
  });

  it('stops a command whose Python does not load the hook within the handshake wait', async () => {
    await assert.rejects(
      replayCheck(h.client, check({ workerCommand: `${venvPython} -I -c "import time; time.sleep(600)"` })),
      (error: Error & { reason?: string }) => {
        assert.equal(error.reason, 'hook-not-loaded');
        assert.match(error.message, /ran 5 s without loading the replay hook/);
        return true;
      },
    );
    await waitFor('the check processes to be gone', () => processesOnQueue(queue).length === 1, 10_000);
  });

  it('reports a command that is not Python', async () => {
    await assert.rejects(replayCheck(h.client, check({ workerCommand: 'true' })), {
      reason: 'hook-not-loaded',
    });
  });
});
