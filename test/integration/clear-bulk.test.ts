// ClearStalledEnvironment in bulk mode (the runbook's bulk-cancel-workflows.sh): every running
// workflow that a pattern or query selects, whatever its verdict, after the same plan and approval;
// ops workflows that match are left alone, and the selection is bounded by maxWorkflows.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import type { ClearStalledReport, PendingApproval } from '../../workflows/clear-stalled-environment.js';
import { OpsRecipe } from '../../src/contract/search-attributes.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, terminateAll, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

const status = async (id: string) => (await h.client.workflow.getHandle(id).describe()).status.name;

/** Waits until visibility lists `count` running workflows whose ID starts with `prefix`. */
async function visible(prefix: string, count: number): Promise<void> {
  await waitUntil(
    `${count} running workflows starting with ${prefix} in visibility`,
    async () => {
      const { count: seen } = await h.client.workflow.count(
        `ExecutionStatus = "Running" AND WorkflowId STARTS_WITH ${JSON.stringify(prefix)}`,
      );
      return seen === count ? true : undefined;
    },
    20_000,
    200,
  );
}

/** Runs ClearStalledEnvironment with `input`; approves its plan through the update unless autoApprove. */
async function clear(
  input: Record<string, unknown>,
  onPlan?: (pending: PendingApproval) => Promise<void> | void,
): Promise<ClearStalledReport> {
  return h.withControlWorker(async () => {
    const handle = await h.client.workflow.start('ClearStalledEnvironment', {
      taskQueue: h.settings.opsTaskQueue,
      workflowId: `bulk-clear-${nanoid(8)}`,
      args: [input],
    });
    if (onPlan) {
      const pending = await waitUntil(
        'the plan to wait for approval',
        () => handle.query<PendingApproval | null>('pendingApproval').then((p) => p ?? undefined),
        60_000,
      );
      await onPlan(pending);
      await handle.executeUpdate('approve', {
        args: [{ planId: pending.planId, approve: true, by: 'test' }],
      });
    }
    return (await handle.result()) as ClearStalledReport;
  });
}

describe('ClearStalledEnvironment in bulk mode', () => {
  it('cancels every workflow the pattern matches, whatever its verdict, after approval, and leaves matching ops workflows alone', async () => {
    const taskQueue = uniqueQueue('bulk');
    await startFixtureWorker(h, { project: `bulk-${nanoid(6)}`, taskQueue });
    const prefix = `order-${nanoid(6)}-`;
    const ids = {
      wait1: `${prefix}wait-1`,
      wait2: `${prefix}wait-2`,
      bug: `${prefix}bug`,
      other: `refund-${nanoid(6)}`,
      opsByType: `${prefix}ops-type`,
      opsByAttribute: `${prefix}ops-attribute`,
    };
    const idle = uniqueQueue('nobody-polls');
    await Promise.all([
      h.client.workflow.start('WaitsForSignal', { taskQueue, workflowId: ids.wait1, args: [{}] }),
      h.client.workflow.start('WaitsForSignal', { taskQueue, workflowId: ids.wait2, args: [{}] }),
      h.client.workflow.start('CodeBug', { taskQueue, workflowId: ids.bug, args: [{}] }),
      h.client.workflow.start('WaitsForSignal', { taskQueue, workflowId: ids.other, args: [{}] }),
      // Ours by type, and ours by the OpsRecipe search attribute alone: both match the pattern.
      h.client.workflow.start('CleanStart', { taskQueue: idle, workflowId: ids.opsByType, args: [{}] }),
      h.client.workflow.start('Tagged', {
        taskQueue: idle,
        workflowId: ids.opsByAttribute,
        args: [{}],
        typedSearchAttributes: [{ key: OpsRecipe, value: 'Tagged' }],
      }),
    ]);
    try {
      await visible(prefix, 5);
      let plan = '';
      const report = await clear(
        { pattern: `${prefix}*`, action: 'cancel', cancelWaitSeconds: 3 },
        (pending) => {
          assert.equal(pending.actions, 3);
          plan = pending.plan;
        },
      );
      for (const id of [ids.wait1, ids.wait2, ids.bug])
        assert.match(plan, new RegExp(`\\*\\*cancel\\*\\* \`${id}\``));
      for (const id of [ids.other, ids.opsByType, ids.opsByAttribute])
        assert.doesNotMatch(plan, new RegExp(id));

      assert.equal(report.ok, true, report.problem);
      assert.deepEqual(report.approval, { by: 'test', approved: true });
      assert.equal(report.selection?.matched, 3);
      assert.deepEqual(report.plan.skipped, [{ workflowId: ids.opsByAttribute, why: 'an ops workflow' }]);
      // Cancel never reaches code whose tasks keep failing (the runbook's mistake): said so, not hidden.
      assert.deepEqual(
        report.cleared.map((r) => [r.workflowId, r.action, r.result, r.status]).sort(),
        [
          [ids.bug, 'cancel', 'cancel-requested', 'RUNNING'],
          [ids.wait1, 'cancel', 'cancelled', 'CANCELLED'],
          [ids.wait2, 'cancel', 'cancelled', 'CANCELLED'],
        ].sort(),
      );
      for (const id of [ids.wait1, ids.wait2]) assert.equal(await status(id), 'CANCELLED');
      assert.equal(await status(ids.bug), 'RUNNING');
      for (const id of [ids.other, ids.opsByType, ids.opsByAttribute])
        assert.equal(await status(id), 'RUNNING', `${id} is untouched`);
    } finally {
      await terminateAll(h.client, Object.values(ids));
    }
  });

  it('terminates what a query selects; a run closed while the plan waited reads already closed', async () => {
    const taskQueue = uniqueQueue('bulk');
    await startFixtureWorker(h, { project: `bulk-${nanoid(6)}`, taskQueue });
    const prefix = `job-${nanoid(6)}-`;
    const ids = { bug1: `${prefix}bug-1`, bug2: `${prefix}bug-2`, wait: `${prefix}wait` };
    await Promise.all([
      h.client.workflow.start('CodeBug', { taskQueue, workflowId: ids.bug1, args: [{}] }),
      h.client.workflow.start('CodeBug', { taskQueue, workflowId: ids.bug2, args: [{}] }),
      h.client.workflow.start('WaitsForSignal', { taskQueue, workflowId: ids.wait, args: [{}] }),
    ]);
    try {
      await visible(prefix, 3);
      const report = await clear(
        {
          query: `WorkflowType = 'CodeBug' AND WorkflowId STARTS_WITH '${prefix}'`,
          taskQueue,
          action: 'terminate',
          reason: 'bulk test',
        },
        async (pending) => {
          assert.equal(pending.actions, 2);
          await h.client.workflow.getHandle(ids.bug2).terminate('closed by someone else meanwhile');
        },
      );
      assert.equal(report.ok, true, report.problem);
      assert.deepEqual(
        report.cleared.map((r) => [r.workflowId, r.action, r.result]).sort(),
        [
          [ids.bug1, 'terminate', 'terminated'],
          [ids.bug2, 'terminate', 'already-closed'],
        ].sort(),
      );
      const history = await h.client.workflow.getHandle(ids.bug1).fetchHistory();
      const terminated = history.events?.find((e) => e.workflowExecutionTerminatedEventAttributes);
      assert.equal(terminated?.workflowExecutionTerminatedEventAttributes?.reason, 'bulk test');
      assert.equal(await status(ids.bug1), 'TERMINATED');
      assert.equal(await status(ids.bug2), 'TERMINATED');
      assert.equal(await status(ids.wait), 'RUNNING', 'another type is untouched');
    } finally {
      await terminateAll(h.client, Object.values(ids));
    }
  });

  it('refuses a selection above maxWorkflows and touches nothing; within the bound autoApprove clears it', async () => {
    const idle = uniqueQueue('nobody-polls');
    const prefix = `many-${nanoid(6)}-`;
    const ids = [1, 2, 3].map((n) => `${prefix}${n}`);
    await Promise.all(
      ids.map((workflowId) => h.client.workflow.start('Anything', { taskQueue: idle, workflowId, args: [] })),
    );
    try {
      await visible(prefix, 3);
      const report = await clear({
        pattern: prefix,
        action: 'terminate',
        autoApprove: true,
        maxWorkflows: 2,
      });
      assert.equal(report.ok, false);
      assert.equal(
        report.problem,
        `3 running workflows match pattern "${prefix}", more than maxWorkflows 2; nothing was touched: narrow the selection or raise maxWorkflows`,
      );
      assert.deepEqual(report.cleared, []);
      for (const id of ids) assert.equal(await status(id), 'RUNNING');

      const within = await clear({
        pattern: prefix,
        action: 'terminate',
        autoApprove: true,
        maxWorkflows: 3,
      });
      assert.equal(within.ok, true, within.problem);
      assert.deepEqual(within.approval, { by: 'autoApprove', approved: true });
      assert.deepEqual(
        within.cleared.map((r) => r.result),
        ['terminated', 'terminated', 'terminated'],
      );
      for (const id of ids) assert.equal(await status(id), 'TERMINATED');
    } finally {
      await terminateAll(h.client, ids);
    }
  });

  it('runs from the CLI: --pattern --action --max, exit 1 above the bound and 0 when cleared, 2 without a selection', async () => {
    const cli = (args: string[]) =>
      execa(
        process.execPath,
        [join(packageRoot, 'bin', 'temporal-ops.mjs'), 'run', 'clear-stalled', ...args],
        {
          env: {
            TEMPORAL_ADDRESS: testTarget().address,
            TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
            TEMPORAL_OPS_TASK_QUEUE: h.settings.opsTaskQueue,
          },
          reject: false,
          timeout: 120_000,
        },
      );
    const noSelection = await cli(['--action', 'cancel']);
    assert.equal(noSelection.exitCode, 2, noSelection.stderr);
    assert.match(noSelection.stderr, /action: expected an action together with query, pattern or taskQueue/);

    const idle = uniqueQueue('nobody-polls');
    const prefix = `cli-${nanoid(6)}-`;
    const ids = [`${prefix}a`, `${prefix}b`];
    await Promise.all(
      ids.map((workflowId) => h.client.workflow.start('Anything', { taskQueue: idle, workflowId, args: [] })),
    );
    try {
      await visible(prefix, 2);
      const args = ['--pattern', `${prefix}*`, '--action', 'terminate', '--auto-approve', '--no-follow'];
      await h.withControlWorker(async () => {
        const refused = await cli([...args, '--max', '1']);
        assert.equal(refused.exitCode, 1, refused.stderr);
        assert.match(
          refused.stdout,
          /problem: 2 running workflows match pattern "cli-.*", more than maxWorkflows 1/,
        );
        const cleared = await cli([...args, '--max', '2']);
        assert.equal(cleared.exitCode, 0, cleared.stderr);
        for (const id of ids) assert.match(cleared.stdout, new RegExp(`terminate ${id}: terminated`));
      });
      for (const id of ids) assert.equal(await status(id), 'TERMINATED');
    } finally {
      await terminateAll(h.client, ids);
    }
  });
});
