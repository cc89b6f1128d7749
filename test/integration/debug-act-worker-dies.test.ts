// DebugStalled act whose fresh worker dies after it polled (as a samples-style program does when it
// cannot start its own run again): verify stops waiting once that worker's process is proven gone,
// and the action says so, instead of watching a dead worker's lingering poller until verifySeconds.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { venvPython } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  actInput,
  copyFixtures,
  fixWaitShown,
  startCopyWorker,
  startDebug,
  workflowTaskFailed,
  type FixtureCopy,
} from './debug-act-fixture.js';
import { terminateAll, uniqueId } from './diagnosis-fixture.js';

let h: Harness;
let copy: FixtureCopy;
const queue = uniqueQueue('act-dies');
const bug = uniqueId('codebug-dies');
// The fixture worker, ended by a crash four seconds after it started (it polls within about one).
const dying = `${venvPython} crashing_worker.py`;
const crashingWorker = [
  '"""The worker, until something else in the process crashes it (exit 3) four seconds in."""',
  'import os, runpy, threading',
  '',
  'threading.Timer(4, os._exit, [3]).start()',
  'runpy.run_path("worker.py", run_name="__main__")',
  '',
].join('\n');

before(async () => {
  h = await createHarness();
  copy = await copyFixtures('act-dies');
  await writeFile(join(copy.dir, 'crashing_worker.py'), crashingWorker);
  await startCopyWorker(h, copy, queue);
  await h.client.workflow.start('CodeBug', { taskQueue: queue, workflowId: bug, args: [{}] });
  await workflowTaskFailed(h, bug);
});

after(async () => {
  await terminateAll(h.client, [bug]);
  await h.cleanup();
});

describe('DebugStalled act: the fresh worker dies', () => {
  it('ends verify when the worker it started is gone, naming it', async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(
        h,
        actInput(copy, {
          taskQueue: queue,
          workerCommand: dying,
          autoApprove: true,
          waitForFixSeconds: 600,
          verifySeconds: 600,
          replayGate: { onUnknown: 'restart-anyway' },
        }),
      );
      await fixWaitShown(handle, copy);
      // "Fixed" without a change: the restarted worker fails the same task, then dies.
      await handle.executeUpdate('codeFixed', { args: ['test'] });
      return (await handle.result()) as DebugStalledReport;
    });
    const action = report.actions?.find((a) => a.workflowId === bug);
    assert.deepEqual([action?.applied, action?.verified], [true, false]);
    const identity = report.worker?.pollerIdentity ?? '';
    assert.match(identity, /^\d+@/);
    assert.ok(
      action?.detail.includes(
        `the worker this recipe started (${identity}) is gone: pid ${identity.split('@')[0]} is not running on`,
      ),
      action?.detail,
    );
    assert.equal(report.ok, false);
  });
});
