// Processes that leave their group: a worker command that daemonises (fork, setsid, the parent
// exits) is followed by the spawn token in its environment, adopted when it polls, and stopped
// with its worker. Real Python processes, a real dev server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import { WorkerNotReadyError } from '../../src/errors.js';
import { readPidRecords, writePidRecord } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { readProc } from '../../src/host/records/proc.js';
import { pidOfIdentity } from '../../src/host/workers/readiness.js';
import { processesWithToken, tokenFor } from '../../src/host/records/spawn-token.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  copyOrders,
  fixturesDir,
  ordersSpec,
  processesOnQueue,
  scratchDir,
  venvPython,
  waitFor,
} from '../helpers/processes.js';

let h: Harness;

before(async () => {
  h = await createHarness();
});

after(async () => {
  await h.cleanup();
});

function daemonSpec(
  project: string,
  queue: string,
  env: Record<string, string>,
  command = `${venvPython} daemonize.py`,
) {
  return ordersSpec(h.settings.stateDir, project, fixturesDir, queue, { command, env });
}

describe('processes that escape their group', () => {
  for (const [how, env, command] of [
    ['fork and setsid', {}, undefined],
    ['a double fork', { DAEMON_DOUBLE_FORK: '1' }, undefined],
    // The spawned `setsid` usually exits before its start time can be read.
    ['`setsid -f`', {}, `setsid -f ${venvPython} worker.py`],
  ] as const) {
    it(`adopts a worker that daemonises by ${how} once it polls, and stop leaves nothing with its token`, async () => {
      const queue = uniqueQueue('daemon');
      const project = `daemon-${nanoid(4)}`;
      const outcome = await ensureWorker(daemonSpec(project, queue, env, command), {
        ready: { timeoutMs: 30_000, pollers: clientPollerSource(h.client) },
      });
      const { record, ready } = outcome;
      const token = record.spawnToken!;
      const daemon = pidOfIdentity(ready!.pollerIdentity)!;
      assert.equal(record.pid, daemon, 'the record names the process that polls');
      assert.deepEqual(ready!.daemonised, {
        spawnedPid: record.spawned!.pid,
        pid: daemon,
        pgid: record.pgid,
      });
      assert.notEqual(record.spawned!.pid, daemon);
      assert.equal(readProc(record.spawned!.pid), undefined, 'the spawned parent exited');
      const stored = await readPidRecords(h.settings.stateDir, { kind: 'worker', project });
      assert.deepEqual(
        stored.map((r) => [r.pid, r.pgid, r.readyAtMs]),
        [[daemon, record.pgid, ready!.readyAtMs]],
      );
      assert.deepEqual(
        processesWithToken(h.settings.stateDir, token).map((p) => p.pid),
        [daemon],
      );

      const [stopped] = await stopProjectWorkers(h.settings.stateDir, project, 3000);
      assert.deepEqual([stopped?.pid, stopped?.ownership, stopped?.result], [daemon, 'ours', 'stopped']);
      assert.deepEqual(processesWithToken(h.settings.stateDir, token), [], 'nothing with its token is alive');
      assert.deepEqual(processesOnQueue(queue), []);
    });
  }

  it('stops a daemon that never polls when the ready check gives up, and says it daemonised', async () => {
    const queue = uniqueQueue('daemon-sleeps');
    const project = `daemon-sleeps-${nanoid(4)}`;
    const error = await ensureWorker(daemonSpec(project, queue, { DAEMON_THEN: 'sleep' }), {
      ready: { timeoutMs: 2000, pollers: clientPollerSource(h.client) },
    }).then(
      () => assert.fail('a worker that never polls is not ready'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkerNotReadyError, String(error));
    assert.equal(error.reason, 'timeout', 'not "exited": its daemon was alive');
    assert.match(error.message, /it daemonised: 1 process\(es\) outside its group carried its spawn token/);
    assert.match(error.logTail, /daemonize: daemon pid \d+/);
    const [record] = await readPidRecords(h.settings.stateDir, { kind: 'worker', project });
    assert.deepEqual(
      processesWithToken(h.settings.stateDir, record!.spawnToken!),
      [],
      'nothing with its token is alive',
    );
    assert.deepEqual(processesOnQueue(queue), []);
  });

  it('stops a daemonised process that its record never followed, and nothing else', async () => {
    const queue = uniqueQueue('daemon-lost');
    const project = `daemon-lost-${nanoid(4)}`;
    // No readiness wait: the record keeps naming the parent, which exits at once.
    const { record } = await ensureWorker(daemonSpec(project, queue, { DAEMON_THEN: 'sleep' }));
    const token = record.spawnToken!;
    const [daemon] = await waitFor('the daemon', () => {
      const found = processesWithToken(h.settings.stateDir, token).filter((p) => p.pid !== record.pid);
      return found.length > 0 && readProc(record.pid) === undefined && found;
    });
    const neighbour = await ensureWorker(
      daemonSpec(`${project}-neighbour`, uniqueQueue('neighbour'), { DAEMON_THEN: 'sleep' }),
    );
    const [stopped] = await stopProjectWorkers(h.settings.stateDir, project, 3000);
    assert.deepEqual(
      [stopped?.ownership, stopped?.result, stopped?.escaped],
      ['gone', 'stopped', [daemon!.pid]],
    );
    assert.deepEqual(processesWithToken(h.settings.stateDir, token), []);
    assert.ok(
      processesWithToken(h.settings.stateDir, neighbour.record.spawnToken!).length > 0,
      "another worker's daemon is left alone",
    );
    await stopProjectWorkers(h.settings.stateDir, `${project}-neighbour`, 3000);
    assert.deepEqual(processesWithToken(h.settings.stateDir, neighbour.record.spawnToken!), []);
  });

  it('spares the worker a retry adopts while forgetting an older record of the same token', async () => {
    const queue = uniqueQueue('same-token');
    const project = `same-token-${nanoid(4)}`;
    const spec = ordersSpec(h.settings.stateDir, project, await copyOrders(await scratchDir(project)), queue);
    const token = tokenFor(['same-token', nanoid()]);
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    const first = await ensureWorker(spec, { token, ready });
    // An earlier spawn of the same step that died: same token, an earlier start, a pid now gone.
    const exited = execa('true');
    const deadPid = exited.pid!;
    await exited;
    await writePidRecord(h.settings.stateDir, {
      ...first.record,
      pid: deadPid,
      pgid: deadPid,
      startTime: String(Number(first.record.startTime) - 100),
      startedAt: new Date(Date.parse(first.record.startedAt) - 1000).toISOString(),
      readyAtMs: undefined,
    });
    const retry = await ensureWorker(spec, { token, ready });
    assert.deepEqual([retry.action, retry.recovered, retry.record.pid], ['started', true, first.record.pid]);
    assert.deepEqual(
      retry.stopped.map((o) => [o.pid, o.result, o.escaped]),
      [[deadPid, 'already-gone', undefined]],
    );
    assert.ok(readProc(first.record.pid), 'the adopted worker still runs');
    await stopProjectWorkers(h.settings.stateDir, project, 3000);
    assert.deepEqual(processesWithToken(h.settings.stateDir, token), []);
  });

  it('CleanStart reports the daemon as its worker, ready, and ends with exactly one worker', async () => {
    const taskQueue = uniqueQueue('daemon-clean');
    const report = (await h.withControlWorker(() =>
      h.client.workflow.execute('CleanStart', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `test-daemon-clean-start-${nanoid(8)}`,
        args: [
          {
            projectDir: fixturesDir,
            project: `daemon-clean-${nanoid(4)}`,
            taskQueue,
            workerCommand: `${venvPython} daemonize.py`,
            start: { workflowType: 'NoWorkerTarget' },
          },
        ],
        workflowExecutionTimeout: '3m',
      }),
    )) as CleanStartReport;
    assert.equal(report.ok, true, report.problem);
    const daemon = pidOfIdentity(report.worker!.pollerIdentity!)!;
    assert.equal(report.worker!.pid, daemon, 'the report names the process that polls');
    assert.deepEqual(report.worker!.daemonised?.pid, daemon);
    assert.ok(readProc(daemon), 'the worker still runs after the recipe');
    assert.deepEqual(processesOnQueue(taskQueue), [daemon], 'exactly one worker process');
  });
});
