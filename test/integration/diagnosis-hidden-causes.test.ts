// Causes describe does not show, on real Python workers: a local activity failing for ever behind
// backoff timers (only its history markers tell), and an async activity whose blocking call freezes
// its worker's event loop, so the workflow tasks of other runs time out on that worker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { planRemedies } from '../../src/diagnosis/remedy-plan.js';
import type { Finding } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { sweep } from '../../src/inspect/sweep.js';
import { countCalls, stopCounting } from '../helpers/count-calls.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('hidden');
const frozenQueue = uniqueQueue('frozen');
const opsQueue = uniqueQueue('ops-hidden');
const policy = { noWorkerAfterMs: 2000, retryStormAttempts: 3 };
const ids = {
  localStorm: uniqueId('local-storm'),
  timer: uniqueId('timer'),
  blocker: uniqueId('blocker'),
  victim: uniqueId('victim'),
  victimToo: uniqueId('victim-too'),
  large: uniqueId('large'),
  flapping: uniqueId('flapping'),
  flood: uniqueId('flood'),
};
const MiB = 1024 * 1024;

async function describeRun(workflowId: string) {
  return h.client.workflowService.describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId, runId: '' },
  });
}

async function sweepQueue(taskQueue: string): Promise<Map<string, Finding>> {
  const found = new Map<string, Finding>();
  for await (const item of sweep(h.client, { taskQueue, opsTaskQueue: opsQueue, policy })) {
    assert.notEqual(item.kind, 'error', JSON.stringify(item));
    if (item.kind === 'finding') found.set(item.finding.workflowId, item.finding);
  }
  return found;
}

before(async () => {
  h = await createHarness();
  await Promise.all([
    startFixtureWorker(h, { project: uniqueId('hidden'), taskQueue: queue }),
    startFixtureWorker(h, { project: uniqueId('frozen'), taskQueue: frozenQueue }),
  ]);
  await h.client.workflow.start('LocalRetryStorm', { taskQueue: queue, workflowId: ids.localStorm });
  await h.client.workflow.start('WaitsForTimer', { taskQueue: queue, workflowId: ids.timer });
  await h.client.workflow.start('Flapping', { taskQueue: queue, workflowId: ids.flapping });
  await h.client.workflow.start('PendingActivitiesFlood', { taskQueue: queue, workflowId: ids.flood });
  // Six signals just under the 2 MiB blob limit: past the server's 10 MiB history warning.
  const large = await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: ids.large });
  for (let i = 0; i < 6; i += 1) await large.signal('fill', 'x'.repeat(1.9 * MiB));
  await h.client.workflow.start('BlocksWorker', { taskQueue: frozenQueue, workflowId: ids.blocker });
  await waitUntil(
    'the blocking activity to start',
    async () => ((await describeRun(ids.blocker)).pendingActivities?.[0]?.lastStartedTime ? true : undefined),
    30_000,
    200,
  );
  // The frozen worker still polls (its SDK core polls on its own threads) and takes these tasks.
  for (const workflowId of [ids.victim, ids.victimToo])
    await h.client.workflow.start('WaitsForSignal', {
      taskQueue: frozenQueue,
      workflowId,
      workflowTaskTimeout: '2s',
    });
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

describe('hidden causes on real Python workers', () => {
  it('calls a local activity failing behind backoff timers a retry storm, naming it from its history markers', async () => {
    const describe = await describeRun(ids.localStorm);
    assert.equal(describe.pendingActivities?.length ?? 0, 0, 'describe shows no pending activity');
    let last: Finding | undefined;
    const found = await waitUntil(
      'the local activity storm to be seen',
      async () => {
        const f = await sweepQueue(queue);
        last = f.get(ids.localStorm);
        return last?.verdict === 'activity-retry-storm' ? f : undefined;
      },
      60_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${JSON.stringify(last?.evidence)}`);
    });
    const storm = found.get(ids.localStorm)!;
    assert.equal(storm.stalled, true);
    assert.equal(storm.evidence.activity?.activityType, 'always_fails');
    assert.equal(storm.evidence.activity?.local, true);
    assert.ok((storm.evidence.activity?.attempt ?? 0) >= 3, String(storm.evidence.activity?.attempt));
    assert.equal(storm.evidence.failureMessage, 'downstream unavailable');
    assert.equal(storm.evidence.eventIds.length, 1);
    assert.match(storm.evidence.summary, /Local activity "always_fails" keeps failing/);
    assert.match(storm.remedy.text, /local activity "always_fails"/);
    // A plain timer wait beside it stays healthy (and its short history is not read).
    assert.equal(found.get(ids.timer)?.verdict, 'healthy-wait');

    const analysis = await analyzeWorkflow(h.client, { workflowId: ids.localStorm }, { policy });
    assert.equal(analysis.finding.verdict, 'activity-retry-storm');
    assert.equal(analysis.finding.evidence.activity?.local, true);
  });

  it('judges a run that fails and recovers in cycles from its recent history, also between failures', async () => {
    const between: Finding[] = [];
    await waitUntil(
      'the flapping run to be swept between failures',
      async () => {
        const f = (await sweepQueue(queue)).get(ids.flapping);
        const description = await describeRun(ids.flapping);
        // Once it failed a few times (8 events a cycle), between failures: nothing pending, or a first attempt.
        const cycles = Number(description.workflowExecutionInfo?.historyLength) >= 30;
        if (f && cycles && (description.pendingWorkflowTask?.attempt ?? 1) <= 1) between.push(f);
        return between.length >= 3 ? true : undefined;
      },
      60_000,
      700,
    );
    assert.ok(
      between.every((f) => f.verdict === 'workflow-code-bug' && f.stalled),
      JSON.stringify(between.map((f) => [f.verdict, f.evidence.summary])),
    );
    assert.match(between[between.length - 1]!.evidence.summary, /flapping step \d+/);
  });

  it("says a history past the server's size warning nears the limit, with the figures and where the limits come from", async () => {
    const found = await waitUntil(
      'the large history to be judged',
      async () => {
        const f = (await sweepQueue(queue)).get(ids.large);
        return f?.verdict === 'history-limit' ? f : undefined;
      },
      30_000,
      500,
    );
    const size = Number((await describeRun(ids.large)).workflowExecutionInfo?.historySizeBytes);
    const limit = found.evidence.historyLimit!;
    assert.ok(
      limit.bytes !== undefined && limit.bytes >= 10 * MiB && limit.bytes <= size,
      String(limit.bytes),
    );
    assert.deepEqual(
      [limit.warnBytes, limit.limitBytes, limit.warnEvents, limit.limitEvents],
      [10 * MiB, 50 * MiB, 10_240, 51_200],
    );
    assert.ok(limit.events < limit.warnEvents, String(limit.events));
    assert.match(found.evidence.summary, /limit\.historySize\.warn\/error = 10\.0 MiB\/50\.0 MiB/);
    assert.equal(found.remedy.action, 'continue-as-new');
    assert.match(found.remedy.text, /is_continue_as_new_suggested/);
  });

  it("names the server's per-workflow limit of pending activities that fails a run's workflow tasks, with the figures", async () => {
    let last: Finding | undefined;
    const found = await waitUntil(
      'the flood to be judged',
      async () => {
        last = (await sweepQueue(queue)).get(ids.flood);
        return last?.verdict === 'pending-limit' ? last : undefined;
      },
      30_000,
      500,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${JSON.stringify(last?.evidence)}`);
    });
    assert.equal(found.stalled, true);
    assert.deepEqual(found.evidence.pendingLimit, {
      kind: 'activities',
      cause: 'PENDING_ACTIVITIES_LIMIT_EXCEEDED',
      setting: 'limit.numPendingActivities.error',
      defaultLimit: 2000,
      limit: 2000,
      pending: 0,
    });
    assert.match(found.evidence.summary, /PENDING_ACTIVITIES_LIMIT_EXCEEDED/);
    assert.match(
      found.evidence.summary,
      /limit\.numPendingActivities\.error = 2000 on this server; 0 pending now/,
    );
    assert.equal(found.remedy.action, 'fix-code-restart-worker');
    assert.match(found.remedy.text, /more activities pending at once than the server allows/);
  });

  it('links the runs timing out on a frozen worker to the run whose activity blocks it, judged worker-frozen', async () => {
    let last: Map<string, Finding> | undefined;
    const found = await waitUntil(
      'the victims and the blocker to be judged',
      async () => {
        last = await sweepQueue(frozenQueue);
        const victims = [last.get(ids.victim), last.get(ids.victimToo)];
        return victims.every((v) => v?.evidence.frozenBy) &&
          last.get(ids.blocker)?.verdict === 'worker-frozen'
          ? last
          : undefined;
      },
      90_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${JSON.stringify([...(last?.values() ?? [])].map((f) => [f.workflowId, f.verdict, f.evidence.summary]))}`,
      );
    });
    const blockerRun = await describeRun(ids.blocker);
    const activity = blockerRun.pendingActivities?.[0];
    const runId = blockerRun.workflowExecutionInfo?.execution?.runId;
    for (const id of [ids.victim, ids.victimToo]) {
      const v = found.get(id)!;
      assert.equal(v.verdict, 'workflow-task-timeout', v.evidence.summary);
      assert.equal(v.evidence.frozenBy?.workerIdentity, activity?.lastWorkerIdentity);
      assert.deepEqual(
        [
          v.evidence.frozenBy?.holder.workflowId,
          v.evidence.frozenBy?.holder.runId,
          v.evidence.frozenBy?.holder.activityId,
        ],
        [ids.blocker, runId, activity?.activityId],
      );
      assert.match(v.evidence.summary, /event loop looks blocked by activity "blocks_event_loop"/);
      assert.deepEqual(v.remedy.target, { workflowId: ids.blocker, runId });
    }
    const culprit = found.get(ids.blocker)!;
    assert.equal(culprit.stalled, true);
    assert.equal(culprit.evidence.frozenWorker?.workerIdentity, activity?.lastWorkerIdentity);
    assert.deepEqual(
      culprit.evidence.frozenWorker?.victims.map((r) => r.workflowId).sort(),
      [ids.victim, ids.victimToo].sort(),
    );
    assert.match(culprit.evidence.summary, /Activity "blocks_event_loop" .* without a heartbeat/);
    assert.equal(culprit.remedy.action, 'fix-code-restart-worker');
    assert.match(culprit.remedy.text, /asyncio\.to_thread/);
    const plan = planRemedies([culprit], { nonDeterminism: 'terminate', rerun: false, newId: () => 'x' });
    assert.equal(plan.actions[0]?.remedy, 'restart-worker');
    assert.equal(plan.actions[0]?.needsCodeFix, true);
  });

  it("takes what the frozen worker holds from the sweep's own describes: one describe per run swept", async () => {
    const calls = countCalls(h.client);
    let found: Map<string, Finding>;
    try {
      found = await sweepQueue(frozenQueue);
    } finally {
      stopCounting(h.client);
    }
    assert.equal(found.get(ids.blocker)?.verdict, 'worker-frozen', found.get(ids.blocker)?.evidence.summary);
    assert.ok(found.get(ids.victim)?.evidence.frozenBy, found.get(ids.victim)?.evidence.summary);
    assert.equal(calls.describeWorkflowExecution, found.size, JSON.stringify(calls));
    assert.equal(calls.listWorkflowExecutions, 1, JSON.stringify(calls));
  });

  it('names the run holding the blocking activity worker-frozen when that run is analysed alone', async () => {
    let last: Finding | undefined;
    const found = await waitUntil(
      'the blocker, analysed alone, to be judged',
      async () => {
        last = (await analyzeWorkflow(h.client, { workflowId: ids.blocker }, { policy })).finding;
        return last.verdict === 'worker-frozen' && last.evidence.frozenWorker?.victims.length === 2
          ? last
          : undefined;
      },
      90_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${JSON.stringify(last?.evidence)}`);
    });
    const activity = (await describeRun(ids.blocker)).pendingActivities?.[0];
    assert.equal(found.stalled, true);
    assert.equal(found.evidence.frozenWorker?.workerIdentity, activity?.lastWorkerIdentity);
    assert.deepEqual(
      found.evidence.frozenWorker?.victims.map((r) => r.workflowId).sort(),
      [ids.victim, ids.victimToo].sort(),
    );
    assert.match(found.evidence.summary, /Activity "blocks_event_loop" .* without a heartbeat/);
    assert.equal(found.remedy.action, 'fix-code-restart-worker');
    // A timer wait on another queue has no silent activity: no victims are looked for, and it stays a healthy wait.
    const timer = await analyzeWorkflow(h.client, { workflowId: ids.timer }, { policy });
    assert.equal(timer.finding.verdict, 'healthy-wait');
  });
});
