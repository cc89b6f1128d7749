// `temporal-ops worker ...` as a user runs it: real CLI processes, a real worker, the test server.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { stopRecorded } from '../../src/host/workers/stop.js';
import { readProc } from '../../src/host/records/proc.js';
import { exampleProjectDir, venvPython } from '../../src/host/projects/example.js';
import { testTarget, uniqueQueue } from '../helpers/harness.js';
import { processesOnQueue, waitFor } from '../helpers/processes.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');
let stateDir: string;

function cli(args: string[]) {
  return execa(process.execPath, [bin, 'worker', ...args], {
    cwd: exampleProjectDir,
    env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_OPS_STATE_DIR: stateDir },
    reject: false,
    timeout: 60_000,
  });
}

before(async () => {
  stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'worker-cli-'));
});

after(async () => {
  for (const record of await readPidRecords(stateDir)) await stopRecorded(stateDir, record, 2000);
});

describe('temporal-ops worker', () => {
  it('ensure, list, health, logs --follow and stop work on one project from its directory', async () => {
    const queue = uniqueQueue('cli');
    const ensure = await cli([
      'ensure',
      '--task-queue',
      queue,
      '--worker-command',
      `${venvPython} worker.py`,
      '--json',
    ]);
    assert.equal(ensure.exitCode, 0, ensure.stderr);
    const { action, worker } = JSON.parse(ensure.stdout) as {
      action: string;
      worker: { pid: number; project: string; logPath: string };
    };
    assert.equal(action, 'started');
    assert.equal(worker.project, 'orders', 'the project is named after the current directory');
    assert.ok(readProc(worker.pid));

    // Read-only commands may run side by side.
    const [list, health] = await Promise.all([cli(['list', '--json']), cli(['health'])]);
    assert.equal(list.exitCode, 0, list.stderr);
    const inventory = JSON.parse(list.stdout) as {
      workers: { pid: number; state: string; pollersSeen: number }[];
      queues: { pollers: { class: string }[] }[];
    };
    assert.deepEqual(
      inventory.workers.map((w) => [w.pid, w.state, w.pollersSeen]),
      [[worker.pid, 'running', 1]],
    );
    assert.deepEqual(
      inventory.queues[0]?.pollers.map((p) => p.class),
      ['ours'],
    );

    assert.equal(health.exitCode, 0, health.stderr);
    assert.match(health.stdout, new RegExp(`orders \\(pid ${worker.pid}, task queue ${queue}\\): healthy`));
    assert.match(health.stdout, /rss \d+(\.\d)? MiB, cpu /);

    const follow = execa(
      process.execPath,
      [bin, 'worker', 'logs', '--lines', '3', '--follow', '--project', 'orders'],
      {
        env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_OPS_STATE_DIR: stateDir },
        reject: false,
        timeout: 30_000,
      },
    );
    let printed = '';
    follow.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await waitFor('follow to start', () => follow.stderr !== null);
    await new Promise<void>((resolve) =>
      follow.stderr?.on('data', (chunk: Buffer) => chunk.toString().includes('following') && resolve()),
    );
    await waitFor('the tail, first', () =>
      printed.includes(`Worker started, listening on task queue: ${queue}`),
    );
    await appendFile(worker.logPath, 'a line written while following\n');
    await waitFor('the appended line', () => printed.includes('a line written while following'));
    follow.kill('SIGINT');
    assert.equal((await follow).exitCode, 0, 'Ctrl-C ends --follow normally');

    const stop = await cli(['stop', '--json']);
    assert.equal(stop.exitCode, 0, stop.stderr);
    assert.deepEqual(
      (JSON.parse(stop.stdout) as { pid: number; result: string }[]).map((o) => [o.pid, o.result]),
      [[worker.pid, 'stopped']],
    );
    assert.deepEqual(processesOnQueue(queue), []);
  });

  it('ensure exits 1 with the log tail when the worker dies before polling', async () => {
    const queue = uniqueQueue('cli-dies');
    const command = `${venvPython} -c "import sys; print('missing ORDERS_DB_URL', flush=True); sys.exit(3)"`;
    const ensure = await cli([
      'ensure',
      '--task-queue',
      queue,
      '--project',
      'dies',
      '--worker-command',
      command,
    ]);
    assert.equal(ensure.exitCode, 1);
    assert.match(ensure.stderr, /exited .*\(exit code 3, signal null\)/);
    assert.match(ensure.stderr, /missing ORDERS_DB_URL/);
  });
});
