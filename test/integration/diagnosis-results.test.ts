// `workflows wait | result | analyze | recent` against real runs of the Python fixtures: long-poll
// waits and their exit codes, decoded and checked results, failure chains of closed runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { ExitCode } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { Analysis } from '../../src/inspect/analyze.js';
import type { RecentRow } from '../../src/inspect/recent.js';
import type { RunOutcome } from '../../src/inspect/result.js';
import type { WaitResult } from '../../src/inspect/wait.js';
import { venvPython } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';
import {
  captureOut,
  cliContext,
  fixtureDir,
  startFixtureWorker,
  terminateAll,
  uniqueId,
} from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('results');
const nobody = uniqueQueue('nobody-polls');
const ids = {
  signalled: uniqueId('signalled'),
  terminated: uniqueId('terminated'),
  canceled: uniqueId('canceled'),
  timer: uniqueId('timer'),
  approved: uniqueId('approved'),
  timedOut: uniqueId('timed-out'),
  reportNotOk: uniqueId('clean-start-not-ok'),
  invalidRecipe: uniqueId('clean-start-invalid'),
};

before(async () => {
  h = await createHarness();
  await startFixtureWorker(h, { project: uniqueId('results'), taskQueue: queue });
  const start = (type: string, workflowId: string, extra: Record<string, unknown> = {}) =>
    h.client.workflow.start(type, { taskQueue: queue, workflowId, ...extra });
  await Promise.all([
    start('WaitsForSignal', ids.signalled),
    start('WaitsForSignal', ids.terminated),
    start('WaitsForSignal', ids.canceled),
    start('WaitsForTimer', ids.timer),
    start('WaitsForUpdate', ids.approved),
    start('NoWorkerTarget', ids.timedOut, { taskQueue: nobody, workflowExecutionTimeout: '1s' }),
  ]);
  await h.withControlWorker(async () => {
    // COMPLETED with a report that says ok: false (its worker exits at once): reads like an error.
    await h.client.workflow.execute('CleanStart', {
      taskQueue: h.settings.opsTaskQueue,
      workflowId: ids.reportNotOk,
      args: [
        {
          projectDir: fixtureDir,
          taskQueue: uniqueQueue('never'),
          workerCommand: `${venvPython} -c 'import sys; sys.exit(3)'`,
          start: { workflowType: 'NoWorkerTarget' },
        },
      ],
    });
    // FAILED: invalid input is a non-retryable ApplicationFailure.
    await h.client.workflow
      .execute('CleanStart', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: ids.invalidRecipe,
        args: [{ projectDir: 'relative' }],
      })
      .catch(() => undefined);
  });
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

/** Runs one `workflows` command in-process; returns its exit code and output. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runWith(h.client, ...argv);
}

/** Runs one `workflows` command in-process on `client`. */
async function runWith(
  client: Client,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out = captureOut();
  const context = { ...cliContext(h), client: async () => client };
  const code = await runCli(['workflows', ...argv], { context, sink: out });
  return { code, out: out.out, err: out.err };
}

/** The harness's client, counting the describe calls and the close-event long polls made through it. */
function countingClient(): { client: Client; calls: { describe: number; longPolls: number } } {
  const calls = { describe: 0, longPolls: 0 };
  const real = h.client.workflowService;
  const service = new Proxy(real, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'describeWorkflowExecution')
        return (request: Parameters<typeof real.describeWorkflowExecution>[0]) => {
          calls.describe += 1;
          return real.describeWorkflowExecution(request);
        };
      if (key === 'getWorkflowExecutionHistory')
        return (request: Parameters<typeof real.getWorkflowExecutionHistory>[0]) => {
          if (request.waitNewEvent) calls.longPolls += 1;
          return real.getWorkflowExecutionHistory(request);
        };
      return value;
    },
  });
  const client = new Proxy(h.client, {
    get: (target, key, receiver) =>
      key === 'workflowService' ? service : Reflect.get(target, key, receiver),
  });
  return { client, calls };
}

describe('workflows wait', () => {
  it('returns as soon as the run completes (long poll, no sleep loop) with exit 0', async () => {
    const counted = countingClient();
    const waiting = runWith(
      counted.client,
      ...['wait', '-w', ids.signalled, '--status', 'COMPLETED', '--timeout', '30', '--json'],
    );
    await waitFor('the wait to long-poll the close event', () => counted.calls.longPolls > 0);
    await h.client.workflow.getHandle(ids.signalled).signal('go');
    const { code, out } = await waiting;
    const result = JSON.parse(out) as WaitResult;
    assert.equal(code, ExitCode.ok);
    assert.deepEqual([result.outcome, result.status], ['match', 'COMPLETED']);
    // Woken by the close event it long-polled for, after a single describe: no describe loop.
    assert.equal(result.close?.status, 'COMPLETED');
    assert.equal(counted.calls.describe, 1);
  });

  it('matches RUNNING at once, and exits 4 when the timeout passes first', async () => {
    const counted = countingClient();
    const running = await runWith(counted.client, 'wait', '-w', ids.timer, '--status', 'running', '--json');
    assert.equal(running.code, ExitCode.ok);
    assert.equal((JSON.parse(running.out) as WaitResult).outcome, 'match');
    assert.deepEqual(counted.calls, { describe: 1, longPolls: 0 }, 'matched from its first describe');
    const timedOut = await run('wait', '-w', ids.timer, '--timeout', '1', '--json');
    assert.equal(timedOut.code, ExitCode.timeout);
    const result = JSON.parse(timedOut.out) as WaitResult;
    assert.deepEqual([result.outcome, result.status], ['timeout', 'RUNNING']);
    assert.ok(result.waitedMs >= 1000, `gave up after ${result.waitedMs} ms`);
    assert.match(
      (await run('wait', '-w', ids.timer, '--timeout', '1')).out,
      /still RUNNING: no COMPLETED within 1 s/,
    );
  });

  it('exits 6 when the run closes with another status, and 0 when that status is in the list', async () => {
    const counted = countingClient();
    const waiting = runWith(counted.client, 'wait', '-w', ids.terminated, '--timeout', '30', '--json');
    await waitFor('the wait to long-poll the close event', () => counted.calls.longPolls > 0);
    await h.client.workflow.getHandle(ids.terminated).terminate('operator gave up');
    const { code, out } = await waiting;
    const result = JSON.parse(out) as WaitResult;
    assert.equal(code, ExitCode.otherTerminal);
    assert.deepEqual(
      [result.outcome, result.status, result.close?.reason],
      ['other-terminal', 'TERMINATED', 'operator gave up'],
    );
    assert.equal(
      (await run('wait', '-w', ids.terminated, '--status', 'FAILED,TERMINATED')).code,
      ExitCode.ok,
    );
  });

  it('exits 7 for a workflow that does not exist', async () => {
    const { code, out } = await run('wait', '-w', uniqueId('no-such'), '--timeout', '5');
    assert.equal(code, ExitCode.notFound);
    assert.match(out, /not found/);
  });
});

describe('workflows result', () => {
  it('prints the decoded result of a COMPLETED run (exit 0); a configured rule can flag it (exit 5)', async () => {
    await h.client.workflow.getHandle(ids.approved).executeUpdate('approve', { args: ['bob'] });
    await h.client.workflow.getHandle(ids.approved).result();
    const ok = await run('result', '-w', ids.approved, '--json');
    assert.equal(ok.code, ExitCode.ok);
    const outcome = JSON.parse(ok.out) as RunOutcome;
    assert.deepEqual(
      [outcome.status, outcome.result, outcome.resultCheck?.looksLikeError],
      ['COMPLETED', { status: 'ok', approvedBy: 'bob' }, false],
    );
    const flagged = await run(
      'result',
      '-w',
      ids.approved,
      '--result-rule',
      '{"statusKeys":["approvedBy"],"errorValues":["bob"]}',
    );
    assert.equal(flagged.code, ExitCode.resultLooksLikeError);
    assert.match(flagged.out, /COMPLETED, but the result reads like an error: result\.approvedBy is "bob"/);
  });

  it('flags a COMPLETED result that reads like an error with exit 5', async () => {
    const { code, out } = await run('result', '-w', ids.reportNotOk, '--json');
    const outcome = JSON.parse(out) as RunOutcome;
    assert.equal(code, ExitCode.resultLooksLikeError);
    assert.equal(outcome.status, 'COMPLETED');
    assert.deepEqual(outcome.resultCheck, { looksLikeError: true, reason: 'result.ok is false' });
  });

  it('exits 6 with the failure chain for a FAILED run, 9 while a run is RUNNING, 7 when not found', async () => {
    const failed = await run('result', '-w', ids.invalidRecipe);
    assert.equal(failed.code, ExitCode.otherTerminal);
    assert.match(
      failed.out,
      /FAILED at .*: CleanStart input is invalid: projectDir: expected an absolute path, got "relative".* \(InvalidInputError\)/,
    );
    assert.equal((await run('result', '-w', ids.timer)).code, ExitCode.stillRunning);
    const missing = await run('result', '-w', uniqueId('no-such'));
    assert.equal(missing.code, ExitCode.notFound);
    assert.match(missing.err, /not found/);
  });
});

describe('workflows analyze of closed runs', () => {
  it('gives the failure chain of a FAILED run, and says TIMED_OUT and CANCELED runs are not stalled', async () => {
    const failed = JSON.parse((await run('analyze', '-w', ids.invalidRecipe, '--json')).out) as Analysis;
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.close?.failure?.[0]?.type, 'InvalidInputError');
    assert.equal(failed.finding.stalled, false);

    const timedOut = await run('analyze', '-w', ids.timedOut, '--json');
    assert.equal(timedOut.code, ExitCode.ok);
    const analysis = JSON.parse(timedOut.out) as Analysis;
    assert.deepEqual(
      [analysis.status, analysis.close?.status, analysis.finding.remedy.action],
      ['TIMED_OUT', 'TIMED_OUT', 'none'],
    );

    await h.client.workflow.getHandle(ids.canceled).cancel();
    await h.client.workflow
      .getHandle(ids.canceled)
      .result()
      .catch(() => undefined);
    const canceled = await run('analyze', '-w', ids.canceled);
    assert.match(canceled.out, /CANCELED; started/);
    assert.match(canceled.out, /closed: CANCELED at /);
    assert.equal((await run('analyze', '-w', uniqueId('no-such'))).code, ExitCode.notFound);
  });
});

describe('workflows recent', () => {
  it('lists what started or closed lately with status and result check, and leaves ops workflows out', async () => {
    const query = `TaskQueue IN ("${queue}", "${nobody}", "${h.settings.opsTaskQueue}")`;
    const { code, out, err } = await run('recent', '--minutes', '10', '--query', query, '--json');
    assert.equal(code, ExitCode.ok, err);
    const rows = new Map((JSON.parse(out) as RecentRow[]).map((r) => [r.workflowId, r]));
    assert.equal(rows.has(ids.reportNotOk), false, 'CleanStart is ours');
    assert.deepEqual(rows.get(ids.approved)?.resultCheck, { looksLikeError: false, reason: '' });
    assert.equal(rows.get(ids.timedOut)?.status, 'TIMED_OUT');
    assert.equal(rows.get(ids.terminated)?.problem, 'terminated: operator gave up');
    assert.equal(rows.get(ids.timer)?.status, 'RUNNING');
    const flagged = await run(
      'recent',
      '--minutes',
      '10',
      '--query',
      query,
      '--result-rule',
      '{"statusKeys":["status"],"errorValues":["ok"]}',
    );
    assert.equal(flagged.code, ExitCode.resultLooksLikeError);
    assert.match(
      flagged.out,
      new RegExp(
        `COMPLETED +WaitsForUpdate +${ids.approved} .*RESULT READS LIKE AN ERROR: result.status is "ok"`,
      ),
    );
  });
});

describe('workflows usage errors', () => {
  const cases: [string[], RegExp][] = [
    [['wait', '-w', 'x', '--status', 'DONE'], /--status: expected one or more of RUNNING, COMPLETED/],
    [['result'], /required option '-w, --workflow-id <id>' not specified/],
    [['stalled', '--timeout', '3'], /unknown option '--timeout'/],
    [
      ['stalled', '--policy', '{"noWorkerAfterMs":-5}'],
      /--policy: policy\.noWorkerAfterMs must be a non-negative number, got -5/,
    ],
    [['recent', '--minutes', 'soon'], /option '--minutes <n>' argument 'soon' is invalid/],
    [['bogus'], /unknown command 'bogus'/],
  ];
  for (const [argv, message] of cases) {
    it(`exits 2 for ${argv.join(' ')}`, async () => {
      const { code, err } = await run(...argv);
      assert.equal(code, ExitCode.usage);
      assert.match(err, message);
    });
  }
});
