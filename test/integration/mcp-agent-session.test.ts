// An agent session end to end over MCP, on a copied project with a planted code bug: find the stall,
// read the remedy plan, approve it by its ID, edit the file, and see the remedy verified.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../src/contract/verdicts.js';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { StepReport } from '../../workflows/lib/checklist.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { ACT_POLICY, FIXTURE_WORKER, copyFixtures, type FixtureCopy } from './debug-act-fixture.js';
import { terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';
import { openMcpSession, type McpSession } from './mcp-session.js';

let h: Harness;
let mcp: McpSession;
let copy: FixtureCopy;
let stopControlWorker: () => void = () => undefined;
let controlWorker: Promise<void>;
const taskQueue = uniqueQueue('mcp-agent');
const bugId = uniqueId('codebug');

before(async () => {
  h = await createHarness();
  copy = await copyFixtures('mcp-agent');
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
  await terminateAll(h.client, [bugId]);
  await h.cleanup();
});

/** The calls in order, a run of the same tool (a poll) counted once. */
const sequence = (called: string[]) => called.filter((name, i) => name !== called[i - 1]);

describe('an agent fixes a planted code bug through MCP', () => {
  it('finds the stall, reads the plan, approves it by its ID, edits the file, and sees the remedy verified', async () => {
    const worker = { projectDir: copy.dir, project: copy.project, taskQueue, workerCommand: FIXTURE_WORKER };
    assert.equal((await mcp.call('project_add', worker)).isError, false);
    const ensured = await mcp.call<{ worker: { pid: number } }>('worker_ensure', worker);
    assert.equal(ensured.isError, false, ensured.text);
    // The user's starter runs the workflow with the bug.
    await h.client.workflow.start('CodeBug', { taskQueue, workflowId: bugId, args: [{}] });

    // 1. Find the stall.
    const finding = await waitUntil(
      'workflows_stalled to report the code bug',
      async () => {
        const { outcome } = await mcp.call<Finding[]>('workflows_stalled', { taskQueue });
        const found = outcome.result?.find((f) => f.workflowId === bugId);
        return found?.verdict === 'workflow-code-bug' ? found : undefined;
      },
      60_000,
      1000,
    );
    assert.match(JSON.stringify(finding.evidence), /boom in workflow code/);

    // 2. Read the plan: the recipe follows to its pending approval.
    const started = await mcp.call<{ state: string; workflowId: string; pendingApproval: PendingApproval }>(
      'recipe_start',
      {
        recipe: 'DebugStalled',
        input: {
          act: true,
          workflowId: bugId,
          ...worker,
          graceSeconds: 3,
          policy: ACT_POLICY,
          waitForFixSeconds: 300,
          verifySeconds: 120,
        },
      },
      { timeout: 15_000, resetTimeoutOnProgress: true, maxTotalTimeout: 300_000 },
    );
    assert.equal(started.outcome.result?.state, 'waiting-for-approval', started.text);
    const { workflowId, pendingApproval } = started.outcome.result!;
    assert.match(pendingApproval.plan, new RegExp(`\`${bugId}\` .*\\*\\*restart-worker\\*\\*`));

    // 3. Approve it with its ID.
    const approved = await mcp.call<{ planId: string; approved: boolean }>('approve', {
      workflowId,
      planId: pendingApproval.planId,
      by: 'agent',
    });
    assert.equal(approved.isError, false, approved.text);

    // 4. Edit the file once the recipe waits for the fix.
    await waitUntil(
      'the recipe to wait for the code fix',
      async () => {
        const { outcome } = await mcp.call<{ steps?: StepReport[] }>('recipe_progress', { workflowId });
        return outcome.result?.steps?.find((s) => s.name === 'wait-fix')?.outcome === 'running' || undefined;
      },
      90_000,
      500,
    );
    await copy.edit(
      'workflows.py',
      'raise RuntimeError("boom in workflow code")',
      'return {"status": "fixed"}',
    );

    // 5. See the remedy verified.
    const done = await mcp.call<{ state: string; report: DebugStalledReport }>(
      'recipe_progress',
      { workflowId, follow: true },
      { timeout: 15_000, resetTimeoutOnProgress: true, maxTotalTimeout: 300_000 },
    );
    assert.equal(done.outcome.result?.state, 'closed', done.text);
    const report = done.outcome.result!.report;
    assert.equal(report.ok, true, report.problem);
    assert.deepEqual(
      report.actions?.map((a) => [a.workflowId, a.remedy, a.applied, a.verified]),
      [[bugId, 'restart-worker', true, true]],
    );
    assert.deepEqual(await h.client.workflow.getHandle(bugId).result(), { status: 'fixed' });
    assert.deepEqual(sequence(mcp.called), [
      'project_add',
      'worker_ensure',
      'workflows_stalled',
      'recipe_start',
      'approve',
      'recipe_progress',
    ]);
  });
});
