// Approval is one rule at every door: `run clear-stalled --no-follow` prints the plan and its ID and
// exits while the recipe waits; `approve` needs that plan ID unless a person confirms at a terminal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClearStalledReport, PendingApproval } from '../../workflows/clear-stalled-environment.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { CliContext } from '../../src/cli/context.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  captureOut,
  cliContext,
  startFixtureWorker,
  terminateAll,
  uniqueId,
  waitUntil,
} from './diagnosis-fixture.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

async function cli(argv: string[], context: CliContext = cliContext(h)) {
  const out = captureOut();
  const code = await runCli(argv, { context, sink: out });
  return { code, stdout: out.out, stderr: out.err };
}

describe('approval through the CLI', () => {
  it('run --no-follow prints the plan and its ID; approve refuses without the ID (no TTY), a wrong ID or a "no", and approves with it', async () => {
    const taskQueue = uniqueQueue('approve');
    await startFixtureWorker(h, { project: uniqueId('approve'), taskQueue });
    const bug = uniqueId('codebug');
    await h.client.workflow.start('CodeBug', { taskQueue, workflowId: bug, args: [{}] });
    try {
      await waitUntil(
        'the code bug to fail its workflow task twice',
        async () => {
          const d = await h.client.workflow.getHandle(bug).describe();
          return (d.raw.pendingWorkflowTask?.attempt ?? 0) >= 2 ? true : undefined;
        },
        30_000,
      );
      await h.withControlWorker(async () => {
        const started = await cli([
          'run',
          'clear-stalled',
          '--task-queue',
          taskQueue,
          '--no-follow',
          '--json',
        ]);
        assert.equal(started.code, 0, started.stderr);
        const waiting = JSON.parse(started.stdout) as {
          workflowId: string;
          state: string;
          pendingApproval: PendingApproval;
        };
        assert.equal(waiting.state, 'waiting-for-approval');
        const { workflowId, pendingApproval } = waiting;
        const planId = pendingApproval.planId;
        assert.match(pendingApproval.plan, new RegExp(`terminate\\*\\* \`${bug}\``));

        const text = await cli(['approve', workflowId]);
        assert.equal(text.code, 2, text.stderr);
        assert.match(text.stderr, new RegExp(`plan ${planId} \\(1 actions\\)`));
        assert.match(text.stderr, new RegExp(`--plan-id ${planId}`));

        const wrong = await cli(['approve', workflowId, '--plan-id', 'deadbeef']);
        assert.equal(wrong.code, 2, wrong.stderr);
        assert.match(wrong.stderr, new RegExp(`expected the plan pending now, ${planId}, got "deadbeef"`));

        const questions: string[] = [];
        const declined = await cli(['approve', workflowId], {
          ...cliContext(h),
          prompt: async (question) => {
            questions.push(question);
            return 'n';
          },
        });
        assert.equal(declined.code, 1, declined.stderr);
        assert.deepEqual(questions, [`approve plan ${planId}? [y/N] `]);
        assert.equal((await h.client.workflow.getHandle(bug).describe()).status.name, 'RUNNING');

        const approved = await cli(['approve', workflowId, '--plan-id', planId, '--json']);
        assert.equal(approved.code, 0, approved.stderr);
        assert.equal((JSON.parse(approved.stdout) as { planId: string }).planId, planId);
        const report = (await h.client.workflow.getHandle(workflowId).result()) as ClearStalledReport;
        assert.deepEqual(
          report.cleared.map((c) => [c.workflowId, c.action, c.result]),
          [[bug, 'terminate', 'terminated']],
        );
      });
    } finally {
      await terminateAll(h.client, [bug]);
    }
  });

  it('run --no-follow prints the report when there is nothing to approve', async () => {
    const taskQueue = uniqueQueue('approve-none');
    await h.withControlWorker(async () => {
      const run = await cli(['run', 'clear-stalled', '--task-queue', taskQueue, '--no-follow', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as ClearStalledReport;
      assert.equal(report.recipe, 'ClearStalledEnvironment');
      assert.deepEqual(report.cleared, []);
    });
  });
});
