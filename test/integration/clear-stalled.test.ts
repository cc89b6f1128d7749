// ClearStalledEnvironment on real stalls: it plans, waits for approval, terminates what only
// terminate clears, cancels what cancel reaches, and never touches a healthy wait.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { ClearStalledReport, PendingApproval } from '../../workflows/clear-stalled-environment.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

async function startTargets(taskQueue: string) {
  const ids = { bug: uniqueId('codebug'), storm: uniqueId('storm'), wait: uniqueId('waits') };
  await h.client.workflow.start('CodeBug', { taskQueue, workflowId: ids.bug, args: [{}] });
  await h.client.workflow.start('RetryStorm', { taskQueue, workflowId: ids.storm, args: [{}] });
  await h.client.workflow.start('WaitsForSignal', { taskQueue, workflowId: ids.wait, args: [{}] });
  // The retry storm needs a few attempts before it counts as one.
  await waitUntil(
    'the retry storm to reach attempt 3',
    async () => {
      const d = await h.client.workflow.getHandle(ids.storm).describe();
      const attempt = d.raw.pendingActivities?.[0]?.attempt ?? 0;
      return attempt >= 3 ? attempt : undefined;
    },
    30_000,
  );
  return ids;
}

describe('ClearStalledEnvironment', () => {
  it('waits for approval of an exact plan, then terminates the code bug, cancels the retry storm and leaves the healthy wait', async () => {
    const taskQueue = uniqueQueue('stalls');
    await startFixtureWorker(h, { project: `stalls-${nanoid(6)}`, taskQueue });
    const ids = await startTargets(taskQueue);
    try {
      const report = await h.withControlWorker(async () => {
        const handle = await h.client.workflow.start('ClearStalledEnvironment', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: `clear-${nanoid(8)}`,
          args: [
            { taskQueue, verdicts: ['workflow-code-bug', 'activity-retry-storm'], cancelWaitSeconds: 30 },
          ],
        });
        const pending = await waitUntil(
          'the plan to wait for approval',
          () => handle.query<PendingApproval | null>('pendingApproval').then((p) => p ?? undefined),
          60_000,
        );
        assert.equal(pending.actions, 2);
        assert.match(pending.plan, new RegExp(`\\*\\*terminate\\*\\* \`${ids.bug}\``));
        assert.match(pending.plan, new RegExp(`\\*\\*cancel\\*\\* \`${ids.storm}\``));
        assert.doesNotMatch(pending.plan, new RegExp(ids.wait));
        // The Web UI shows the wait: first in the current details, and as a named timer on the Timeline.
        const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        assert.match(
          metadata.currentDetails ?? '',
          new RegExp(`^\\*\\*Waiting for approval of plan ${pending.planId} \\(2 actions\\)\\*\\*`, 'm'),
        );
        const timerSummary = await waitUntil(
          'the approval timer in the history',
          async () => {
            const history = await handle.fetchHistory();
            const timer = history.events?.find(
              (e) => e.timerStartedEventAttributes && e.userMetadata?.summary,
            );
            const payload = timer?.userMetadata?.summary;
            return payload ? defaultPayloadConverter.fromPayload<string>(payload) : undefined;
          },
          10_000,
        );
        assert.match(timerSummary, new RegExp(`^waiting for approval of plan ${pending.planId}`));
        await assert.rejects(
          handle.executeUpdate('approve', { args: [{ planId: 'wrong', approve: true }] }),
          (error: Error) =>
            /planId: expected "[\w-]+", got "wrong"/.test(
              String((error.cause as Error | undefined)?.message),
            ),
        );
        assert.equal(
          await handle.executeUpdate('approve', {
            args: [{ planId: pending.planId, approve: true, by: 'test' }],
          }),
          `plan ${pending.planId} approved`,
        );
        return (await handle.result()) as ClearStalledReport;
      });
      assert.equal(report.ok, true, report.problem);
      assert.deepEqual(report.approval, { by: 'test', approved: true });
      assert.deepEqual(
        report.cleared.map((r) => [r.workflowId, r.action, r.result, r.status]).sort(),
        [
          [ids.bug, 'terminate', 'terminated', undefined],
          [ids.storm, 'cancel', 'cancelled', 'CANCELLED'],
        ].sort(),
      );
      const status = async (id: string) => (await h.client.workflow.getHandle(id).describe()).status.name;
      assert.equal(await status(ids.bug), 'TERMINATED');
      await waitUntil(
        'the retry storm to be CANCELED',
        async () => ((await status(ids.storm)) === 'CANCELLED' ? true : undefined),
        20_000,
      );
      assert.equal(await status(ids.wait), 'RUNNING', 'the healthy wait is untouched');
    } finally {
      await terminateAll(h.client, Object.values(ids));
    }
  });

  it('touches nothing when the plan is rejected', async () => {
    const taskQueue = uniqueQueue('stalls');
    await startFixtureWorker(h, { project: `stalls-${nanoid(6)}`, taskQueue });
    const ids = await startTargets(taskQueue);
    try {
      const report = await h.withControlWorker(async () => {
        const handle = await h.client.workflow.start('ClearStalledEnvironment', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: `clear-${nanoid(8)}`,
          args: [{ taskQueue, verdicts: ['activity-retry-storm'] }],
        });
        const pending = await waitUntil(
          'the plan',
          () => handle.query<PendingApproval | null>('pendingApproval').then((p) => p ?? undefined),
          60_000,
        );
        await handle.executeUpdate('approve', {
          args: [{ planId: pending.planId, approve: false, by: 'test' }],
        });
        return (await handle.result()) as ClearStalledReport;
      });
      assert.equal(report.ok, false);
      assert.match(report.problem ?? '', /plan rejected by test; nothing was touched/);
      assert.deepEqual(report.cleared, []);
      assert.equal((await h.client.workflow.getHandle(ids.storm).describe()).status.name, 'RUNNING');
    } finally {
      await terminateAll(h.client, Object.values(ids));
    }
  });
});
