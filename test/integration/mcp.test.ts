// `temporal-ops mcp` as a coding agent drives it: an MCP client spawns the server over stdio,
// lists its tools, diagnoses a planted stall, clears it through approval, and runs CleanStart.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import type { Finding } from '../../src/contract/verdicts.js';
import { exampleCleanStartInput, exampleProjectName } from '../../src/host/projects/example.js';
import { recipeInputJsonSchema } from '../../src/contract/schemas.js';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import type { ClearStalledReport } from '../../workflows/clear-stalled-environment.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

interface Outcome<T = unknown> {
  exitCode: number;
  result?: T;
  error?: string;
  log: string[];
}

let h: Harness;
let mcp: Client;
let serverLog = '';
const planted: string[] = [];

async function call<T>(
  name: string,
  args: Record<string, unknown>,
  progress: string[] = [],
): Promise<{ isError: boolean; outcome: Outcome<T>; text: string }> {
  const result = await mcp.callTool({ name, arguments: args }, undefined, {
    timeout: 60_000,
    resetTimeoutOnProgress: true,
    maxTotalTimeout: 300_000,
    onprogress: (p) => progress.push(p.message ?? ''),
  });
  const content = result.content as { type: string; text?: string }[];
  return {
    isError: result.isError === true,
    outcome: result.structuredContent as unknown as Outcome<T>,
    text: content[0]?.text ?? '',
  };
}

before(async () => {
  h = await createHarness();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(packageRoot, 'bin', 'temporal-ops.mjs'), 'mcp'],
    env: {
      ...env,
      TEMPORAL_ADDRESS: testTarget().address,
      TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
      TEMPORAL_OPS_TASK_QUEUE: h.settings.opsTaskQueue,
    },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    serverLog += chunk.toString();
  });
  mcp = new Client({ name: 'mcp-test', version: '1.0.0' });
  await mcp.connect(transport);
});

after(async () => {
  await mcp?.close();
  await terminateAll(h.client, planted);
  await h.cleanup();
});

describe('temporal-ops mcp over stdio', () => {
  it('initializes and lists every tool; recipe_start carries each recipe input schema', async () => {
    assert.equal(mcp.getServerVersion()?.name, 'temporal-ops');
    const { tools } = await mcp.listTools();
    const names = tools.map((t) => t.name).sort();
    for (const name of [
      'worker_ensure',
      'worker_stop',
      'worker_list',
      'worker_logs',
      'workflows_stalled',
      'workflows_analyze',
      'workflows_result',
      'workflows_wait',
      'workflows_recent',
      'recipe_start',
      'recipe_progress',
      'approve',
    ])
      assert.ok(names.includes(name), `lists ${name} (got ${names.join(', ')})`);
    const start = tools.find((t) => t.name === 'recipe_start')!;
    const input = start.inputSchema.properties?.input as { anyOf: Record<string, unknown>[] };
    for (const recipe of ['CleanStart', 'TestInteractive', 'ClearStalledEnvironment'] as const) {
      const schema: Record<string, unknown> = { title: recipe, ...recipeInputJsonSchema(recipe) };
      delete schema.$schema;
      assert.deepEqual(
        input.anyOf.find((s) => s.title === recipe),
        schema,
        `recipe_start lists the ${recipe} input schema`,
      );
    }
    const ensure = tools.find((t) => t.name === 'worker_ensure')!;
    assert.match(ensure.description ?? '', /CLI: temporal-ops worker ensure/);
    assert.ok(ensure.inputSchema.properties?.taskQueue, 'worker_ensure takes the --task-queue flag');
  });

  it('writes only protocol messages to stdout and exits 0 when the client closes stdin', async () => {
    const messages = [
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '0' },
        },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'workflows_recent', arguments: { minutes: 1 } },
      },
    ];
    const run = await execa(process.execPath, [join(packageRoot, 'bin', 'temporal-ops.mjs'), 'mcp'], {
      input: messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
      env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_OPS_STATE_DIR: h.settings.stateDir },
      reject: false,
      timeout: 60_000,
    });
    assert.equal(run.exitCode, 0, run.stderr);
    const lines = run.stdout.split('\n').filter(Boolean);
    const replies = lines.map((line) => JSON.parse(line) as { jsonrpc: string; id?: number });
    assert.ok(
      replies.every((r) => r.jsonrpc === '2.0'),
      run.stdout,
    );
    assert.deepEqual(
      replies.map((r) => r.id),
      [1, 2],
    );
    assert.match(run.stderr, /temporal-ops MCP server .* on stdio/);
  });

  it('errors are isError results with the CLI message and exit code', async () => {
    const bad = await call('recipe_start', {
      recipe: 'CleanStart',
      input: { projectDir: 'relative/dir', taskQueue: 'q', start: { command: 'true' } },
    });
    assert.equal(bad.isError, true);
    assert.equal(bad.outcome.exitCode, 2);
    assert.match(bad.outcome.error ?? '', /projectDir: expected an absolute path, got "relative\/dir"/);
    assert.match(bad.text, /exit 2/);

    const project = await call('worker_list', { project: '../etc' });
    assert.equal(project.isError, true);
    assert.equal(project.outcome.exitCode, 2);
    assert.match(project.outcome.error ?? '', /--project: expected a project key .* got "\.\.\/etc"/);

    const missing = await call('workflows_analyze', { workflowId: uniqueId('nobody') });
    assert.equal(missing.isError, true);
    assert.equal(missing.outcome.exitCode, 7);
  });

  it('workflows_stalled finds a planted code bug; ClearStalledEnvironment waits for that plan ID, then clears it', async () => {
    const taskQueue = uniqueQueue('mcp-stalls');
    const worker = await startFixtureWorker(h, { project: `mcp-${nanoid(6)}`, taskQueue });
    const bugId = uniqueId('codebug');
    planted.push(bugId);
    await h.client.workflow.start('CodeBug', { taskQueue, workflowId: bugId, args: [{}] });

    const listed = await call<{ workers: { pid: number }[] }>('worker_list', {});
    assert.equal(listed.isError, false, listed.text);
    assert.ok(
      JSON.stringify(listed.outcome.result).includes(`"pid":${worker.pid}`),
      `worker_list shows the fixture worker ${worker.pid}: ${listed.text}`,
    );

    const query = `TaskQueue = "${taskQueue}"`;
    const finding = await waitUntil(
      'workflows_stalled to call the code bug stalled',
      async () => {
        const { isError, outcome } = await call<Finding[]>('workflows_stalled', { query });
        assert.equal(isError, false, outcome.error);
        const found = outcome.result?.find((f) => f.workflowId === bugId);
        return found?.verdict === 'workflow-code-bug' ? { found, exitCode: outcome.exitCode } : undefined;
      },
      60_000,
      1000,
    );
    assert.equal(finding.found.stalled, true);
    assert.equal(finding.exitCode, 8, 'exit code 8: stalls found');

    await h.withControlWorker(async () => {
      const started = await call<{ state: string; workflowId: string }>('recipe_start', {
        recipe: 'ClearStalledEnvironment',
        input: { taskQueue, verdicts: ['workflow-code-bug'] },
        follow: false,
      });
      assert.equal(started.isError, false, started.text);
      assert.equal(started.outcome.result?.state, 'started');
      const workflowId = started.outcome.result!.workflowId;

      const pending = await waitUntil(
        'the clear plan to wait for approval',
        async () => {
          const { outcome } = await call<{ state: string; pendingApproval: PendingApproval | null }>(
            'recipe_progress',
            { workflowId },
          );
          return outcome.result?.state === 'waiting-for-approval'
            ? outcome.result.pendingApproval!
            : undefined;
        },
        60_000,
        1000,
      );
      assert.match(pending.plan, new RegExp(`\\*\\*terminate\\*\\* \`${bugId}\``));

      const unseen = await call('approve', { workflowId, planId: 'some-other-plan' });
      assert.equal(unseen.isError, true);
      assert.equal(unseen.outcome.exitCode, 2);
      assert.match(
        unseen.outcome.error ?? '',
        /planId: expected the plan pending now, "[\w-]+", got "some-other-plan"/,
      );

      const approved = await call<{ planId: string; approved: boolean }>('approve', {
        workflowId,
        planId: pending.planId,
        by: 'mcp-test',
      });
      assert.equal(approved.isError, false, approved.text);
      assert.deepEqual(
        [approved.outcome.result?.planId, approved.outcome.result?.approved],
        [pending.planId, true],
      );

      const done = await call<{ state: string; report: ClearStalledReport }>('recipe_progress', {
        workflowId,
        follow: true,
      });
      assert.equal(done.isError, false, done.text);
      assert.equal(done.outcome.result?.state, 'closed');
      const report = done.outcome.result!.report;
      assert.equal(report.ok, true, report.problem);
      assert.deepEqual(report.approval, { by: 'mcp-test', approved: true });
      assert.deepEqual(
        report.cleared.map((r) => [r.workflowId, r.action, r.result]),
        [[bugId, 'terminate', 'terminated']],
      );
    });
    assert.equal((await h.client.workflow.getHandle(bugId).describe()).status.name, 'TERMINATED');
  });

  it('recipe_start runs CleanStart on the bundled example to its report, steps as progress, summary in the UI header', async () => {
    const taskQueue = uniqueQueue('mcp-orders');
    const progress: string[] = [];
    const { isError, outcome, text } = await h.withControlWorker(() =>
      call<{ state: string; workflowId: string; report: CleanStartReport }>(
        'recipe_start',
        { recipe: 'CleanStart', input: exampleCleanStartInput(taskQueue) },
        progress,
      ),
    );
    assert.equal(isError, false, `${text}\n${serverLog}`);
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.result?.state, 'closed');
    const report = outcome.result!.report;
    assert.equal(report.ok, true, report.problem);
    assert.equal(report.target && 'status' in report.target && report.target.status, 'COMPLETED');
    assert.ok(
      report.steps.every((s) => s.outcome === 'ok' || s.outcome === 'skipped'),
      JSON.stringify(report.steps),
    );
    // Progress is best effort (the report has every step): the steps seen while it ran arrive.
    assert.ok(
      progress.some((line) => /^Verify server: health, namespace, search attributes: ok/.test(line)),
      `progress notifications carry the steps: ${progress.join(' | ')}`,
    );
    assert.ok(
      outcome.log.some((line) =>
        line.startsWith(`CleanStart started: workflow ${outcome.result!.workflowId}`),
      ),
    );

    const description = await h.client.workflow.getHandle(outcome.result!.workflowId).describe();
    assert.equal(await description.staticSummary(), `CleanStart of ${exampleProjectName()} on ${taskQueue}`);
    const details = (await description.staticDetails()) ?? '';
    assert.match(details, new RegExp(`- \\*\\*taskQueue\\*\\*: \`${taskQueue}\``));
    assert.match(details, /- \*\*projectDir\*\*: `\/.*\/examples\/orders`/);
  });
});
