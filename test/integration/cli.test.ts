// The CLI as a user runs it: `temporal-ops up --once` (what `npm start` runs) and `worker stop-all`.
import assert from 'node:assert/strict';
import { cp, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { readProc } from '../../src/host/records/proc.js';
import {
  exampleCleanStartInput,
  exampleProjectDir,
  exampleProjectName,
  venvPython,
} from '../../src/host/projects/example.js';
import { testTarget, uniqueQueue } from '../helpers/harness.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');

async function cli(args: string[], env: Record<string, string>) {
  return execa(process.execPath, [bin, ...args], {
    env: { ...env, TEMPORAL_ADDRESS: testTarget().address },
    reject: false,
    timeout: 120_000,
  });
}

describe('temporal-ops CLI', () => {
  it('`up --once` runs CleanStart on the bundled example, prints the steps and the report, exits 0', async () => {
    const stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'cli-'));
    const env = { TEMPORAL_OPS_STATE_DIR: stateDir, TEMPORAL_OPS_TASK_QUEUE: uniqueQueue('ops') };
    const up = await cli(['up', '--once', '--task-queue', uniqueQueue('orders')], env);
    assert.equal(up.exitCode, 0, up.stderr);
    assert.match(up.stderr, /using the server already answering/);
    assert.match(up.stderr, /✔ Stop stale workers, start one fresh, wait until it polls/);
    assert.match(up.stdout, /CleanStart OK — project orders/);
    const [worker] = await readPidRecords(stateDir, { kind: 'worker' });
    assert.ok(worker && readProc(worker.pid), 'the example worker is left running, as documented');
    assert.match(up.stderr, new RegExp(`worker pid ${worker.pid}`));

    const stop = await cli(['worker', 'stop-all', '--json'], env);
    assert.equal(stop.exitCode, 0, stop.stderr);
    const outcomes = JSON.parse(stop.stdout) as { pid: number; result: string }[];
    assert.deepEqual(
      outcomes.map((o) => [o.pid, o.result]),
      [[worker.pid, 'stopped']],
    );
    assert.equal(readProc(worker.pid), undefined);
  });

  it('`up --once` in two checkouts whose examples share a name: both ok, each under its own name', async () => {
    const stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'cli-'));
    const env = { TEMPORAL_OPS_STATE_DIR: stateDir, TEMPORAL_OPS_TASK_QUEUE: uniqueQueue('ops') };
    const checkout = async () => {
      const root = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'checkout-'));
      const dir = join(root, 'examples', 'orders');
      await cp(exampleProjectDir, dir, { recursive: true, filter: (path) => !path.includes('/.venv') });
      return dir;
    };
    const upIn = (dir: string) =>
      cli(
        [
          'up',
          '--once',
          '--project-dir',
          dir,
          '--task-queue',
          uniqueQueue('orders'),
          '--worker-command',
          `${venvPython} worker.py`,
          '--starter',
          `${venvPython} starter.py`,
        ],
        env,
      );
    // Another checkout ran first and holds the plain name "orders" in the per-user registry.
    const [first, second] = [await checkout(), await checkout()];
    const firstUp = await upIn(first);
    assert.equal(firstUp.exitCode, 0, firstUp.stderr);
    assert.match(firstUp.stdout, /CleanStart OK — project orders\b(?!-)/);
    const secondUp = await upIn(second);
    assert.equal(secondUp.exitCode, 0, secondUp.stderr);
    assert.match(secondUp.stdout, /CleanStart OK — project orders-[0-9a-f]{6}\b/);
    // The bundled example of this checkout, with no name given, is not blocked either.
    const example = await cli(['up', '--once', '--task-queue', uniqueQueue('orders')], env);
    assert.equal(example.exitCode, 0, example.stderr);
    assert.ok(example.stdout.includes(`CleanStart OK — project ${exampleProjectName()}`), example.stdout);
    const projects = new Set((await readPidRecords(stateDir, { kind: 'worker' })).map((r) => r.project));
    assert.equal(projects.size, 3, [...projects].join(', '));
    const stop = await cli(['worker', 'stop-all', '--json'], env);
    assert.equal(stop.exitCode, 0, stop.stderr);
  });

  it('`up` serves until Ctrl-C, then stops gracefully and says what it leaves running', async () => {
    const stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'cli-'));
    const env = { TEMPORAL_OPS_STATE_DIR: stateDir, TEMPORAL_OPS_TASK_QUEUE: uniqueQueue('ops') };
    const child = execa(process.execPath, [bin, 'up', '--no-recipe'], {
      env: { ...env, TEMPORAL_ADDRESS: testTarget().address },
      reject: false,
      timeout: 60_000,
    });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('press Ctrl-C to stop')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stderr, /stopping the control worker/);
  });

  it('`run test-interactive` drives the example Approval workflow through a served control worker', async () => {
    const stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'cli-'));
    const env = { TEMPORAL_OPS_STATE_DIR: stateDir, TEMPORAL_OPS_TASK_QUEUE: uniqueQueue('ops') };
    const serve = execa(process.execPath, [bin, 'serve'], {
      env: { ...env, TEMPORAL_ADDRESS: testTarget().address },
      reject: false,
      timeout: 120_000,
    });
    try {
      const { projectDir, workerCommand } = exampleCleanStartInput();
      const run = await cli(
        [
          'run',
          'test-interactive',
          '--json',
          '--project-dir',
          projectDir,
          '--worker-command',
          workerCommand!,
          '--task-queue',
          uniqueQueue('approvals'),
          '--workflow-type',
          'Approval',
          '--args',
          '[{"requestId":"r-9"}]',
          '--interactions',
          '[{"signal":"approve","args":[{"approved":false,"by":"cli"}]}]',
          '--expect-result',
          '{"status":"rejected"}',
        ],
        env,
      );
      assert.equal(run.exitCode, 0, run.stderr);
      const report = JSON.parse(run.stdout) as { ok: boolean; recipe: string; target: { status: string } };
      assert.equal(report.recipe, 'TestInteractive');
      assert.equal(report.target.status, 'COMPLETED');
      assert.match(run.stderr, /✔ Signal approve/);
    } finally {
      serve.kill('SIGINT');
      await serve;
    }
  });

  it('rejects bad flags with exit code 2 and names the flag and value', async () => {
    const result = await cli(['run', 'clean-start', '--ready-timeout', 'soon'], {});
    assert.equal(result.exitCode, 2);
    assert.match(
      result.stderr,
      /option '--ready-timeout <sec>' argument 'soon' is invalid\. expected a positive number/,
    );
  });

  it('rejects invalid recipe input before starting anything, naming the field', async () => {
    const result = await cli(['run', 'clean-start', '--project-dir', '/srv/shop'], {});
    assert.equal(result.exitCode, 2);
    assert.match(
      result.stderr,
      /taskQueue: expected a task queue name: 1 to 1000 characters, no control characters, got nothing/,
    );
    assert.match(
      result.stderr,
      /start: expected an object: \{"workflowType": \.\.\., "args": \[\.\.\.\]\}, \{"command": \.\.\.\} or \{"byWorker": true\}, got nothing/,
    );
  });

  it('exits 3 when no server answers', async () => {
    const result = await execa(
      process.execPath,
      [bin, 'run', 'clean-start', '--project-dir', '/tmp', '--task-queue', 'q', '--workflow-type', 'X'],
      {
        env: { TEMPORAL_ADDRESS: '127.0.0.1:1' },
        reject: false,
        timeout: 60_000,
      },
    );
    assert.equal(result.exitCode, 3, result.stderr);
    assert.match(result.stderr, /cannot connect to 127\.0\.0\.1:1/);
  });
});
