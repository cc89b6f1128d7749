// About 1,000 runs on real Python workers, a few dozen of them stalled in every way the corpus knows
// and the rest healthy noise (waits on timers, signals, updates and children, heartbeating activities,
// a failure that recovered, closed runs of every status, other queues), then one
// `workflows stalled -o json` as a user runs it: every stall has its verdict, no healthy run is flagged.
// The mix is drawn from TEMPORAL_OPS_MIX_SEED (printed) so a failure can be replayed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateStage } from '@temporalio/client';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { defaultDiagnosisPolicy, type Finding } from '../../src/contract/verdicts.js';
import { timestampMs } from '../../src/inspect/convert.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { mapBounded } from '../../src/inspect/pool.js';
import { venvBin } from '../../src/host/projects/example.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { seedFrom } from '../helpers/random-instants.js';
import {
  startFixtureWorker,
  startResultsWorker,
  uniqueId,
  waitUntil,
} from '../integration/diagnosis-fixture.js';
import { buildMix, queues, type Expect, type MixRun } from './diagnosis-mix-runs.js';

const seed = seedFrom('TEMPORAL_OPS_MIX_SEED');
const runs = buildMix(seed);
const opsQueue = uniqueQueue('ops-mix');
const ndeProject = uniqueId('checkout');
const MiB = 1024 * 1024;
/** Starts and follow-ups in flight at once. */
const CONCURRENCY = 16;
let h: Harness;

const staged = (tag: MixRun['start']) => runs.filter((r) => r.start === tag);
const stalls = runs.filter((r) => r.expect !== 'healthy' && r.expect !== 'closes');

async function describeRun(workflowId: string) {
  return h.client.workflowService.describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId, runId: '' },
  });
}

async function drain<R>(items: Iterable<MixRun>, fn: (run: MixRun) => Promise<R>): Promise<void> {
  const settled = mapBounded(items, CONCURRENCY, fn);
  while (!(await settled.next()).done);
}

function startRun(run: MixRun) {
  return h.client.workflow.start(run.type, {
    taskQueue: run.taskQueue,
    workflowId: run.workflowId,
    args: run.args,
    ...(run.workflowTaskTimeout && { workflowTaskTimeout: run.workflowTaskTimeout }),
    ...(run.workflowRunTimeout && { workflowRunTimeout: run.workflowRunTimeout }),
  });
}

/** Waits until every run passes `probe` (probed in parallel, bounded). */
async function untilAll(what: string, items: MixRun[], probe: (run: MixRun) => Promise<boolean>, ms: number) {
  let left = items;
  await waitUntil(
    what,
    async () => {
      const pending: MixRun[] = [];
      await drain(left, async (run) => {
        if (!(await probe(run).catch(() => false))) pending.push(run);
      });
      left = pending;
      return left.length === 0 ? true : undefined;
    },
    ms,
    1000,
  ).catch(async (error: Error) => {
    const first = left[0] && (await describeRun(left[0].workflowId).catch(() => undefined));
    const state = JSON.stringify({ task: first?.pendingWorkflowTask, activities: first?.pendingActivities });
    throw new Error(`${error.message}: ${left.map((r) => `${r.type} ${r.workflowId}`).join(', ')}; ${state}`);
  });
}

async function historyTypes(workflowId: string): Promise<string[]> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map(eventTypeName);
}

const activityStarted = async (run: MixRun) =>
  Boolean((await describeRun(run.workflowId)).pendingActivities?.[0]?.lastStartedTime);

/** The restarted queue: its runs start under v1; NonDeterministic fires its timer; v2 replaces the worker; `go`. */
async function breakDeterminism(): Promise<void> {
  const here = runs.filter((r) => r.taskQueue === queues.restarted);
  await drain(here, startRun);
  const nde = staged('nde');
  await untilAll(
    'NonDeterministic to fire its timer and complete the next task',
    nde,
    async (run) => {
      const types = await historyTypes(run.workflowId);
      const fired = types.indexOf('TimerFired');
      return fired >= 0 && types.slice(fired).includes('WorkflowTaskCompleted');
    },
    60_000,
  );
  await untilAll(
    'the activities to start before the restart',
    here.filter((r) => r.type === 'LongActivity'),
    activityStarted,
    60_000,
  );
  await startFixtureWorker(h, { project: ndeProject, taskQueue: queues.restarted, codeVersion: '2' });
  for (const run of nde) await h.client.workflow.getHandle(run.workflowId).signal('go');
}

/** The busy worker's only activity slot is taken by the holder; two more activities queue behind it. */
async function saturate(): Promise<void> {
  await drain(staged('holder'), startRun);
  await untilAll('the holder activity to start', staged('holder'), activityStarted, 60_000);
  await drain(staged('queued'), startRun);
}

/** Idle runs on the frozen queue settle, then an activity blocks the worker's event loop; victims start. */
async function freezeWorker(): Promise<void> {
  const idle = runs.filter((r) => r.taskQueue === queues.frozen && r.start === undefined);
  await drain(idle, startRun);
  await untilAll(
    'the idle runs to wait on their timers',
    idle,
    async (run) => !(await describeRun(run.workflowId)).pendingWorkflowTask,
    60_000,
  );
  await drain(staged('blocker'), startRun);
  await untilAll('the blocking activity to start', staged('blocker'), activityStarted, 60_000);
  await drain(staged('victim'), startRun);
}

/** A retrying activity paused by hand once it failed twice. */
async function pauseActivity(run: MixRun): Promise<void> {
  await startRun(run);
  let activityId = '';
  await untilAll(
    'the activity to be retried',
    [run],
    async () => {
      const a = (await describeRun(run.workflowId)).pendingActivities?.[0];
      activityId = a?.activityId ?? '';
      return (a?.attempt ?? 0) >= 2;
    },
    60_000,
  );
  const target = ['--address', testTarget().address, '--namespace', 'default'];
  await execa(join(venvBin, 'temporal'), [
    ...['activity', 'pause', ...target, '--workflow-id', run.workflowId, '--activity-id', activityId],
    ...['--identity', 'oncall', '--reason', 'vendor maintenance'],
  ]);
}

async function stageTheRest(): Promise<void> {
  for (const run of staged('large')) {
    const handle = await startRun(run);
    // Six signals just under the 2 MiB blob limit: past the server's 10 MiB history warning.
    for (let i = 0; i < 6; i += 1) await handle.signal('fill', 'x'.repeat(1.9 * MiB));
  }
  for (const run of staged('update-bug'))
    await (
      await startRun(run)
    ).startUpdate('explode-later', { args: ['mix'], waitForStage: WorkflowUpdateStage.ACCEPTED });
  for (const run of staged('paused')) await pauseActivity(run);
}

/** Closes a run the way its follow-up says, and waits until it is closed. */
async function followUp(run: MixRun): Promise<void> {
  const handle = h.client.workflow.getHandle(run.workflowId);
  if (run.followUp === 'signal') await handle.signal('go');
  if (run.followUp === 'update') await handle.executeUpdate('approve', { args: ['mix'] });
  if (run.followUp === 'terminate') await handle.terminate('mix: no longer needed');
  if (run.followUp === 'cancel') await handle.cancel();
  await handle.result().catch(() => undefined);
}

const pendingTaskAttempt = async (run: MixRun) =>
  (await describeRun(run.workflowId)).pendingWorkflowTask?.attempt ?? 0;

/** What the server shows once a stall has had time to show itself (facts, never our verdict). */
async function stallShows(run: MixRun): Promise<boolean> {
  const d = await describeRun(run.workflowId);
  const activities = d.pendingActivities ?? [];
  const scheduledAgo = (ts: Parameters<typeof timestampMs>[0]) =>
    Date.now() - (timestampMs(ts) ?? Date.now());
  switch (run.expect) {
    case 'activity-retry-storm':
    case 'activity-not-registered':
      if (run.type === 'LocalRetryStorm')
        return (await historyTypes(run.workflowId)).filter((t) => t === 'MarkerRecorded').length >= 3;
      return activities.some((a) => (a.attempt ?? 0) >= 3);
    case 'activity-paused':
      return activities.some((a) => a.paused);
    case 'workflow-task-timeout':
      return (await pendingTaskAttempt(run)) >= 3;
    case 'no-worker':
      return (
        scheduledAgo(d.pendingWorkflowTask?.scheduledTime) >= defaultDiagnosisPolicy.noWorkerAfterMs + 2000
      );
    case 'worker-saturated':
      return (
        activities.some(
          (a) => scheduledAgo(a.scheduledTime) >= defaultDiagnosisPolicy.noWorkerAfterMs + 2000,
        ) && (await activityPollersStale(run.taskQueue))
      );
    case 'worker-frozen':
      return activities.some((a) => a.lastStartedTime);
    case 'blocked':
      return (d.pendingChildren?.length ?? 0) > 0;
    case 'history-limit':
      return Number(d.workflowExecutionInfo?.historySizeBytes) >= 10 * MiB;
    default:
      // Workflow task failures: the task is being retried (attempt 3: two timeouts, if the first one timed out).
      if (run.type === 'Flapping') return Number(d.workflowExecutionInfo?.historyLength) >= 30;
      return (d.pendingWorkflowTask?.attempt ?? 0) >= 3;
  }
}

const FAILING_TASK = new Set<Expect>([
  'workflow-code-bug',
  'sandbox-violation',
  'workflow-not-registered',
  'non-determinism',
  'pending-limit',
]);

/**
 * The verdict the server's records allow. A Python (Core) worker reports only the first failure of a
 * workflow task: when a loaded worker took that first attempt past its timeout, the failures of the
 * later attempts never reach the server, and history shows a task that keeps timing out. The
 * traceback is then in the worker's log only, so `workflow-task-timeout` is the right verdict.
 */
async function serverKnows(run: MixRun): Promise<Expect> {
  if (!FAILING_TASK.has(run.expect) || run.type === 'Flapping') return run.expect;
  let last = '';
  for (const type of await historyTypes(run.workflowId))
    if (/^WorkflowTask(Completed|Failed|TimedOut)$/.test(type)) last = type;
  return last === 'WorkflowTaskTimedOut' ? 'workflow-task-timeout' : run.expect;
}

/** A worker with every activity slot taken stops polling for activities: its last poll has aged out. */
async function activityPollersStale(taskQueue: string): Promise<boolean> {
  const fresh = Date.now() - defaultDiagnosisPolicy.pollerFreshMs - 2000;
  return (await listPollers(h.client, taskQueue, 'activity')).every((p) => p.lastAccessTimeMs < fresh);
}

before(async () => {
  process.stderr.write(`diagnosis mix: seed ${seed} (TEMPORAL_OPS_MIX_SEED=${seed} replays the mix)\n`);
  h = await createHarness();
  await Promise.all([
    ...[queues.a, queues.b, queues.c, queues.frozen].map((taskQueue) =>
      startFixtureWorker(h, { project: uniqueId('mix'), taskQueue }),
    ),
    startFixtureWorker(h, { project: ndeProject, taskQueue: queues.restarted }),
    startFixtureWorker(h, {
      project: uniqueId('mix'),
      taskQueue: queues.busy,
      env: { FIXTURE_MAX_ACTIVITIES: '1' },
    }),
    startResultsWorker(h, queues.results),
  ]);
  const special = new Set([queues.restarted, queues.frozen]);
  const mass = runs.filter((r) => r.start === undefined && !special.has(r.taskQueue));
  // The staged sequences run first, on a quiet machine; the mass start then runs while the busy
  // worker's last activity poll ages out. Every branch ends before the hook does (a failure in one
  // must not leave the others calling a closed client).
  const saturated = saturate();
  const staging = await Promise.allSettled([saturated, breakDeterminism(), freezeWorker(), stageTheRest()]);
  const massStart = async () => {
    await drain(mass, startRun);
    await drain(staged('late'), startRun);
    await drain(
      runs.filter((r) => r.followUp),
      followUp,
    );
  };
  const settled = [...staging, ...(await Promise.allSettled([massStart()]))];
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  await untilAll('every stall to show on the server', stalls, stallShows, 240_000);
});

after(async () => {
  await h.cleanup();
});

describe('diagnosis of a 1,000-run mix with noise', () => {
  it('gives every planted stall its verdict and flags no healthy run, in one `workflows stalled -o json`', async () => {
    const query = `TaskQueue IN (${Object.values(queues)
      .map((q) => JSON.stringify(q))
      .join(', ')})`;
    const began = performance.now();
    const result = await execa(
      process.execPath,
      [join(packageRoot, 'bin', 'temporal-ops.mjs'), 'workflows', 'stalled', '-o', 'json', '--query', query],
      {
        env: {
          TEMPORAL_ADDRESS: testTarget().address,
          TEMPORAL_OPS_TASK_QUEUE: opsQueue,
          TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
        },
        reject: false,
        timeout: 180_000,
      },
    );
    const seconds = (performance.now() - began) / 1000;
    assert.equal(result.exitCode, 8, result.stderr);
    const findings = new Map((JSON.parse(result.stdout) as Finding[]).map((f) => [f.workflowId, f]));

    const expected = new Map(await Promise.all(stalls.map(async (r) => [r, await serverKnows(r)] as const)));
    const timedOutFirst = stalls.filter((r) => expected.get(r) !== r.expect);
    const wrong = stalls.filter((r) => findings.get(r.workflowId)?.verdict !== expected.get(r));
    const healthy = runs.filter((r) => r.expect === 'healthy');
    const flagged = healthy.filter((r) => findings.get(r.workflowId)?.stalled !== false);
    const closedFlagged = runs.filter((r) => r.expect === 'closes' && findings.get(r.workflowId)?.stalled);
    const known = new Set(runs.map((r) => r.workflowId));
    const strangers = [...findings.keys()].filter((id) => !known.has(id));
    process.stderr.write(
      `diagnosis mix: ${runs.length} runs; stalls right ${stalls.length - wrong.length}/${stalls.length}, ` +
        `healthy flagged ${flagged.length}/${healthy.length}, ` +
        `${timedOutFirst.length} failing tasks whose first attempt timed out, ` +
        `${runs.length - stalls.length - healthy.length} closed; sweep ${seconds.toFixed(1)} s (seed ${seed})\n`,
    );
    const show = (r: MixRun) => {
      const f = findings.get(r.workflowId);
      return `${r.type} ${r.workflowId} on ${r.taskQueue}: expected ${expected.get(r) ?? r.expect}, got ${f?.verdict ?? 'no finding'}${f ? ` (${f.evidence.summary})` : ''}`;
    };
    assert.deepEqual(wrong.map(show), [], 'every stall has its verdict');
    assert.deepEqual(flagged.map(show), [], 'no healthy run is flagged, and each is listed');
    assert.deepEqual(closedFlagged.map(show), [], 'no closed run is flagged');
    assert.deepEqual(strangers, [], 'the sweep lists only runs of the mix');
  });
});
