// `temporal-ops mcp` against the MCP specification, through the SDK's own client over stdio: every
// tool's title, annotations and schemas (ajv on real calls), progress that keeps a 10 s client
// timeout alive through a 30 s target, cancellation, resources with subscriptions, and prompts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ResourceUpdatedNotificationSchema,
  type Progress as McpProgress,
} from '@modelcontextprotocol/sdk/types.js';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { venvPython } from '../../src/host/projects/example.js';
import { RECIPE_NAMES } from '../../src/contract/ops-workflows.js';
import type { StepReport } from '../../workflows/lib/checklist.js';
import type { CheckRecentReport } from '../../workflows/check-recent-results.js';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { fixtureDir, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';
import { assertValid, openMcpSession, type McpSession } from './mcp-session.js';

/** [readOnlyHint, destructiveHint, idempotentHint, openWorldHint]; read-only tools state no other hint but openWorld. */
type Hints = [boolean, boolean | undefined, boolean | undefined, boolean];
const R: Hints = [true, undefined, undefined, false];
const ANNOTATIONS: Record<string, Hints> = {
  worker_ensure: [false, true, true, true],
  worker_start: [false, false, true, true],
  worker_restart: [false, true, false, true],
  worker_stop: [false, true, true, false],
  worker_stop_all: [false, true, true, false],
  worker_list: R,
  worker_health: R,
  worker_logs: R,
  workflows_stalled: R,
  workflows_analyze: R,
  workflows_result: R,
  workflows_wait: R,
  workflows_recent: R,
  replay_check: R,
  schedule_stall_sweep: [false, true, true, false],
  incident_ack: [false, false, true, false],
  incident_snooze: [false, false, false, false],
  project_add: [false, false, true, false],
  project_list: R,
  project_remove: [false, true, true, false],
  recipe_start: [false, true, false, true],
  recipe_progress: R,
  recipe_cancel: [false, true, true, false],
  approve: [false, true, false, false],
  workflow_signal: [false, false, false, false],
  workflow_query: R,
  workflow_update: [false, false, false, false],
  workflow_terminate: [false, true, true, false],
};

const PROMPTS: Record<string, string[]> = {
  clean_start: ['projectDir', 'taskQueue', 'workflowType', 'args', 'starter'],
  debug_stalled: ['workflowId', 'taskQueue', 'projectDir'],
  clear_stalled: ['taskQueue', 'query', 'projectDir'],
  test_interactive: ['projectDir', 'taskQueue', 'workflowType', 'args', 'interactions', 'expectResult'],
  check_recent: ['minutes', 'taskQueue'],
  troubleshoot: ['workflowId'],
};

const workerCommand = `${venvPython} worker.py`;
const DRAFT_07 = { $ref: 'http://json-schema.org/draft-07/schema#' };

let h: Harness;
let mcp: McpSession;
let stopControlWorker: () => void = () => undefined;
let controlWorker: Promise<void>;
const planted: string[] = [];
const project = `mcp-${nanoid(6)}`;
const taskQueue = uniqueQueue('mcp-conf');

/** A project on the Python fixtures, for a recipe that starts its own worker on its own queue. */
function fixtureInput(name: string, queue: string, start: Record<string, unknown>) {
  return { projectDir: fixtureDir, project: name, taskQueue: queue, workerCommand, start };
}

/** The recipe runs of `type` on our ops queue whose workflow ID starts with `prefix`. */
async function recipeRuns(type: string, prefix: string): Promise<WorkflowExecutionInfo[]> {
  const runs: WorkflowExecutionInfo[] = [];
  const query = `WorkflowType = "${type}" AND TaskQueue = "${h.settings.opsTaskQueue}"`;
  for await (const w of h.client.workflow.list({ query })) if (w.workflowId.startsWith(prefix)) runs.push(w);
  return runs;
}

before(async () => {
  h = await createHarness();
  controlWorker = h.withControlWorker(
    () =>
      new Promise<void>((resolve) => {
        stopControlWorker = resolve;
      }),
  );
  mcp = await openMcpSession(h);
});

after(async () => {
  await mcp?.close();
  stopControlWorker();
  await controlWorker;
  await terminateAll(h.client, planted);
  await h.cleanup();
});

describe('temporal-ops mcp conforms to the MCP specification', () => {
  it('lists every tool with a title, the annotations of the table above, valid schemas and descriptions naming only its arguments', () => {
    assert.deepEqual(mcp.tools.map((t) => t.name).sort(), Object.keys(ANNOTATIONS).sort());
    for (const tool of mcp.tools) {
      assert.ok(tool.title && tool.title.length > 3, `${tool.name} has a title`);
      const [readOnly, destructive, idempotent, openWorld] = ANNOTATIONS[tool.name]!;
      assert.deepEqual(
        tool.annotations,
        {
          readOnlyHint: readOnly,
          ...(destructive === undefined ? {} : { destructiveHint: destructive }),
          ...(idempotent === undefined ? {} : { idempotentHint: idempotent }),
          openWorldHint: openWorld,
        },
        tool.name,
      );
      assert.ok(tool.outputSchema, `${tool.name} has an outputSchema`);
      assertValid(DRAFT_07, tool.inputSchema, `${tool.name} inputSchema is a JSON Schema`);
      assertValid(DRAFT_07, tool.outputSchema, `${tool.name} outputSchema is a JSON Schema`);
      const prose = (tool.description ?? '').replace(/\(CLI: [^)]*\)/g, '');
      assert.doesNotMatch(prose, /--[a-z]/, `${tool.name}'s description names no flag: ${prose}`);
    }
    const start = mcp.tools.find((t) => t.name === 'recipe_start')!;
    const input = start.inputSchema.properties?.input as { anyOf: { title: string }[] };
    assert.deepEqual(input.anyOf.map((s) => s.title).sort(), [...RECIPE_NAMES].sort());
  });

  it('offers the runbook recipes and its decision tree as prompts with their arguments', async () => {
    const { prompts } = await mcp.client.listPrompts();
    assert.deepEqual(
      Object.fromEntries(prompts.map((p) => [p.name, (p.arguments ?? []).map((a) => a.name)])),
      PROMPTS,
    );
    const clean = await mcp.client.getPrompt({
      name: 'clean_start',
      arguments: { projectDir: '/srv/shop', taskQueue: 'orders', workflowType: 'Order', args: '[{"id": 1}]' },
    });
    const text = (clean.messages[0]?.content as { text: string }).text;
    assert.match(text, /project_add/);
    assert.ok(
      text.includes(
        '"CleanStart" and input {"projectDir":"/srv/shop","taskQueue":"orders","start":{"workflowType":"Order","args":[{"id":1}]}}',
      ),
      text,
    );
    const tree = await mcp.client.getPrompt({ name: 'troubleshoot', arguments: { workflowId: 'order-7' } });
    const treeText = (tree.messages[0]?.content as { text: string }).text;
    assert.match(treeText, /workflows_analyze for workflowId `order-7`/);
    assert.match(treeText, /non-determinism → .*workflow_terminate/);
  });

  it('refuses bad input before anything starts: an isError outcome naming the field, and no step shown', async () => {
    // The listed input schema already says so; the server checks again for clients that do not validate.
    const progress: McpProgress[] = [];
    const bad = await mcp.callUnchecked(
      'recipe_start',
      {
        recipe: 'CleanStart',
        input: { projectDir: 'relative/dir', taskQueue: 'q', start: { command: 'true' } },
      },
      { onprogress: (p) => progress.push(p) },
    );
    assert.equal(bad.isError, true);
    assert.equal(bad.outcome.exitCode, 2);
    assert.match(bad.outcome.error ?? '', /projectDir: expected an absolute path, got "relative\/dir"/);
    assert.doesNotMatch(JSON.stringify([bad, progress]), /Verify server|running/);

    const unknown = await mcp.callUnchecked('recipe_start', { recipe: 'Nope', input: {} });
    assert.equal(unknown.isError, true);
    assert.equal(unknown.outcome.exitCode, 2);
    assert.match(unknown.outcome.error ?? '', /Invalid arguments for tool recipe_start: .* at recipe/);
  });

  it('registers a project and runs its worker: project_add / list, worker_start / list / health / logs / restart / ensure', async () => {
    const added = await mcp.call('project_add', {
      projectDir: fixtureDir,
      project,
      workerCommand,
      taskQueue,
    });
    assert.equal(added.isError, false, added.text);
    const listed = await mcp.call('project_list', {});
    assert.match(JSON.stringify(listed.outcome.result), new RegExp(project));

    const worker = { projectDir: fixtureDir, project, taskQueue, workerCommand };
    const started = await mcp.call<{ worker: { pid: number } }>('worker_start', worker);
    assert.equal(started.isError, false, started.text);
    const pid = started.outcome.result!.worker.pid;
    const workers = await mcp.call('worker_list', { project });
    assert.ok(JSON.stringify(workers.outcome.result).includes(`"pid":${pid}`), workers.text);
    const health = await mcp.call('worker_health', { project });
    assert.equal(health.outcome.exitCode, 0, health.text);
    const logs = await mcp.call('worker_logs', { project, lines: 5 });
    assert.equal(logs.isError, false, logs.text);

    const restarted = await mcp.call<{ worker: { pid: number } }>('worker_restart', {
      project,
      projectDir: fixtureDir,
    });
    assert.equal(restarted.isError, false, restarted.text);
    assert.notEqual(restarted.outcome.result!.worker.pid, pid);
    const ensured = await mcp.call<{ worker: { pid: number } }>('worker_ensure', worker);
    assert.equal(ensured.isError, false, ensured.text);
  });

  it('signals, queries, updates and terminates target workflows; a failed update carries the exception from the target', async () => {
    const start = async (type: string) => {
      const workflowId = uniqueId(type.toLowerCase());
      planted.push(workflowId);
      await h.client.workflow.start(type, { taskQueue, workflowId, args: [{}] });
      return workflowId;
    };
    const [waitsForSignal, waitsForUpdate, updateBug, waitsForTimer] = await Promise.all(
      ['WaitsForSignal', 'WaitsForUpdate', 'UpdateHandlerBug', 'WaitsForTimer'].map(start),
    );

    const stack = await mcp.call<{ result: string }>('workflow_query', {
      workflowId: waitsForSignal,
      name: '__stack_trace',
    });
    assert.equal(stack.isError, false, stack.text);
    assert.match(stack.outcome.result?.result ?? '', /query: __stack_trace \(workflow: WaitsForSignal/);

    const signalled = await mcp.call('workflow_signal', { workflowId: waitsForSignal, name: 'go' });
    assert.equal(signalled.isError, false, signalled.text);
    const waited = await mcp.call('workflows_wait', {
      workflowId: waitsForSignal,
      status: 'COMPLETED',
      timeoutSeconds: 60,
    });
    assert.equal(waited.outcome.exitCode, 0, waited.text);
    const result = await mcp.call('workflows_result', { workflowId: waitsForSignal });
    assert.equal(result.outcome.exitCode, 0, result.text);

    const updated = await mcp.call<{ result: string }>('workflow_update', {
      workflowId: waitsForUpdate,
      name: 'approve',
      args: ['mcp-test'],
    });
    assert.equal(updated.outcome.result?.result, 'approved', updated.text);

    const exploded = await mcp.call('workflow_update', {
      workflowId: updateBug,
      name: 'explode',
      args: ['boom'],
    });
    assert.equal(exploded.isError, true);
    assert.equal(exploded.outcome.exitCode, 1);
    assert.match(
      exploded.outcome.error ?? '',
      /update on .* failed: .*; its workflow task fails: (RuntimeError: )?update handler bug: boom/,
    );

    const terminated = await mcp.call<{ terminated: boolean }>('workflow_terminate', {
      workflowId: waitsForTimer,
    });
    assert.equal(terminated.outcome.result?.terminated, true, terminated.text);
    const again = await mcp.call<{ terminated: boolean; status: string }>('workflow_terminate', {
      workflowId: waitsForTimer,
    });
    assert.deepEqual([again.outcome.result?.terminated, again.outcome.result?.status], [false, 'TERMINATED']);
    const analyzed = await mcp.call('workflows_analyze', { workflowId: waitsForTimer });
    assert.equal(analyzed.isError, false, analyzed.text);
    const recent = await mcp.call('workflows_recent', { minutes: 5, query: `TaskQueue = "${taskQueue}"` });
    assert.equal(recent.isError, false, recent.text);
    const stalled = await mcp.call('workflows_stalled', { taskQueue });
    assert.equal(stalled.isError, false, stalled.text);
  });

  it('recipe_start knows all six recipes; recipes refuse target tools and target workflows refuse recipe_cancel', async () => {
    type Closed = {
      state: string;
      workflowId: string;
      report: { ok: boolean; recipe: string; problem?: string };
    };
    const run = async (recipe: string, input: Record<string, unknown>) => {
      const started = await mcp.call<Closed>('recipe_start', { recipe, input });
      assert.equal(started.isError, false, started.text);
      assert.equal(started.outcome.result?.state, 'closed');
      assert.equal(started.outcome.result?.report.recipe, recipe);
      return started.outcome.result!;
    };
    const check = await run('CheckRecentResults', { taskQueue, minutes: 5 });
    // The workflow terminated above is the only one that may read as not ok.
    const { counts } = check.report as unknown as CheckRecentReport;
    assert.equal(counts.failing, counts.byStatus.TERMINATED ?? 0, JSON.stringify(check.report));
    const ensured = await run('EnsureWorker', { projectDir: fixtureDir, project, taskQueue, workerCommand });
    assert.equal(ensured.report.ok, true, ensured.report.problem);
    await run('DebugStalled', { taskQueue });
    const cleared = await run('ClearStalledEnvironment', {
      taskQueue: uniqueQueue('empty'),
      autoApprove: true,
    });
    assert.equal(cleared.report.ok, true, cleared.report.problem);
    const interactive = await run('TestInteractive', {
      ...fixtureInput(`${project}-ti`, uniqueQueue('mcp-ti'), { workflowType: 'WaitsForSignal', args: [{}] }),
      interactions: [{ signal: 'go' }],
    });
    assert.equal(interactive.report.ok, true, interactive.report.problem);

    const refused = await mcp.call('workflow_terminate', { workflowId: check.workflowId });
    assert.equal(refused.isError, true);
    assert.equal(refused.outcome.exitCode, 2);
    assert.match(
      refused.outcome.error ?? '',
      /expected a target workflow, .* an ops workflow of type CheckRecentResults/,
    );
    const target = uniqueId('target');
    planted.push(target);
    await h.client.workflow.start('WaitsForSignal', { taskQueue, workflowId: target, args: [{}] });
    const notRecipe = await mcp.call('recipe_cancel', { workflowId: target });
    assert.equal(notRecipe.outcome.exitCode, 2);
    assert.match(notRecipe.outcome.error ?? '', /expected a recipe .* of type WaitsForSignal/);
    const unseen = await mcp.call('approve', { workflowId: check.workflowId, planId: 'no-such-plan' });
    assert.equal(unseen.isError, true);

    const replay = await mcp.call('replay_check', { projectDir: fixtureDir, taskQueue, workerCommand });
    assert.equal(replay.isError, false, replay.text);
    const scheduleId = uniqueId('sweep');
    const scheduled = await mcp.call('schedule_stall_sweep', { id: scheduleId, every: '1h', taskQueue });
    assert.equal(scheduled.isError, false, scheduled.text);
    const deleted = await mcp.call('schedule_stall_sweep', { id: scheduleId, delete: true });
    assert.equal(deleted.isError, false, deleted.text);
  });

  it('temporal-ops://incidents lists a real incident; incident_snooze and incident_ack move it', async () => {
    type Listed = { id: string; state: string; fingerprint: { workflowId: string } };
    type Moved = Listed & { snoozedUntilMs?: number; acknowledgedBy?: string; transitions: unknown[] };
    const queue = uniqueQueue('mcp-incident');
    const target = uniqueId('nobody');
    planted.push(target);
    await h.client.workflow.start('NobodyPolls', { taskQueue: queue, workflowId: target, args: [] });
    await waitUntil(
      'the target to be visible',
      async () => (await h.client.workflow.count(`TaskQueue = "${queue}"`)).count > 0 || undefined,
      30_000,
      200,
    );
    const swept = await mcp.call<{ state: string; report: { incidents?: { opened: number } } }>(
      'recipe_start',
      {
        recipe: 'DebugStalled',
        input: { taskQueue: queue, incidents: true, policy: { noWorkerAfterMs: 0 } },
      },
    );
    assert.equal(swept.outcome.result?.report.incidents?.opened, 1, swept.text);
    const listed = async (state: string) => {
      const { contents } = await mcp.client.readResource({ uri: 'temporal-ops://incidents' });
      const all = JSON.parse((contents[0] as { text: string }).text) as Listed[];
      const ours = all.filter((i) => i.fingerprint.workflowId === target);
      return ours.length === 1 && ours[0]!.state === state ? ours[0] : undefined;
    };
    const incident = await waitUntil('the incident to be listed open', () => listed('open'), 30_000, 200);

    const before = Date.now();
    const snoozed = await mcp.call<Moved>('incident_snooze', { id: incident.id, for: '1h', by: 'mcp-test' });
    assert.equal(snoozed.isError, false, snoozed.text);
    assert.equal(snoozed.outcome.result?.state, 'snoozed');
    assert.ok((snoozed.outcome.result?.snoozedUntilMs ?? 0) >= before + 3_600_000, snoozed.text);

    const hash = incident.id.replace(/^incident-/, '');
    const acked = await mcp.call<Moved>('incident_ack', { id: hash, by: 'mcp-test' });
    assert.deepEqual(
      [acked.outcome.result?.id, acked.outcome.result?.state, acked.outcome.result?.acknowledgedBy],
      [incident.id, 'acknowledged', 'mcp-test'],
      acked.text,
    );
    const again = await mcp.call<Moved>('incident_ack', { id: incident.id });
    assert.equal(again.outcome.result?.state, 'acknowledged', again.text);
    assert.equal(again.outcome.result?.transitions.length, acked.outcome.result?.transitions.length);
    await waitUntil('the incident to be listed acknowledged', () => listed('acknowledged'), 30_000, 200);

    const unknown = await mcp.call('incident_snooze', { id: 'incident-0000000000000000', for: '1h' });
    assert.equal(unknown.isError, true);
    assert.equal(unknown.outcome.exitCode, 7, unknown.text);
  });

  it('a CleanStart whose target takes 30 s completes for a client with a 10 s timeout reset by progress', async () => {
    const progress: McpProgress[] = [];
    const { isError, outcome, text } = await mcp.call<{ state: string; report: CleanStartReport }>(
      'recipe_start',
      {
        recipe: 'CleanStart',
        input: {
          ...fixtureInput(`${project}-slow`, uniqueQueue('mcp-slow'), {
            workflowType: 'LongActivity',
            args: [{ maxSeconds: 30 }],
          }),
          resultTimeoutSeconds: 120,
        },
      },
      { timeout: 10_000, resetTimeoutOnProgress: true, onprogress: (p) => progress.push(p) },
    );
    assert.equal(isError, false, `${text}\n${mcp.log()}`);
    const report = outcome.result!.report;
    assert.equal(report.ok, true, report.problem);
    assert.equal(report.target && 'status' in report.target && report.target.status, 'COMPLETED');
    assert.ok(
      report.steps.every((s: StepReport) => s.outcome === 'ok' || s.outcome === 'skipped'),
      JSON.stringify(report.steps),
    );
    const values = progress.map((p) => p.progress);
    assert.ok(
      values.every((v, i) => i === 0 || v > values[i - 1]!),
      `progress increases: ${values.join(', ')}`,
    );
    const total = report.steps.length;
    assert.ok(
      progress.filter((p) => p.total !== undefined).every((p) => p.total === total && p.progress <= total),
      JSON.stringify(progress),
    );
    const waiting = progress.filter((p) =>
      /^CleanStart step \d+ of \d+: Wait for the target workflow to close \(\d+ s\)$/.test(p.message ?? ''),
    );
    assert.ok(
      waiting.length >= 3,
      `heartbeats name the running step: ${progress.map((p) => p.message).join(' | ')}`,
    );
  });

  it('follow: false returns the workflow ID and a resource URI at once; a subscription is told of each change', async () => {
    const updates: string[] = [];
    mcp.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    const started = await mcp.call<{ state: string; workflowId: string; resourceUri: string }>(
      'recipe_start',
      {
        recipe: 'CleanStart',
        input: fixtureInput(`${project}-later`, uniqueQueue('mcp-later'), {
          workflowType: 'LongActivity',
          args: [{ maxSeconds: 3 }],
        }),
        follow: false,
      },
    );
    assert.equal(started.outcome.result?.state, 'started', started.text);
    const { workflowId, resourceUri } = started.outcome.result!;
    assert.equal(resourceUri, `temporal-ops://recipe/${workflowId}`);
    await mcp.client.subscribeResource({ uri: resourceUri });

    const read = async (uri: string) => {
      const { contents } = await mcp.client.readResource({ uri });
      return JSON.parse((contents[0] as { text: string }).text) as Record<string, unknown>;
    };
    const closed = await waitUntil(
      'the recipe resource to show the report',
      async () => {
        const value = await read(resourceUri);
        return value.state === 'closed' ? value : undefined;
      },
      90_000,
      500,
    );
    assert.equal((closed.report as { ok: boolean }).ok, true);
    await waitUntil(
      'an update notification for the recipe',
      async () => updates.includes(resourceUri) || undefined,
      30_000,
      200,
    );
    await mcp.client.unsubscribeResource({ uri: resourceUri });

    const { resources } = await mcp.client.listResources();
    assert.deepEqual(resources.map((r) => r.uri).sort(), [
      'temporal-ops://incidents',
      'temporal-ops://recipes',
      'temporal-ops://stalled',
      'temporal-ops://workers',
    ]);
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    assert.deepEqual(
      resourceTemplates.map((t) => t.uriTemplate),
      ['temporal-ops://recipe/{workflowId}'],
    );
    await waitUntil(
      'the recipes resource to list the recipe',
      async () => JSON.stringify(await read('temporal-ops://recipes')).includes(workflowId) || undefined,
      30_000,
      500,
    );
    const workers = await read('temporal-ops://workers');
    assert.ok(JSON.stringify(workers).includes(project), JSON.stringify(workers));
    const sweep = await waitUntil(
      'the stalled resource to show the latest sweep',
      async () => {
        const value = await read('temporal-ops://stalled');
        return value.workflowId ? value : undefined;
      },
      30_000,
      500,
    );
    assert.equal((sweep.report as { recipe: string }).recipe, 'DebugStalled');
  });

  it('cancelling the call (notifications/cancelled) cancels the recipe: it ends CANCELED after its cleanup', async () => {
    const name = `${project}-abort`;
    const abort = new AbortController();
    const call = mcp.client.callTool(
      {
        name: 'recipe_start',
        arguments: {
          recipe: 'CleanStart',
          input: fixtureInput(name, uniqueQueue('mcp-abort'), {
            workflowType: 'LongActivity',
            args: [{ maxSeconds: 3600 }],
          }),
        },
      },
      undefined,
      {
        signal: abort.signal,
        timeout: 120_000,
        onprogress: (p) => {
          if (p.message?.includes('Wait for the target workflow to close')) abort.abort();
        },
      },
    );
    await assert.rejects(call, /abort/i);
    const [run] = await waitUntil(
      'the cancelled CleanStart to close CANCELED',
      async () => {
        const runs = await recipeRuns('CleanStart', `clean-start-${name}-`);
        return runs.length === 1 && runs[0]!.status.name === 'CANCELLED' ? runs : undefined;
      },
      60_000,
      500,
    );
    const description = await h.client.workflow.getHandle(run!.workflowId).describe();
    const report = description.memo?.opsReport as CleanStartReport;
    if (report.target) planted.push(report.target.workflowId);
    const wait = report.steps.find((s) => s.name === 'wait-target');
    assert.equal(wait?.outcome, 'canceled', JSON.stringify(report.steps));
  });

  it('recipe_cancel cancels a recipe started earlier, and again is a no-op', async () => {
    const started = await mcp.call<{ workflowId: string }>('recipe_start', {
      recipe: 'CleanStart',
      input: fixtureInput(`${project}-cancel`, uniqueQueue('mcp-cancel'), {
        workflowType: 'LongActivity',
        args: [{ maxSeconds: 3600 }],
      }),
      follow: false,
    });
    const { workflowId } = started.outcome.result!;
    await waitUntil(
      'the recipe to wait for its target',
      async () => {
        const { outcome } = await mcp.call<{ state: string; steps?: StepReport[] }>('recipe_progress', {
          workflowId,
        });
        const step = outcome.result?.steps?.find((s) => s.name === 'wait-target');
        return step?.outcome === 'running' || undefined;
      },
      90_000,
      500,
    );
    const canceled = await mcp.call<{ state: string; status: string; report: CleanStartReport }>(
      'recipe_cancel',
      {
        workflowId,
      },
    );
    assert.equal(canceled.isError, false, canceled.text);
    assert.deepEqual(
      [canceled.outcome.result?.state, canceled.outcome.result?.status],
      ['canceled', 'CANCELLED'],
    );
    const report = canceled.outcome.result!.report;
    if (report.target) planted.push(report.target.workflowId);
    assert.equal(report.steps.find((s) => s.name === 'wait-target')?.outcome, 'canceled');
    const again = await mcp.call<{ state: string; status: string }>('recipe_cancel', { workflowId });
    assert.deepEqual([again.outcome.result?.state, again.outcome.result?.status], ['closed', 'CANCELLED']);
    const progress = await mcp.call<{ state: string }>('recipe_progress', { workflowId });
    assert.equal(progress.outcome.result?.state, 'canceled');
  });

  it('worker_stop and worker_stop_all stop our workers; project_remove forgets the project', async () => {
    const stopped = await mcp.call('worker_stop', { project });
    assert.equal(stopped.isError, false, stopped.text);
    const all = await mcp.call('worker_stop_all', {});
    assert.equal(all.isError, false, all.text);
    const removed = await mcp.call('project_remove', { keyOrDir: project });
    assert.equal(removed.isError, false, removed.text);
    const listed = await mcp.call('project_list', {});
    assert.doesNotMatch(JSON.stringify(listed.outcome.result), new RegExp(`"${project}"`));
  });

  it('every tool was called for real, each call validated by ajv against its schemas', () => {
    assert.deepEqual([...new Set(mcp.called)].sort(), Object.keys(ANNOTATIONS).sort());
  });
});
