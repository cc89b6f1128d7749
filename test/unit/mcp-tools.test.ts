// The MCP tools' contract with the CLI: every argument is a flag of its command, calls become the
// command lines a user would type, and the CLI's parse turns them into the same options.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recipeDetails, recipeSummary } from '../../src/contract/summary.js';
import { buildProgram, type Call } from '../../src/cli/program.js';
import { packageRoot } from '../../src/config.js';
import { CLI_TOOLS, cliArgv, describeCliTool } from '../../src/mcp/cli-tools.js';
import { ProgressReporter } from '../../src/mcp/progress.js';
import { runCliTool } from '../../src/mcp/run-cli-tool.js';

const where = { cwd: join(packageRoot, 'examples'), env: { USER: 'me' } };
const tree = (invoke: (call: Call) => Promise<void>) => buildProgram(invoke, where);
const tool = (name: string) => CLI_TOOLS.find((t) => t.name === name)!;

/** Parses a tool call's command line on the real tree; records the call instead of running it. */
async function parsed(name: string, args: Record<string, unknown>) {
  const calls: Call[] = [];
  const context = { settings: {}, target: {}, cwd: where.cwd, client: () => Promise.reject(new Error('no')) };
  const outcome = await runCliTool(
    cliArgv(tool(name), args),
    (invoke) =>
      tree(async (call) => {
        calls.push(call);
        await invoke({ ...call, load: async () => async () => 0 });
      }),
    context as never,
    () => undefined,
  );
  return { calls, outcome };
}

describe('MCP tools over CLI commands', () => {
  it('every argument of every tool is a flag of its command, described by its help', () => {
    const program = tree(async () => undefined);
    for (const t of CLI_TOOLS) {
      const { description, shape } = describeCliTool(t, program);
      assert.match(description, new RegExp(`\\(CLI: temporal-ops ${t.command.join(' ')}\\)$`));
      assert.deepEqual(Object.keys(shape), Object.keys(t.args), t.name);
      const prose = description.replace(/\(CLI: [^)]*\)/g, '');
      assert.doesNotMatch(prose, /--[a-z]/, `${t.name} names its arguments, not flags: ${prose}`);
    }
  });

  it("a positional argument goes after `--`, so a value that looks like a flag stays the command's argument", async () => {
    assert.deepEqual(cliArgv(tool('project_add'), { projectDir: '/srv/-shop', taskQueue: 'q' }), [
      'project',
      'add',
      '--task-queue=q',
      '--json',
      '--',
      '/srv/-shop',
    ]);
    const { calls, outcome } = await parsed('project_remove', { keyOrDir: '--all', taskQueue: 'q' });
    assert.equal(outcome.exitCode, 0, outcome.error);
    assert.deepEqual(
      calls.map((c) => [c.path, c.options]),
      [['project remove', { keyOrDir: '--all', taskQueue: 'q' }]],
    );
  });

  it('a call becomes the command line, one --flag=value per value, always --json', () => {
    assert.deepEqual(
      cliArgv(tool('worker_ensure'), {
        taskQueue: '-q',
        env: { A: '1', B: 'x=y' },
        readyTimeoutSeconds: 5,
        project: undefined,
      }),
      ['worker', 'ensure', '--task-queue=-q', '--env=A=1', '--env=B=x=y', '--ready-timeout=5', '--json'],
    );
    assert.deepEqual(
      cliArgv(tool('workflows_stalled'), {
        policy: { noWorkerAfterMs: 10 },
        stalledOnly: true,
        explainWaits: false,
      }),
      ['workflows', 'stalled', '--policy={"noWorkerAfterMs":10}', '--stalled-only', '--json'],
    );
    assert.deepEqual(cliArgv(tool('worker_stop_all'), { includeServer: true }), [
      'worker',
      'stop-all',
      '--include-server',
      '--json',
    ]);
    assert.deepEqual(cliArgv(tool('worker_list'), { taskQueues: ['a', 'b'] }), [
      'worker',
      'list',
      '--task-queue=a',
      '--task-queue=b',
      '--json',
    ]);
  });

  it('the CLI parses a tool call into the options the command line gives', async () => {
    const { calls, outcome } = await parsed('workflows_wait', {
      workflowId: 'wf-1',
      status: 'running,completed',
      timeoutSeconds: 2,
    });
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(
      calls.map((c) => [c.path, c.options, c.json]),
      [
        [
          'workflows wait',
          { workflowId: 'wf-1', runId: undefined, statuses: ['RUNNING', 'COMPLETED'], timeoutMs: 2000 },
          true,
        ],
      ],
    );
  });

  it('incident_ack and incident_snooze take the arguments of incidents ack / snooze, the ID after `--`', async () => {
    const snoozed = await parsed('incident_snooze', { id: '-abc', for: '1h', by: 'ann' });
    assert.equal(snoozed.outcome.exitCode, 0, snoozed.outcome.error);
    assert.deepEqual(
      snoozed.calls.map((c) => [c.path, c.options, c.json]),
      [['incidents snooze', { id: '-abc', by: 'ann', forMs: 3_600_000 }, true]],
    );
    const acked = await parsed('incident_ack', { id: 'abc' });
    assert.deepEqual(
      acked.calls.map((c) => [c.path, c.options]),
      [['incidents ack', { id: 'abc', by: 'me' }]],
    );
    const tooShort = await parsed('incident_snooze', { id: 'abc', for: '10ms' });
    assert.equal(tooShort.outcome.exitCode, 2);
    assert.match(tooShort.outcome.error ?? '', /--for <duration>' argument '10ms' is invalid/);
  });

  it("a bad value fails as on the command line: the CLI's message and exit code 2", async () => {
    const { calls, outcome } = await parsed('workflows_recent', { minutes: -1 });
    assert.equal(calls.length, 0);
    assert.equal(outcome.exitCode, 2);
    assert.match(outcome.error ?? '', /--minutes <n>' argument '-1' is invalid. expected a positive number/);
  });
});

describe('MCP progress of one call', () => {
  it('sends steps with their total, and heartbeats in between that increase but stay below the next step', async () => {
    const sent: { progress: number; total?: number; message?: string }[] = [];
    const reporter = new ProgressReporter(
      {
        _meta: { progressToken: 7 },
        sendNotification: async (n) => {
          sent.push(n.params as (typeof sent)[number]);
        },
      },
      5,
    );
    reporter.update({ done: 1, total: 4, current: 'R step 2 of 4: Start' });
    const waitFor = async (count: number) => {
      while (sent.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await waitFor(4);
    reporter.update({ done: 2, total: 4, current: 'R step 3 of 4: Wait', finished: 'Start: ok' });
    await waitFor(6);
    await reporter.close();
    const values = sent.map((p) => p.progress);
    assert.ok(
      values.every((v, i) => i === 0 || v > values[i - 1]!),
      values.join(', '),
    );
    const boundary = sent.findIndex((p) => p.message === 'Start: ok; now: R step 3 of 4: Wait');
    assert.equal(sent[boundary]?.progress, 2);
    assert.ok(sent.slice(0, boundary).every((p) => p.progress >= 1 && p.progress < 2 && p.total === 4));
    assert.match(sent[1]?.message ?? '', /^R step 2 of 4: Start \(\d+ s\)$/);
  });

  it('sends nothing more once the client cancelled the call', async () => {
    let sent = 0;
    const abort = new AbortController();
    const reporter = new ProgressReporter(
      { _meta: { progressToken: 1 }, signal: abort.signal, sendNotification: async () => void (sent += 1) },
      5,
    );
    reporter.update({ done: 1, total: 2, current: 'x' });
    assert.equal(sent, 1);
    abort.abort();
    reporter.update({ done: 2, total: 2, current: 'y' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await reporter.close();
    assert.equal(sent, 1);
  });

  it('sends nothing when the caller asked for no progress', async () => {
    let sent = 0;
    const reporter = new ProgressReporter({ sendNotification: async () => void (sent += 1) }, 5);
    reporter.update({ done: 1, total: 2, current: 'x' });
    reporter.line('a line');
    await reporter.close();
    assert.equal(sent, 0);
  });
});

describe('static summary and details of a recipe started by the CLI', () => {
  it('names the recipe, the project and the task queue in one line', () => {
    assert.equal(
      recipeSummary('CleanStart', { projectDir: '/srv/shop/', taskQueue: 'orders' }),
      'CleanStart of shop on orders',
    );
    assert.equal(
      recipeSummary('TestInteractive', { projectDir: '/srv/shop', project: 'web', taskQueue: 'q' }),
      'TestInteractive of web on q',
    );
    assert.equal(recipeSummary('ClearStalledEnvironment', {}), 'ClearStalledEnvironment on every task queue');
    assert.equal(
      recipeSummary('ClearStalledEnvironment', { taskQueue: 'q', query: 'WorkflowType = "A"' }),
      'ClearStalledEnvironment on q where WorkflowType = "A"',
    );
  });

  it('lists the input as markdown, long values shortened', () => {
    const details = recipeDetails({
      taskQueue: 'q',
      start: { command: 'uv run starter' },
      note: 'x'.repeat(500),
    });
    assert.equal(
      details.split('\n').slice(0, 4).join('\n'),
      '**Input**\n\n- **taskQueue**: `q`\n- **start**: `{"command":"uv run starter"}`',
    );
    assert.match(details, /- \*\*note\*\*: `x{160}…`$/);
    assert.equal(recipeDetails({}), '**Input**\n\n- (defaults)');
  });
});
