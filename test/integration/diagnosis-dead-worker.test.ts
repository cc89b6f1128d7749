// An activity with no heartbeat timeout, left started by a real Python worker killed with SIGKILL:
// the server notices only at its start-to-close timeout (an hour here). The sweep and the analysis
// name the activity, its attempt, the dead worker and when the server would retry it; the remedy's
// own statement (start the worker, fail the lost attempt retryably) makes the run complete.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import type { Finding } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { sweep } from '../../src/inspect/sweep.js';
import { localLivenessOracle } from '../../src/host/workers/pollers.js';
import { groupMembers, readProc } from '../../src/host/records/proc.js';
import { venvPython } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('dead');
const opsQueue = uniqueQueue('ops-dead');
const project = uniqueId('dead');
// An hour: a no-worker verdict here could only come from the ghost, never from a long wait.
const policy = { noWorkerAfterMs: 3_600_000 };
const ids = { lost: uniqueId('lost'), timer: uniqueId('timer') };
const HOUR = 3_600_000;
let identity = '';
let startedMs = 0;

async function describeRun(workflowId: string) {
  return h.client.workflowService.describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId, runId: '' },
  });
}

async function sweepQueue(): Promise<Map<string, Finding>> {
  const found = new Map<string, Finding>();
  const options = { taskQueue: queue, opsTaskQueue: opsQueue, policy, oracle: localLivenessOracle() };
  for await (const item of sweep(h.client, options)) {
    assert.notEqual(item.kind, 'error', JSON.stringify(item));
    if (item.kind === 'finding') found.set(item.finding.workflowId, item.finding);
  }
  return found;
}

before(async () => {
  h = await createHarness();
  const record = await startFixtureWorker(h, { project, taskQueue: queue });
  await h.client.workflow.start('LostActivity', { taskQueue: queue, workflowId: ids.lost });
  await h.client.workflow.start('WaitsForTimer', { taskQueue: queue, workflowId: ids.timer });
  const started = await waitUntil(
    'the activity to start',
    async () => {
      const a = (await describeRun(ids.lost)).pendingActivities?.[0];
      return a?.lastStartedTime && a.lastWorkerIdentity ? a : undefined;
    },
    30_000,
    200,
  );
  identity = started.lastWorkerIdentity!;
  startedMs =
    Number(started.lastStartedTime!.seconds) * 1000 + Math.floor((started.lastStartedTime!.nanos ?? 0) / 1e6);
  const members = groupMembers(record.pgid).map((m) => m.pid);
  process.kill(-record.pgid, 'SIGKILL');
  for (const pid of members)
    await waitUntil(`pid ${pid} to be gone`, async () => (readProc(pid) ? undefined : true), 10_000, 50);
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

describe('an activity left running on a dead worker', () => {
  it('is activity-on-dead-worker with the activity, its attempt, the dead worker and when the server would retry it', async () => {
    const found = await sweepQueue();
    const lost = found.get(ids.lost)!;
    assert.equal(lost.verdict, 'activity-on-dead-worker', lost.evidence.summary);
    assert.equal(lost.stalled, true);
    assert.equal(lost.evidence.activity?.activityType, 'sleeps_without_heartbeat');
    assert.equal(lost.evidence.activity?.attempt, 1);
    const dead = lost.evidence.deadWorker!;
    assert.equal(dead.workerIdentity, identity);
    assert.match(dead.why, /is not running on/);
    assert.equal(dead.startedTimeMs, startedMs);
    assert.equal(dead.startToCloseTimeoutMs, HOUR);
    assert.equal(dead.attemptTimesOutAtMs, startedMs + HOUR);
    assert.equal(dead.livePoller, false);
    assert.match(
      lost.evidence.summary,
      /no heartbeat timeout, so the server retries it only when its start-to-close timeout \(60 min\) ends/,
    );
    assert.equal(lost.remedy.action, 'retry-lost-activity');
    assert.match(lost.remedy.text, new RegExp(`Start the worker on task queue "${queue}"`));
    assert.match(lost.remedy.text, /temporal activity fail/);
    // The timer run beside it has no activity: its wait is not the dead worker's.
    assert.equal(found.get(ids.timer)?.verdict, 'healthy-wait');

    const analysis = await analyzeWorkflow(
      h.client,
      { workflowId: ids.lost },
      { policy, oracle: localLivenessOracle() },
    );
    assert.equal(analysis.finding.verdict, 'activity-on-dead-worker');
    assert.equal(analysis.finding.evidence.deadWorker?.workerIdentity, identity);
  });

  it('completes once the worker is started and the lost attempt is failed as the remedy says', async () => {
    await startFixtureWorker(h, { project, taskQueue: queue });
    const lost = (await sweepQueue()).get(ids.lost)!;
    // The remedy's own Python statement, run as a user would (an SDK client on the same server).
    const statement = /`(await client\.get_async_activity_handle\(.*?\)\.fail\(.*?\))`/.exec(
      lost.remedy.text,
    )?.[1];
    assert.ok(statement, lost.remedy.text);
    const script = [
      'import asyncio, os',
      'from temporalio.client import Client',
      'from temporalio.exceptions import ApplicationError',
      'async def main():',
      '    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"])',
      `    ${statement}`,
      // Skip the interpreter's teardown: the SDK's Rust threads can abort it (temporalio/sdk-python#300).
      'try:',
      '    asyncio.run(main())',
      'except BaseException:',
      '    import traceback; traceback.print_exc(); os._exit(1)',
      'os._exit(0)',
    ].join('\n');
    await execa(venvPython, ['-c', script], { env: { TEMPORAL_ADDRESS: testTarget().address } });
    const result = (await h.client.workflow.getHandle(ids.lost).result()) as { result: string };
    assert.equal(result.result, 'attempt 2 returned at once');
  });
});
