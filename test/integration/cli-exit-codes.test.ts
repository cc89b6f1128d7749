// The exit code table of docs/REFERENCE.md, pinned: the real bin, run against the test server, per command.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { exampleProjectDir, venvPython } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');
let h: Harness;
let cwd: string;
const id = (prefix: string) => `${prefix}-${nanoid(8)}`;
const running = id('exit-running');
const terminated = id('exit-terminated');
const missing = id('exit-missing');

function cli(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [bin, ...args], {
    cwd,
    env: {
      TEMPORAL_ADDRESS: testTarget().address,
      TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
      TEMPORAL_OPS_TASK_QUEUE: h.settings.opsTaskQueue,
      ...env,
    },
    reject: false,
    timeout: 120_000,
  });
}

before(async () => {
  h = await createHarness();
  cwd = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'exit-codes-'));
  // Nobody polls this queue: the first stays RUNNING (a no-worker stall), the second is terminated.
  const queue = uniqueQueue('nobody');
  for (const workflowId of [running, terminated])
    await h.client.workflow.start('NoWorkerTarget', { taskQueue: queue, workflowId });
  await h.client.workflow.getHandle(terminated).terminate('exit code table');
});

after(async () => {
  await h.client.workflow
    .getHandle(running)
    .terminate('test cleanup')
    .catch(() => undefined);
  await h.cleanup();
});

type Row = [args: () => string[], code: number, stderr?: RegExp];

/** Every command with the exit codes it can reach without a control worker. */
const table: Row[] = [
  [() => ['--help'], 0],
  [() => ['workflows', 'wait', '--help'], 0],
  [() => ['launch'], 2, /unknown command 'launch'/],
  [() => ['serve', '--json'], 2, /unknown option '--json'/],
  [
    () => ['up', '--project-dir', 'nonexist'],
    2,
    /--project-dir: expected an existing directory, got "nonexist"/,
  ],
  [() => ['up', '--input', '{bad'], 2, /'--input <json>' argument '\{bad' is invalid/],
  [() => ['approve', missing], 7, /not found/],
  [
    () => [
      'run',
      'clean-start',
      '--project-dir',
      'relative/nonexist',
      '--task-queue',
      'q',
      '--workflow-type',
      'X',
    ],
    2,
    /--project-dir: expected an existing directory/,
  ],
  [() => ['run', 'clean-start', '--project-dir', '/srv/shop'], 2, /taskQueue: expected a task queue name/],
  [() => ['run', 'test-interactive', '--input', '[]'], 2, /expected a JSON object/],
  [() => ['run', 'clear-stalled', '--mode', 'nuke'], 2, /Allowed choices are auto, terminate, cancel/],
  [() => ['schedule', 'stall-sweep', '--every', '0s'], 2, /'--every <duration>' argument '0s' is invalid/],
  [() => ['schedule', 'stall-sweep', '--input', '{"workflowId":"x"}'], 2, /input\.workflowId/],
  [() => ['schedule', 'stall-sweep', '--delete', '--id', missing], 7],
  [() => ['workflows', 'stalled', '--query', 'nope nope'], 2, /--query: the server rejects/],
  [() => ['workflows', 'stalled', '--query', `WorkflowId="${missing}"`], 0],
  [
    () => ['workflows', 'stalled', '--query', `WorkflowId="${running}"`, '--policy', '{"noWorkerAfterMs":0}'],
    8,
  ],
  [
    () => ['workflows', 'stalled', '--policy', '{"noWorkerAfterMs":-5}'],
    2,
    /--policy: policy\.noWorkerAfterMs/,
  ],
  [() => ['workflows', 'analyze', '-w', missing], 7, /not found/],
  [() => ['workflows', 'analyze', '-w', running, '--policy', '{"noWorkerAfterMs":0}'], 8],
  [() => ['workflows', 'analyze', '-w', terminated], 0],
  [() => ['workflows', 'result', '-w', missing], 7, /not found/],
  [() => ['workflows', 'result', '-w', running], 9],
  [() => ['workflows', 'result', '-w', terminated], 6],
  [() => ['workflows', 'wait', '-w', missing, '--timeout', '5'], 7],
  [() => ['workflows', 'wait', '-w', running, '--timeout', '1'], 4],
  [() => ['workflows', 'wait', '-w', running, '--status', 'RUNNING'], 0],
  [() => ['workflows', 'wait', '-w', terminated], 6],
  [() => ['workflows', 'wait', '-w', running, '--status', 'DONE'], 2, /--status: expected one or more of/],
  [() => ['workflows', 'recent', '--query', 'nope nope'], 2, /--query: the server rejects/],
  [() => ['workflows', 'recent', '--query', `WorkflowId="${terminated}"`], 0],
  [() => ['worker', 'list'], 0],
  [() => ['worker', 'health'], 1],
  [() => ['worker', 'stop'], 0],
  [() => ['worker', 'stop-all'], 0],
  [() => ['worker', 'logs', '--project', 'nothing'], 2, /no worker log for project "nothing"/],
  [() => ['worker', 'restart', '--project', 'nothing'], 2, /no worker of project "nothing" is recorded/],
  [
    () => ['worker', 'ensure', '--task-queue', 'q', '--worker-command', '/no/such/binary'],
    2,
    /--worker-command/,
  ],
  [() => ['worker', 'ensure', '--task-queue', 'q', '--host', 'elsewhere'], 2, /absolute path on that host/],
  [() => ['incidents', 'list', '-o', 'json'], 0],
  [() => ['incidents', 'show', missing], 7, /incident incident-exit-missing-[\w-]+ not found/],
  [() => ['incidents', 'ack', missing], 7, /not found/],
  [() => ['incidents', 'snooze', missing], 2, /--for is required/],
  [() => ['incidents', 'list', '--state', 'gone'], 2, /--state/],
];

describe('exit codes of every command (real bin, test server)', () => {
  for (const [args, code, stderr] of table) {
    it(`${args().join(' ')} exits ${code}`, async () => {
      const result = await cli(args());
      assert.equal(result.exitCode, code, result.stderr);
      if (stderr) assert.match(result.stderr, stderr);
    });
  }

  it('approve exits 3 when no server answers', async () => {
    const result = await cli(['approve', missing], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(result.exitCode, 3, result.stderr);
    assert.match(result.stderr, /cannot connect to 127\.0\.0\.1:1/);
  });

  it('schedule stall-sweep creates, updates and deletes its schedule, exit 0 each time', async () => {
    const scheduleId = id('exit-sweep');
    const args = ['schedule', 'stall-sweep', '--id', scheduleId, '--every', '1h', '--json'];
    const created = await cli([...args, '--query', `WorkflowId="${missing}"`]);
    assert.equal(created.exitCode, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as { created: boolean }).created, true);
    const updated = await cli([...args, '--every', '2h']);
    assert.equal(updated.exitCode, 0, updated.stderr);
    assert.deepEqual(JSON.parse(updated.stdout), { scheduleId, created: false, every: '2h' });
    const deleted = await cli([...args, '--delete']);
    assert.equal(deleted.exitCode, 0, deleted.stderr);
  });

  it('run: 1 when the report is not ok, 5 for its COMPLETED result, 2 for a directory the recipe rejects, 0 when ok', async () => {
    await h.withControlWorker(async () => {
      const dies = `${venvPython} -c 'import sys; sys.exit(3)'`;
      const notOk = await cli([
        'run',
        'clean-start',
        '--project-dir',
        exampleProjectDir,
        '--task-queue',
        uniqueQueue('exit-dies'),
        '--worker-command',
        dies,
        '--workflow-type',
        'Order',
      ]);
      assert.equal(notOk.exitCode, 1, notOk.stderr);
      assert.match(notOk.stdout, /CleanStart NOT OK/);
      const recipeId = /CleanStart started: workflow (\S+)/.exec(notOk.stderr)?.[1];
      assert.ok(recipeId, notOk.stderr);
      const result = await cli(['workflows', 'result', '-w', recipeId]);
      assert.equal(result.exitCode, 5, result.stderr);

      const badDir = await cli([
        'run',
        'clean-start',
        '--project-dir',
        join(cwd, 'no-such-project'),
        '--task-queue',
        'q',
        '--workflow-type',
        'Order',
      ]);
      assert.equal(badDir.exitCode, 2, badDir.stderr);
      assert.match(badDir.stderr, /projectDir/);

      const cleared = await cli([
        'run',
        'clear-stalled',
        '--auto-approve',
        '--query',
        `WorkflowId="${missing}"`,
      ]);
      assert.equal(cleared.exitCode, 0, cleared.stderr);
    });
  });
});

describe('--help', () => {
  it('loads no Temporal SDK module (while a command that connects does)', async () => {
    // A resolve hook that names every @temporalio module the process loads.
    const hookFile = join(cwd, 'sdk-hook.mjs');
    await writeFile(
      hookFile,
      `export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        if (resolved.url.includes('/@temporalio/')) process.stderr.write('SDK ' + resolved.url + '\\n');
        return resolved;
      }`,
    );
    const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hookFile).href)});`;
    const run = (args: string[]) =>
      execa(process.execPath, ['--import', register, bin, ...args], {
        env: { TEMPORAL_ADDRESS: testTarget().address },
        reject: false,
        timeout: 60_000,
      });
    for (const args of [['--help'], ['worker', 'ensure', '--help'], ['workflows', 'recent', '--bogus']]) {
      const result = await run(args);
      assert.match(`${result.stdout}${result.stderr}`, /Usage: temporal-ops|unknown option '--bogus'/);
      assert.doesNotMatch(result.stderr, /SDK /, args.join(' '));
    }
    const connects = await run(['workflows', 'recent', '--query', `WorkflowId="${missing}"`]);
    assert.equal(connects.exitCode, 0, connects.stderr);
    // `workflows recent` reads on the light path: the connection config, not the SDK client.
    assert.match(connects.stderr, /SDK .*@temporalio\/envconfig/);
  });
});
