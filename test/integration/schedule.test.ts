// The scheduled stall sweep: created once, updated in place, runs DebugStalled, deleted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nanoid } from 'nanoid';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { deleteStallSweep, upsertStallSweep } from '../../src/temporal/stall-sweep.js';
import { InvalidInputError } from '../../src/errors.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../src/cli/output.js';
import { cliIn } from '../helpers/cli-in-process.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

/** Runs the CLI in-process on this harness's settings. */
const cli = (...argv: string[]) => cliIn(h, ...argv);

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

describe('scheduled stall sweep', () => {
  it('is created once, then updated in place, runs DebugStalled, and is deleted', async () => {
    const scheduleId = `sweep-${nanoid(8)}`;
    const taskQueue = uniqueQueue('nobody-polls');
    const base = { scheduleId, opsTaskQueue: h.settings.opsTaskQueue, input: { taskQueue } };
    try {
      assert.deepEqual(await upsertStallSweep(h.client, { ...base, every: '1h' }), {
        scheduleId,
        created: true,
        every: '1h',
      });
      assert.deepEqual(await upsertStallSweep(h.client, { ...base, every: '2h' }), {
        scheduleId,
        created: false,
        every: '2h',
      });
      const handle = h.client.schedule.getHandle(scheduleId);
      const described = await handle.describe();
      assert.equal(described.spec.intervals?.[0]?.every, 2 * 3600 * 1000);
      assert.equal(described.action.type, 'startWorkflow');
      assert.equal(
        described.action.type === 'startWorkflow' && described.action.workflowType,
        'DebugStalled',
      );
      assert.equal(described.policies.catchupWindow, 60_000);

      const report = await h.withControlWorker(async () => {
        await handle.trigger();
        const workflowId = await waitFor(
          'the trigger to start a workflow',
          async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId,
        );
        return (await h.client.workflow.getHandle(workflowId).result()) as DebugStalledReport;
      });
      assert.equal(report.recipe, 'DebugStalled');
      assert.equal(report.mode, 'sweep');
      assert.match(report.query ?? '', new RegExp(taskQueue));
    } finally {
      assert.equal(await deleteStallSweep(h.client, scheduleId), true);
    }
    assert.equal(await deleteStallSweep(h.client, scheduleId), false);
  });

  it('--auto-remedy acts on its own on the project named here, on this host; a bad kind is refused', async () => {
    const scheduleId = `sweep-${nanoid(8)}`;
    const dir = await mkdtemp(join(tmpdir(), 'auto-remedy-'));
    const bad = await cli('schedule', 'stall-sweep', '--id', scheduleId, '--auto-remedy', 'reboot');
    assert.equal(bad.code, ExitCode.usage, bad.err);
    assert.match(bad.err, /--auto-remedy.*reboot.*expected one of start-worker/);
    const stray = await cli('schedule', 'stall-sweep', '--id', scheduleId, '--project-dir', dir);
    assert.equal(stray.code, ExitCode.usage, stray.err);
    assert.match(stray.err, /--project-dir and --worker-command: only with --auto-remedy/);
    const made = await cli(
      ...['schedule', 'stall-sweep', '--id', scheduleId, '--every', '1h', '--project-dir', dir],
      ...['--auto-remedy', 'start-worker', '--auto-remedy', 'unpause', '--auto-remedy', 'start-worker'],
    );
    assert.equal(made.code, ExitCode.ok, made.err);
    try {
      const { action } = await h.client.schedule.getHandle(scheduleId).describe();
      const [input] = (action.type === 'startWorkflow' ? action.args : []) as Record<string, unknown>[];
      assert.deepEqual(
        [input?.act, input?.autoApprove, input?.remedies, input?.projectDir, input?.host],
        [true, true, ['start-worker', 'unpause'], dir, h.settings.host],
      );
    } finally {
      await deleteStallSweep(h.client, scheduleId);
    }
  });

  it('refuses input DebugStalled would refuse, naming the field', async () => {
    await assert.rejects(
      upsertStallSweep(h.client, {
        scheduleId: `sweep-${nanoid(8)}`,
        opsTaskQueue: 'ops',
        every: '5m',
        input: { taskqueue: 'x' },
      }),
      (error: unknown) =>
        error instanceof InvalidInputError && /taskqueue: expected no such field/.test(error.message),
    );
  });
});
