// The Temporal CLI's global flags through the real bin against the test server: --address and -n
// win over the environment, -o json and -o jsonl print the same rows, a missing namespace exits 11.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { ExitCode } from '../../src/cli/output.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');
let h: Harness;
let cwd: string;
const workflowId = `flags-${nanoid(8)}`;

/** The bin with an environment pointing nowhere useful: only the flags can reach the server. */
function cli(args: string[]) {
  return execa(process.execPath, [bin, ...args], {
    cwd,
    env: {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      TEMPORAL_NAMESPACE: 'no-such-namespace-from-env',
      TEMPORAL_CONFIG_FILE: join(cwd, 'absent.toml'),
      TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
    },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
}

before(async () => {
  h = await createHarness();
  cwd = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'global-flags-'));
  await h.client.workflow.start('NoWorkerTarget', { taskQueue: uniqueQueue('nobody'), workflowId });
});

after(async () => {
  await h.client.workflow
    .getHandle(workflowId)
    .terminate('test cleanup')
    .catch(() => undefined);
  await h.cleanup();
});

describe('global flags against the dev server', () => {
  const query = `WorkflowId="${workflowId}"`;

  it('--address and -n win over TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE; -o json prints the rows', async () => {
    const result = await cli([
      'workflows',
      'recent',
      '--query',
      query,
      '--address',
      testTarget().address,
      '-n',
      'default',
      '-o',
      'json',
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as { workflowId: string; status: string }[];
    assert.deepEqual(
      rows.map((r) => [r.workflowId, r.status]),
      [[workflowId, 'RUNNING']],
    );
  });

  it('-o jsonl prints one JSON object per line, flags given before the command', async () => {
    const result = await cli([
      '--address',
      testTarget().address,
      '--namespace',
      'default',
      '-o',
      'jsonl',
      'workflows',
      'recent',
      '--query',
      query,
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    const lines = result.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0]!) as { workflowId: string }).workflowId, workflowId);
  });

  it('--json is -o json; --time-format iso prints ISO times in text', async () => {
    const json = await cli([
      'workflows',
      'analyze',
      '-w',
      workflowId,
      '--address',
      testTarget().address,
      '-n',
      'default',
      '--json',
    ]);
    // Fresh and unpolled: a healthy wait or, once past the policy's threshold, a no-worker stall.
    assert.ok([ExitCode.ok, ExitCode.stallsFound].includes(json.exitCode as 0 | 8), json.stderr);
    assert.equal((JSON.parse(json.stdout) as { workflowId: string }).workflowId, workflowId);
    const text = await cli([
      'workflows',
      'recent',
      '--query',
      query,
      '--address',
      testTarget().address,
      '-n',
      'default',
      '--time-format',
      'iso',
    ]);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.match(text.stdout, /started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
  });

  it('a namespace the server does not have exits 11, for list and single-workflow commands alike', async () => {
    const missing = `missing-${nanoid(6)}`;
    for (const args of [
      ['workflows', 'recent'],
      ['workflows', 'stalled'],
      ['workflows', 'analyze', '-w', workflowId],
      ['workflows', 'result', '-w', workflowId],
    ]) {
      const result = await cli([...args, '--address', testTarget().address, '-n', missing]);
      assert.equal(result.exitCode, ExitCode.namespaceNotFound, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`namespace ${missing} not found`));
    }
  });

  it('the environment alone points at a closed port: exit 3; a missing --profile: exit 2', async () => {
    const closed = await cli(['workflows', 'recent']);
    assert.equal(closed.exitCode, ExitCode.unavailable, closed.stderr);
    const profile = await cli(['workflows', 'recent', '--profile', 'nope']);
    assert.equal(profile.exitCode, ExitCode.usage, profile.stderr);
  });

  it('--command-timeout ends a command that would wait longer: exit 4', async () => {
    const result = await cli([
      'workflows',
      'wait',
      '-w',
      workflowId,
      '--timeout',
      '60',
      '--address',
      testTarget().address,
      '-n',
      'default',
      '--command-timeout',
      '1s',
    ]);
    assert.equal(result.exitCode, ExitCode.timeout, result.stderr);
    assert.match(result.stderr, /--command-timeout/);
  });

  it('serve: a failed activity leaves the terminal to our lines; the SDK line goes to the log file', async () => {
    const stateDir = await mkdtemp(join(cwd, 'serve-'));
    const opsQueue = uniqueQueue('ops-flags');
    let stderr = '';
    const serve = execa(
      process.execPath,
      [bin, 'serve', '--address', testTarget().address, '-n', 'default'],
      {
        cwd,
        env: {
          TEMPORAL_ADDRESS: '127.0.0.1:1',
          TEMPORAL_OPS_STATE_DIR: stateDir,
          TEMPORAL_OPS_TASK_QUEUE: opsQueue,
        },
        reject: false,
        timeout: 120_000,
      },
    );
    serve.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor(
        'the control worker to poll',
        async () => stderr.includes('control worker: polling'),
        60_000,
      );
      // A project directory that does not exist: the prepare step's activity fails.
      const run = await h.client.workflow
        .execute('CleanStart', {
          taskQueue: opsQueue,
          workflowId: `flags-serve-${nanoid(8)}`,
          args: [
            {
              projectDir: join(cwd, 'no-such-project'),
              taskQueue: uniqueQueue('orders'),
              start: { byWorker: true },
            },
          ],
        })
        .then(
          (report) => report as { ok: boolean },
          () => ({ ok: false }),
        );
      assert.equal(run.ok, false);
      const logPath = join(stateDir, 'logs', 'control-worker.log');
      await waitFor(
        'the SDK line in the log file',
        async () => /Activity failed/.test(await readFile(logPath, 'utf8')),
        30_000,
      );
    } finally {
      serve.kill('SIGINT');
      await serve;
    }
    assert.match(stderr, /SDK log .*control-worker\.log/);
    assert.doesNotMatch(stderr, /Activity failed|taskToken|\[WARN\]/);
  });
});
