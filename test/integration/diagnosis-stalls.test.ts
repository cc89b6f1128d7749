// Stall diagnosis end to end: real Python fixture workers (one workflow per verdict, plus healthy
// waits), the sweep, the DebugStalled recipe, `workflows stalled --json` and `workflows analyze`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { execa } from 'execa';
import { runCli } from '../../src/cli/run-cli.js';
import { packageRoot } from '../../src/config.js';
import type { Finding, Verdict } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { sweep } from '../../src/inspect/sweep.js';
import { connectNativeClient } from '../../src/temporal/connection.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { workerLogExcerpts } from '../../src/host/logs/worker-logs.js';
import {
  captureOut,
  cliContext,
  startFixtureWorker,
  terminateAll,
  uniqueId,
  waitUntil,
} from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('stalls');
const ndeQueue = uniqueQueue('nde');
const nobody = uniqueQueue('nobody-polls');
// The ops queue the sweeps leave out: its own, since the harness's control worker would run what we put on its queue.
const opsQueue = uniqueQueue('ops-sweep');
const policy = { noWorkerAfterMs: 2000, retryStormAttempts: 3 };
const query = `TaskQueue IN ("${queue}", "${ndeQueue}", "${nobody}")`;

interface Scenario {
  type: string;
  verdict: Verdict;
  taskQueue?: string;
  args?: unknown[];
  workflowTaskTimeout?: string;
}

// One workflow per verdict, and the healthy waits that must never be called stalls.
const scenarios = {
  noWorker: { type: 'NoWorkerTarget', verdict: 'no-worker', taskQueue: nobody },
  codeBug: { type: 'CodeBug', verdict: 'workflow-code-bug' },
  sandbox: { type: 'SandboxViolation', verdict: 'sandbox-violation' },
  unregistered: { type: 'UnregisteredType', verdict: 'workflow-not-registered' },
  retryStorm: { type: 'RetryStorm', verdict: 'activity-retry-storm' },
  missingActivity: { type: 'MissingActivity', verdict: 'activity-not-registered' },
  slowTask: {
    type: 'SlowTask',
    verdict: 'workflow-task-timeout',
    args: [{ hangSeconds: 3600 }],
    workflowTaskTimeout: '1s',
  },
  nonDeterministic: { type: 'NonDeterministic', verdict: 'non-determinism', taskQueue: ndeQueue },
  flakyOnce: { type: 'FlakyOnce', verdict: 'healthy-wait' },
  timer: { type: 'WaitsForTimer', verdict: 'healthy-wait' },
  signal: { type: 'WaitsForSignal', verdict: 'healthy-wait' },
  update: { type: 'WaitsForUpdate', verdict: 'healthy-wait' },
  longActivity: { type: 'LongActivity', verdict: 'healthy-wait' },
} satisfies Record<string, Scenario>;
type Name = keyof typeof scenarios;
const scenarioList = Object.entries(scenarios) as [Name, Scenario][];
const ids = Object.fromEntries(scenarioList.map(([name]) => [name, uniqueId(name)])) as Record<Name, string>;
// Ours, on queues nobody polls: they would be no-worker stalls if sweeps did not leave them out.
const opsIds = {
  recipe: uniqueId('ops-recipe'),
  onOpsQueue: uniqueId('ops-queue'),
  onHostQueue: uniqueId('ops-host-queue'),
};

let ndeReady: Promise<void>;

async function historyTypes(workflowId: string): Promise<string[]> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map(eventTypeName);
}

/** NonDeterministic as users hit it: start under v1, let the timer fire, restart the worker with v2 code, signal. */
async function breakDeterminism(project: string): Promise<void> {
  await waitUntil(
    'NonDeterministic to fire its timer and complete the next workflow task',
    async () => {
      const types = await historyTypes(ids.nonDeterministic);
      const fired = types.indexOf('TimerFired');
      return fired >= 0 && types.slice(fired).includes('WorkflowTaskCompleted') ? true : undefined;
    },
    20_000,
    200,
  );
  await startFixtureWorker(h, { project, taskQueue: ndeQueue, codeVersion: '2' });
  await h.client.workflow.getHandle(ids.nonDeterministic).signal('go');
}

before(async () => {
  h = await createHarness();
  const ndeProject = uniqueId('nde');
  await Promise.all([
    startFixtureWorker(h, { project: uniqueId('stalls'), taskQueue: queue }),
    startFixtureWorker(h, { project: ndeProject, taskQueue: ndeQueue }),
  ]);
  await Promise.all(
    scenarioList.map(([name, s]) =>
      h.client.workflow.start(s.type, {
        taskQueue: s.taskQueue ?? queue,
        workflowId: ids[name],
        args: s.args ?? [],
        ...(s.workflowTaskTimeout && { workflowTaskTimeout: s.workflowTaskTimeout }),
      }),
    ),
  );
  await h.client.workflow.start('CleanStart', { taskQueue: nobody, workflowId: opsIds.recipe, args: [{}] });
  await h.client.workflow.start('NoWorkerTarget', { taskQueue: opsQueue, workflowId: opsIds.onOpsQueue });
  await h.client.workflow.start('NoWorkerTarget', {
    taskQueue: `${opsQueue}@devbox`,
    workflowId: opsIds.onHostQueue,
  });
  ndeReady = breakDeterminism(ndeProject);
});

after(async () => {
  await terminateAll(h.client, [...Object.values(ids), ...Object.values(opsIds)]);
  await h.cleanup();
});

async function sweepAll(client: Client = h.client): Promise<Map<string, Finding>> {
  const found = new Map<string, Finding>();
  for await (const item of sweep(client, {
    query: `${query} OR TaskQueue = "${opsQueue}" OR TaskQueue = "${opsQueue}@devbox"`,
    opsTaskQueue: opsQueue,
    policy,
    explainIdle: true,
  })) {
    assert.notEqual(item.kind, 'error', JSON.stringify(item));
    if (item.kind === 'finding') found.set(item.finding.workflowId, item.finding);
  }
  return found;
}

/** Sweeps until every scenario has its verdict (and CodeBug carries the server's reported problems). */
async function settledFindings(): Promise<Map<string, Finding>> {
  await ndeReady;
  let last = new Map<string, Finding>();
  try {
    return await waitUntil(
      'every fixture to reach its verdict',
      async () => {
        last = await sweepAll();
        const settled = scenarioList.every(([name, s]) => last.get(ids[name])?.verdict === s.verdict);
        const reported = last
          .get(ids.codeBug)
          ?.evidence.reportedProblems?.includes('category=WorkflowTaskFailed');
        return settled && reported ? last : undefined;
      },
      90_000,
      1000,
    );
  } catch (error) {
    const seen = Object.entries(ids).map(
      ([name, id]) =>
        `${name}: ${last.get(id)?.verdict ?? 'missing'} (${last.get(id)?.evidence.summary ?? ''})`,
    );
    throw new Error(`${(error as Error).message}\n${seen.join('\n')}`);
  }
}

let settled: Promise<Map<string, Finding>> | undefined;
const findings = () => (settled ??= settledFindings());

describe('stall diagnosis on real Python workers', () => {
  it('gives every fixture workflow its verdict, and lists each running target exactly once', async () => {
    const found = await findings();
    assert.deepEqual([...found.keys()].sort(), Object.values(ids).sort());
    for (const [name, s] of scenarioList) {
      const f = found.get(ids[name])!;
      assert.equal(f.verdict, s.verdict, `${name}: ${f.evidence.summary}`);
      assert.equal(f.stalled, s.verdict !== 'healthy-wait', name);
      assert.equal(f.workflowType, s.type);
      assert.equal(f.taskQueue, s.taskQueue ?? queue);
      assert.ok(f.runId.length > 0);
    }
  });

  it('gives the same verdicts through the Rust-core connection that large sweeps take', async () => {
    const viaGrpcJs = await findings();
    const native = await connectNativeClient(testTarget());
    try {
      const viaNative = await sweepAll(native);
      assert.deepEqual([...viaNative.keys()].sort(), [...viaGrpcJs.keys()].sort());
      for (const [id, f] of viaGrpcJs) assert.equal(viaNative.get(id)?.verdict, f.verdict, id);
    } finally {
      await native.connection.close();
    }
  });

  it('never reports ops workflows, though visibility lists them on queues nobody polls', async () => {
    const found = await findings();
    for (const id of Object.values(opsIds)) {
      assert.equal(found.has(id), false, `${id} is ours`);
      assert.equal((await h.client.workflow.getHandle(id).describe()).status.name, 'RUNNING');
    }
  });

  it('shows evidence for workflow task failures: event id, attempt, message, stack, server-reported problems', async () => {
    const found = await findings();
    const bug = found.get(ids.codeBug)!;
    assert.deepEqual(bug.evidence.eventIds, [4]);
    assert.ok((bug.evidence.workflowTaskAttempt ?? 0) >= 3, `attempt ${bug.evidence.workflowTaskAttempt}`);
    assert.equal(bug.evidence.failureMessage, 'boom in workflow code');
    assert.match(bug.evidence.stackExcerpt ?? '', /workflows\.py", line \d+, in run/);
    assert.ok(
      bug.evidence.pollers?.some((p) => p.live),
      'the worker polls: restarting it with fixed code resumes the run',
    );
    assert.deepEqual(
      [bug.remedy.action, bug.remedy.autoRecovers, bug.confidence],
      ['fix-code-restart-worker', true, 'high'],
    );

    assert.match(found.get(ids.sandbox)!.evidence.failureMessage ?? '', /Cannot access os\.getcwd/);
    assert.match(
      found.get(ids.unregistered)!.evidence.failureMessage ?? '',
      /UnregisteredType is not registered on this worker/,
    );

    const nde = found.get(ids.nonDeterministic)!;
    assert.match(nde.evidence.failureMessage ?? '', /^\[TMPRL1100\] Nondeterminism error/);
    assert.deepEqual([nde.remedy.action, nde.remedy.autoRecovers], ['terminate-or-reset', false]);
    assert.match(nde.remedy.text, /restarting the worker will not help/);

    assert.match(
      found.get(ids.slowTask)!.evidence.summary,
      /Workflow task timed out \d+ times since the last completed task/,
    );
  });

  it('sees activity retry storms and unregistered activities that history never records', async () => {
    const found = await findings();
    const storm = found.get(ids.retryStorm)!;
    assert.equal(storm.evidence.activity?.activityType, 'always_fails');
    assert.ok((storm.evidence.activity?.attempt ?? 0) >= 3);
    assert.equal(storm.evidence.activity?.lastFailureMessage, 'downstream unavailable');
    const retries = (await historyTypes(ids.retryStorm)).filter((t) => t === 'ActivityTaskFailed');
    assert.deepEqual(
      retries,
      [],
      'history has no ActivityTaskFailed event: counting events would miss this storm',
    );
    const missing = found.get(ids.missingActivity)!;
    assert.equal(missing.evidence.activity?.activityType, 'not_registered_activity');
    assert.equal(missing.remedy.action, 'register-and-restart-worker');
  });

  it('calls a queue no worker polls no-worker, with the empty poller list and the queue in the remedy', async () => {
    const f = (await findings()).get(ids.noWorker)!;
    assert.deepEqual(f.evidence.pollers, []);
    assert.equal(f.confidence, 'high');
    assert.ok(f.remedy.text.includes(`"${nobody}"`));
  });

  it('lists healthy waits as healthy-wait with what they wait on, including a run that failed once and recovered', async () => {
    const found = await findings();
    const waits = Object.fromEntries(
      (['timer', 'signal', 'update', 'longActivity', 'flakyOnce'] as const).map((n) => [
        n,
        found.get(ids[n])!,
      ]),
    );
    assert.deepEqual(
      Object.entries(waits).map(([n, f]) => [n, f.evidence.waitingOn, f.remedy.action]),
      [
        ['timer', 'timer', 'none'],
        ['signal', 'signal-or-update', 'none'],
        ['update', 'signal-or-update', 'none'],
        ['longActivity', 'activity', 'none'],
        ['flakyOnce', 'signal-or-update', 'none'],
      ],
    );
    assert.ok((await historyTypes(ids.flakyOnce)).includes('WorkflowTaskFailed'), 'FlakyOnce did fail once');
    await h.client.workflow.getHandle(ids.flakyOnce).signal('done');
    assert.deepEqual(await h.client.workflow.getHandle(ids.flakyOnce).result(), { status: 'ok' });
  });

  it('DebugStalled reports the verdict counts, stalled findings and grouped remedies, and keeps its outcome in memo', async () => {
    await findings();
    const workflowId = uniqueId('debug-stalled');
    const report = await h.withControlWorker(
      () =>
        h.client.workflow.execute('DebugStalled', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId,
          args: [{ query: `TaskQueue IN ("${queue}", "${nobody}")`, policy }],
          workflowExecutionTimeout: '2m',
        }) as Promise<DebugStalledReport>,
    );
    assert.equal(report.ok, false, 'stalls were found');
    assert.equal(report.mode, 'sweep');
    const stalledHere = scenarioList.filter(
      ([name, s]) => s.verdict !== 'healthy-wait' && name !== 'nonDeterministic',
    );
    assert.equal(report.stalledCount, stalledHere.length);
    for (const [, s] of stalledHere) assert.equal(report.counts[s.verdict], 1, s.verdict);
    assert.ok(report.counts['healthy-wait'] >= 4, 'timer, signal, update and activity waits');
    assert.deepEqual(
      report.findings.map((f) => f.workflowId).sort(),
      stalledHere.map(([name]) => ids[name]).sort(),
    );
    assert.equal(report.remedies.length, stalledHere.length);
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.outcome]),
      [
        ['verify-server', 'ok'],
        ['count', 'ok'],
        ['diagnose', 'ok'],
        ['report', 'ok'],
      ],
    );
    const memo = (await h.client.workflow.getHandle(workflowId).describe()).memo;
    assert.equal(memo?.opsOutcome, 'failed');
    assert.match(String(memo?.opsSummary), new RegExp(`^${stalledHere.length} stalled of \\d+: `));
  });

  it('DebugStalled analyzes one workflow by id, and rejects bad input and a bad query naming the field', async () => {
    await findings();
    const one = await h.withControlWorker(async () => {
      const report = (await h.client.workflow.execute('DebugStalled', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: uniqueId('debug-one'),
        args: [{ workflowId: ids.nonDeterministic }],
      })) as DebugStalledReport;
      const failure = await h.client.workflow
        .execute('DebugStalled', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: uniqueId('debug-bad'),
          args: [{ workflowId: 'x', taskQueue: 'y', maxFindings: 0 }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const badQuery = await h.client.workflow
        .execute('DebugStalled', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: uniqueId('debug-bad-query'),
          args: [{ query: 'WorkflowType ==== nonsense' }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      return { report, failure, badQuery };
    });
    assert.equal(one.report.mode, 'workflow');
    assert.equal(one.report.findings[0]?.verdict, 'non-determinism');
    assert.equal(one.report.analysis?.status, 'RUNNING');
    assert.equal(one.report.steps.find((s) => s.name === 'count')?.outcome, 'skipped');
    assert.ok(one.failure instanceof WorkflowFailedError);
    const cause = one.failure.cause as { message: string; type?: string; nonRetryable?: boolean };
    assert.equal(cause.type, 'InvalidInputError');
    assert.equal(cause.nonRetryable, true);
    assert.match(cause.message, /workflowId: expected either workflowId/);
    assert.match(cause.message, /maxFindings: expected an integer from 1 to 500, got 0/);
    assert.ok(
      one.badQuery instanceof WorkflowFailedError,
      'a query the server rejects fails the recipe at once',
    );
    assert.match(
      (one.badQuery.cause as Error).message,
      /query: expected a visibility query the server accepts, got "WorkflowType ==== nonsense"/,
    );
  });

  it('`workflows stalled --json` prints an array of findings and exits 8 (real CLI)', async () => {
    await findings();
    const result = await execa(
      process.execPath,
      [
        join(packageRoot, 'bin', 'temporal-ops.mjs'),
        'workflows',
        'stalled',
        '--json',
        '--query',
        `${query} OR TaskQueue = "${opsQueue}"`,
        '--policy',
        JSON.stringify(policy),
      ],
      {
        env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_OPS_TASK_QUEUE: opsQueue },
        reject: false,
        timeout: 60_000,
      },
    );
    assert.equal(result.exitCode, 8, result.stderr);
    const printed = JSON.parse(result.stdout) as Finding[];
    assert.ok(Array.isArray(printed));
    const byId = new Map(printed.map((f) => [f.workflowId, f]));
    assert.equal(byId.get(ids.nonDeterministic)?.verdict, 'non-determinism');
    assert.equal(byId.get(ids.timer)?.verdict, 'healthy-wait');
    // By default a sweep does not read the history of idle runs: it cannot tell a timer from a signal.
    assert.equal(byId.get(ids.timer)?.evidence.waitingOn, 'timer-signal-or-update');
    for (const f of printed) {
      for (const key of [
        'workflowId',
        'runId',
        'workflowType',
        'taskQueue',
        'verdict',
        'evidence',
        'remedy',
        'confidence',
      ])
        assert.ok(key in f, `${key} in finding`);
    }
    assert.equal(byId.has(opsIds.recipe), false);
    assert.equal(byId.has(opsIds.onOpsQueue), false);
    assert.match(result.stderr, /stalled \(/);
  });

  it('`workflows stalled` text names each stall and its remedy; --stalled-only leaves healthy runs out of the JSON', async () => {
    await findings();
    const text = captureOut();
    const code = await runCli(
      ['workflows', 'stalled', '--query', query, '--policy', JSON.stringify(policy)],
      {
        context: cliContext(h),
        sink: text,
      },
    );
    assert.equal(code, 8);
    assert.match(text.out, new RegExp(`STALLED non-determinism \\[high\\]  ${ids.nonDeterministic}`));
    assert.match(text.out, /remedy: The workflow code no longer replays this run's history/);
    assert.doesNotMatch(text.out, new RegExp(ids.timer));
    const json = captureOut();
    await runCli(
      [
        'workflows',
        'stalled',
        '--json',
        '--stalled-only',
        '--query',
        query,
        '--policy',
        JSON.stringify(policy),
      ],
      { context: cliContext(h), sink: json },
    );
    const printed = JSON.parse(json.out) as Finding[];
    assert.ok(printed.length >= 8 && printed.every((f) => f.stalled));
  });

  it('analyze shows a stalled run with our worker log lines, then the terminate reason once it is closed', async () => {
    await findings();
    const running = await analyzeWorkflow(
      h.client,
      { workflowId: ids.codeBug },
      { policy, logs: (query) => workerLogExcerpts(h.settings.stateDir, query) },
    );
    assert.equal(running.finding.verdict, 'workflow-code-bug');
    const lines = running.logs.flatMap((l) => l.lines).join('\n');
    assert.match(lines, new RegExp(`Failed activation on workflow CodeBug with ID ${ids.codeBug}`));
    assert.match(lines, /RuntimeError: boom in workflow code/);

    await h.client.workflow.getHandle(ids.codeBug).terminate('stuck: bad deploy');
    const out = captureOut();
    const code = await runCli(['workflows', 'analyze', '-w', ids.codeBug, '--json'], {
      context: cliContext(h),
      sink: out,
    });
    assert.equal(code, 0, 'a closed run is not stalled');
    const closed = JSON.parse(out.out) as Awaited<ReturnType<typeof analyzeWorkflow>>;
    assert.equal(closed.status, 'TERMINATED');
    assert.equal(closed.close?.reason, 'stuck: bad deploy');
    assert.equal(closed.finding.verdict, 'workflow-code-bug', 'the story of why it was stuck is kept');
    assert.equal(closed.finding.stalled, false);
  });
});
