// DebugStalled act on an activity a person paused with `temporal activity pause`: autoApprove leaves
// it alone (someone paused it on purpose); a person's approval unpauses it, and the activity then
// completes and the workflow finishes. Unpausing again is harmless.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { execa } from 'execa';
import { createRemedyActivities } from '../../activities/remedy-activities.js';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { venvBin } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  actInput,
  copyFixtures,
  startCopyWorker,
  startDebug,
  type FixtureCopy,
} from './debug-act-fixture.js';
import { terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

const { PendingActivityState } = proto.temporal.api.enums.v1;
let h: Harness;
let copy: FixtureCopy;
const queue = uniqueQueue('act-unpause');
const paused = uniqueId('paused');
const PAUSED_BY = 'oncall-ben';
const PAUSE_REASON = 'payment provider outage';

async function pendingActivity() {
  const described = await h.client.workflowService.describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId: paused, runId: '' },
  });
  return described.pendingActivities?.[0];
}

before(async () => {
  h = await createHarness();
  copy = await copyFixtures('act-unpause');
  await startCopyWorker(h, copy, queue);
  await h.client.workflow.start('RetriesUntilReleased', {
    taskQueue: queue,
    workflowId: paused,
    args: [{ releaseFile: join(copy.dir, 'released') }],
  });
  const activityId = await waitUntil(
    'the failing activity to be retried',
    async () => {
      const a = await pendingActivity();
      return a && (a.attempt ?? 0) >= 2 ? a.activityId! : undefined;
    },
    30_000,
    200,
  );
  await execa(join(venvBin, 'temporal'), [
    'activity',
    'pause',
    '--address',
    testTarget().address,
    '--namespace',
    'default',
    '--workflow-id',
    paused,
    '--activity-id',
    activityId,
    '--identity',
    PAUSED_BY,
    '--reason',
    PAUSE_REASON,
  ]);
  // A pause requested during an attempt takes effect when the attempt ends: wait for PAUSED itself.
  await waitUntil(
    'the activity to be paused',
    async () =>
      (await pendingActivity())?.state === PendingActivityState.PENDING_ACTIVITY_STATE_PAUSED
        ? true
        : undefined,
    30_000,
    200,
  );
  // Whatever was wrong downstream is fixed: the next attempt succeeds, once someone unpauses it.
  await writeFile(join(copy.dir, 'released'), 'ok');
});

after(async () => {
  await terminateAll(h.client, [paused]);
  await h.cleanup();
});

describe('DebugStalled act: a paused activity', () => {
  it('leaves a paused activity alone under autoApprove', async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(h, actInput(copy, { workflowId: paused, autoApprove: true }));
      return (await handle.result()) as DebugStalledReport;
    });
    const action = report.actions?.find((a) => a.workflowId === paused);
    assert.equal(report.findings[0]?.verdict, 'activity-paused', report.findings[0]?.evidence.summary);
    assert.deepEqual([action?.remedy, action?.applied], ['manual', false], action?.detail);
    assert.match(
      action?.detail ?? '',
      new RegExp(`paused by ${PAUSED_BY}.*autoApprove does not undo a pause`),
    );
    assert.equal(report.ok, false);
    assert.ok((await pendingActivity())?.pauseInfo, 'the activity is still paused');
  });

  it('unpauses it with approval: the activity completes and the workflow finishes', async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(h, actInput(copy, { workflowId: paused, verifySeconds: 60 }));
      const pending = await waitUntil(
        'the remedy plan to wait for approval',
        async () => {
          const p = (await handle.query('pendingApproval')) as PendingApproval | null;
          return p?.kind === 'remedies' ? p : undefined;
        },
        90_000,
      );
      assert.match(pending.plan, /\*\*unpause\*\*/);
      assert.match(pending.plan, new RegExp(`paused by ${PAUSED_BY} \\(reason: "${PAUSE_REASON}"\\)`));
      await handle.executeUpdate('approve', {
        args: [{ planId: pending.planId, approve: true, by: 'oncall-cho' }],
      });
      return (await handle.result()) as DebugStalledReport;
    });
    const action = report.actions?.find((a) => a.workflowId === paused);
    assert.deepEqual(
      [action?.remedy, action?.applied, action?.verified],
      ['unpause', true, true],
      action?.detail,
    );
    assert.match(action?.detail ?? '', /completed after the unpause|closed COMPLETED/);
    assert.equal(report.ok, true, report.problem);
    assert.deepEqual(await h.client.workflow.getHandle(paused).result(), {
      status: 'ok',
      result: 'released',
    });
    assert.deepEqual(
      report.steps
        .filter((s) => s.name === 'unpause' || s.name === 'ensure-worker')
        .map((s) => [s.name, s.outcome]),
      [
        ['unpause', 'ok'],
        ['ensure-worker', 'skipped'],
      ],
    );
  });

  it('unpausing again finds nothing left to do', async () => {
    const { unpauseActivity } = createRemedyActivities({ client: h.client });
    const run = await h.client.workflow.getHandle(paused).describe();
    const again = await unpauseActivity({
      workflowId: paused,
      runId: run.runId,
      activityId: '1',
      identity: 'test',
    });
    assert.deepEqual(again, { unpaused: false, state: 'not-pending' });
  });
});
