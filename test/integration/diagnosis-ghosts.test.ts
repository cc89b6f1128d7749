// A dead worker must not hide behind its ghost: a real Python worker killed with SIGKILL stays listed
// by DescribeTaskQueue for minutes, yet the analysis, the sweep, DebugStalled and `worker list` call
// it a ghost and a workflow waiting only on ghosts no-worker at once; a live worker beside it is no ghost.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import type { Finding } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { sweep } from '../../src/inspect/sweep.js';
import { takeInventory } from '../../src/host/workers/inventory.js';
import { clientPollerSource, localLivenessOracle } from '../../src/host/workers/pollers.js';
import { groupMembers, readProc } from '../../src/host/records/proc.js';
import { venvPython } from '../../src/host/projects/example.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { fixtureDir, startFixtureWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
let outsider: ResultPromise | undefined;
const queue = uniqueQueue('ghosts');
const host = hostname();
// An hour: any no-worker verdict in this file can only come from ghosts, not from a long wait.
const policy = { noWorkerAfterMs: 3_600_000 };
const ids = { beside: uniqueId('beside-live'), alone: uniqueId('only-ghosts') };
/** The identities of the two workers that poll `queue`: ours (killed first), then one we did not start. */
const identities = { ours: '', outsider: '' };

const gone = (pid: number) => async () => (readProc(pid) ? undefined : true);

async function pollerOf(pids: number[]): Promise<string | undefined> {
  const pollers = await listPollers(h.client, queue);
  return pollers.find((p) => pids.some((pid) => p.identity === `${pid}@${host}`))?.identity;
}

before(async () => {
  h = await createHarness();
  const record = await startFixtureWorker(h, { project: uniqueId('ghosts'), taskQueue: queue });
  const members = groupMembers(record.pgid).map((m) => m.pid);
  identities.ours = await waitUntil('our worker to poll', () => pollerOf(members), 30_000);
  // A worker temporal-ops did not start: judged by its pid alone, as any user's worker.
  outsider = execa(venvPython, ['worker.py'], {
    cwd: fixtureDir,
    env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_TASK_QUEUE: queue },
    detached: true,
    cleanup: false,
    reject: false,
    stdio: 'ignore',
  });
  identities.outsider = await waitUntil('the other worker to poll', () => pollerOf([outsider!.pid!]), 30_000);
  process.kill(-record.pgid, 'SIGKILL');
  for (const pid of members) await waitUntil(`pid ${pid} to be gone`, gone(pid), 10_000, 50);
});

after(async () => {
  if (outsider?.pid && readProc(outsider.pid)) process.kill(outsider.pid, 'SIGKILL');
  await outsider;
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

function pollerStates(finding: Finding): Record<string, string> {
  return Object.fromEntries((finding.evidence.pollers ?? []).map((p) => [p.identity, p.liveness]));
}

describe('ghost pollers of killed workers', () => {
  it('judges the killed worker a ghost and the live one beside it live: no false no-worker', async () => {
    await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: ids.beside, args: [{}] });
    const { finding } = await analyzeWorkflow(
      h.client,
      { workflowId: ids.beside },
      {
        policy,
        oracle: localLivenessOracle(),
      },
    );
    assert.notEqual(finding.verdict, 'no-worker', finding.evidence.summary);
    assert.equal(pollerStates(finding)[identities.ours], 'ghost');
    assert.equal(pollerStates(finding)[identities.outsider], 'live');
    const ghost = finding.evidence.pollers!.find((p) => p.identity === identities.ours)!;
    assert.equal(ghost.why, `pid ${identities.ours.split('@')[0]} is not running on ${host}`);
  });

  it('calls a workflow waiting only on ghosts no-worker at once, naming each ghost and why', async () => {
    process.kill(outsider!.pid!, 'SIGKILL');
    await waitUntil('the other worker to be gone', gone(outsider!.pid!), 10_000, 50);
    const listed = (await listPollers(h.client, queue)).map((p) => p.identity);
    assert.ok(
      listed.includes(identities.ours) && listed.includes(identities.outsider),
      'the server lists both',
    );
    await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: ids.alone, args: [{}] });

    // A task a dying poll took times out and is scheduled again: wait for that rather than assume.
    const analysis = await waitUntil(
      'the analysis to say no-worker',
      async () => {
        const a = await analyzeWorkflow(
          h.client,
          { workflowId: ids.alone },
          { policy, oracle: localLivenessOracle() },
        );
        return a.finding.verdict === 'no-worker' ? a : undefined;
      },
      30_000,
      250,
    );
    const { finding } = analysis;
    assert.equal(finding.stalled, true);
    assert.equal(finding.confidence, 'high');
    assert.equal(finding.remedy.action, 'start-worker');
    for (const identity of Object.values(identities)) {
      assert.equal(pollerStates(finding)[identity], 'ghost', identity);
      const pid = identity.split('@')[0];
      assert.ok(
        finding.evidence.summary.includes(`${identity} (pid ${pid} is not running on ${host})`),
        finding.evidence.summary,
      );
    }

    // The sweep checks each distinct identity once, however many runs its queue holds.
    const asked: string[] = [];
    const local = localLivenessOracle();
    const swept = new Map<string, Finding>();
    for await (const item of sweep(h.client, {
      taskQueue: queue,
      opsTaskQueue: h.settings.opsTaskQueue,
      policy,
      oracle: (identity) => (asked.push(identity), local(identity)),
    }))
      if (item.kind === 'finding') swept.set(item.finding.workflowId, item.finding);
    assert.equal(swept.get(ids.alone)?.verdict, 'no-worker');
    assert.equal(swept.get(ids.beside)?.verdict, 'healthy-wait');
    assert.deepEqual([...asked].sort(), Object.values(identities).sort());
  });

  it('DebugStalled says no-worker with the ghosts, for one workflow and in a sweep', async () => {
    const [one, all] = await h.withControlWorker(() =>
      Promise.all([
        h.client.workflow.execute('DebugStalled', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: uniqueId('debug-ghost-one'),
          args: [{ workflowId: ids.alone, policy }],
        }) as Promise<DebugStalledReport>,
        h.client.workflow.execute('DebugStalled', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: uniqueId('debug-ghost-sweep'),
          args: [{ taskQueue: queue, policy }],
        }) as Promise<DebugStalledReport>,
      ]),
    );
    assert.equal(one.ok, false);
    assert.equal(one.findings[0]?.verdict, 'no-worker', one.findings[0]?.evidence.summary);
    assert.match(
      one.findings[0]!.evidence.summary,
      new RegExp(`${identities.ours} \\(pid \\d+ is not running`),
    );
    assert.equal(all.counts['no-worker'], 1);
    assert.deepEqual(
      all.findings.map((f) => f.workflowId),
      [ids.alone],
    );
  });

  it('worker list shows both as ghosts with the same reason', async () => {
    const inventory = await takeInventory(h.settings.stateDir, {
      taskQueues: [queue],
      pollers: clientPollerSource(h.client),
    });
    const pollers = inventory.queues.find((q) => q.taskQueue === queue)!.pollers;
    for (const identity of Object.values(identities)) {
      const p = pollers.find((x) => x.identity === identity);
      assert.equal(p?.class, 'ghost', identity);
      assert.match(p.why, /is not running on/);
    }
  });
});
