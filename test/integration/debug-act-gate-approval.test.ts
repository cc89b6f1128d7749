// DebugStalled act whose replay gate cannot run and asks a person: the gate's question must be
// answerable through the recipe's one `approve` update and `pendingApproval` query (a second set of
// handlers installed by the recipe once replaced them, so the gate waited for an answer nobody
// could give). The worker command is a wrapper that pins PYTHONPATH, so the hook cannot load.
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PendingApproval } from '../../workflows/clear-stalled-environment.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { venvPython } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  actInput,
  copyFixtures,
  fixWaitShown,
  startCopyWorker,
  startDebug,
  type FixtureCopy,
} from './debug-act-fixture.js';
import { terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
let copy: FixtureCopy;
const queue = uniqueQueue('act-gate');
const bug = uniqueId('codebug-gate');
const pinned = './pinned-worker';

before(async () => {
  h = await createHarness();
  copy = await copyFixtures('act-gate');
  await writeFile(
    join(copy.dir, 'pinned-worker'),
    `#!/bin/sh\n# Runs the worker with its own module path: whatever PYTHONPATH the caller had is dropped.\ncd "$(dirname "$0")"\nPYTHONPATH="$PWD"\nexport PYTHONPATH\nexec ${venvPython} worker.py\n`,
  );
  await chmod(join(copy.dir, 'pinned-worker'), 0o755);
  await startCopyWorker(h, copy, queue, '1', pinned);
  await h.client.workflow.start('CodeBug', { taskQueue: queue, workflowId: bug, args: [{}] });
});

after(async () => {
  await terminateAll(h.client, [bug]);
  await h.cleanup();
});

describe('DebugStalled act: the replay gate asks', () => {
  it("answers the gate's question through `approve`, then restarts and verifies the fix", async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(
        h,
        actInput(copy, {
          taskQueue: queue,
          workerCommand: pinned,
          autoApprove: true,
          waitForFixSeconds: 300,
          verifySeconds: 120,
          replayGate: { onUnknown: 'ask' },
        }),
      );
      await fixWaitShown(handle, copy);
      await copy.edit(
        'workflows.py',
        'raise RuntimeError("boom in workflow code")',
        'return {"status": "fixed"}',
      );
      const pending = await waitUntil(
        "the replay gate's question",
        async () => {
          const p = (await handle.query('pendingApproval')) as PendingApproval | null;
          return p?.kind === 'replay-gate' ? p : undefined;
        },
        120_000,
      );
      assert.deepEqual(pending.choices, ['keep-old-worker', 'restart-anyway']);
      assert.match(pending.plan, /could not run/);
      await handle.executeUpdate('approve', {
        args: [{ planId: pending.planId, approve: true, choice: 'restart-anyway', by: 'test' }],
      });
      return (await handle.result()) as DebugStalledReport;
    });
    assert.deepEqual(
      [report.replayGate?.verdict, report.replayGate?.choice, report.replayGate?.chosenBy],
      ['unknown', 'restart-anyway', 'test'],
    );
    const action = report.actions?.find((a) => a.workflowId === bug);
    assert.deepEqual([action?.applied, action?.verified], [true, true], action?.detail);
    assert.equal(report.ok, true, report.problem);
    assert.deepEqual(await h.client.workflow.getHandle(bug).result(), { status: 'fixed' });
  });
});
