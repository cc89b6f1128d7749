import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, table } from '../../src/cli/commands/worker-format.js';
import { parseWorkerArgs, WORKER_USAGE } from '../../src/cli/worker-cli.js';
import { ExitError } from '../../src/errors.js';

const cwd = '/home/me/shop';
const here = {
  projectDir: cwd,
  projectDirGiven: false,
  project: 'shop',
  taskQueue: undefined,
  workerCommand: undefined,
  env: undefined,
  readyTimeoutMs: undefined,
  graceMs: undefined,
};

describe('parseWorkerArgs', () => {
  const table: [string[], NodeJS.ProcessEnv, unknown][] = [
    [[], {}, { cmd: 'help' }],
    [['--help'], {}, { cmd: 'help' }],
    [
      ['ensure', '--task-queue', 'orders'],
      {},
      { cmd: 'ensure', target: { ...here, taskQueue: 'orders' }, json: false },
    ],
    [
      ['ensure'],
      { TEMPORAL_TASK_QUEUE: 'from-env' },
      { cmd: 'ensure', target: { ...here, taskQueue: 'from-env' }, json: false },
    ],
    [
      [
        'start',
        '--project-dir',
        '../app2',
        '--task-queue',
        'q',
        '--worker-command',
        'uv run worker',
        '--env',
        'A=b=c',
        '--ready-timeout',
        '5',
        '--grace',
        '0.5',
        '--json',
      ],
      {},
      {
        cmd: 'start',
        target: {
          projectDir: '/home/me/app2',
          projectDirGiven: true,
          project: 'app2',
          taskQueue: 'q',
          workerCommand: 'uv run worker',
          env: { A: 'b=c' },
          readyTimeoutMs: 5000,
          graceMs: 500,
        },
        json: true,
      },
    ],
    [
      ['ensure', '--task-queue', 'q', '--supervise'],
      {},
      { cmd: 'ensure', target: { ...here, taskQueue: 'q' }, json: false, supervise: { maxRestarts: 5 } },
    ],
    [
      ['ensure', '--task-queue', 'q', '--supervise', '--max-restarts', '2'],
      {},
      { cmd: 'ensure', target: { ...here, taskQueue: 'q' }, json: false, supervise: { maxRestarts: 2 } },
    ],
    [
      ['ensure', '--task-queue', 'q', '--host', 'box2'],
      {},
      { cmd: 'ensure', target: { ...here, taskQueue: 'q', host: 'box2' }, json: false },
    ],
    [
      ['restart'],
      { TEMPORAL_TASK_QUEUE: 'ignored: restart reuses the recorded queue' },
      { cmd: 'restart', target: { ...here, taskQueue: undefined }, json: false },
    ],
    [
      ['stop'],
      { TEMPORAL_OPS_PROJECT: 'named', TEMPORAL_OPS_PROJECT_DIR: '/srv/x' },
      { cmd: 'stop', target: { ...here, projectDir: '/srv/x', project: 'named' }, json: false },
    ],
    [
      ['stop', '--project', 'my app'],
      {},
      { cmd: 'stop', target: { ...here, project: 'my_app' }, json: false },
    ],
    [['stop-all', '--include-server', '--json'], {}, { cmd: 'stop-all', includeServer: true, json: true }],
    [['list'], {}, { cmd: 'list', project: undefined, taskQueues: [], json: false }],
    [
      ['list', '--task-queue', 'a', '--task-queue', 'b', '--project', 'p'],
      {},
      { cmd: 'list', project: 'p', taskQueues: ['a', 'b'], json: false },
    ],
    [['health', '--json'], {}, { cmd: 'health', project: undefined, json: true }],
    [
      ['logs', '-f', '--lines', '10'],
      {},
      { cmd: 'logs', project: undefined, lines: 10, follow: true, json: false },
    ],
  ];
  for (const [argv, env, expected] of table) {
    it(`worker ${argv.join(' ')}`, () => assert.deepEqual(parseWorkerArgs(argv, env, cwd), expected));
  }

  const bad: [string[], RegExp][] = [
    [['ensure'], /--task-queue is required/],
    [['start', '--task-queue', 'a', '--task-queue', 'b'], /--task-queue: give one, got 2/],
    [
      ['ensure', '--task-queue', 'q', '--ready-timeout', 'soon'],
      /--ready-timeout: expected a number >= 1, got "soon"/,
    ],
    [['stop', '--grace=-1'], /--grace: expected a number >= 0, got "-1"/],
    [['ensure', '--task-queue', 'q', '--env', 'NOEQUALS'], /--env: expected KEY=VALUE, got "NOEQUALS"/],
    [['start', '--task-queue', 'q', '--supervise'], /--supervise: only with "worker ensure"/],
    [['ensure', '--task-queue', 'q', '--max-restarts', '3'], /--max-restarts: only with --supervise/],
    [['list', '--bogus'], /Unknown option '--bogus'/],
    [['stop', '--host', 'box2'], /--host: only with ensure, start or restart, not "worker stop"/],
    [['frobnicate'], /unknown command "worker frobnicate"/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects worker ${argv.join(' ')} with exit code 2`, () => {
      assert.throws(
        () => parseWorkerArgs(argv, {}, cwd),
        (error: unknown) => error instanceof ExitError && error.exitCode === 2 && message.test(error.message),
      );
    });
  }

  it('documents every command in the usage', () => {
    for (const cmd of ['ensure', 'start', 'restart', 'stop', 'stop-all', 'list', 'health', 'logs'])
      assert.match(WORKER_USAGE, new RegExp(`temporal-ops worker ${cmd} `));
  });
});

describe('worker output formatting', () => {
  const durations: [number | undefined, string][] = [
    [undefined, '-'],
    [850, '850ms'],
    [12_400, '12s'],
    [312_000, '5m12s'],
    [11_040_000, '3h04m'],
    [190_800_000, '2d05h'],
  ];
  for (const [ms, text] of durations)
    it(`${ms} ms reads ${text}`, () => assert.equal(formatDuration(ms), text));

  const sizes: [number, string][] = [
    [0, '-'],
    [512, '512 B'],
    [64_174_080, '61.2 MiB'],
    [1_073_741_824, '1.0 GiB'],
  ];
  for (const [bytes, text] of sizes)
    it(`${bytes} bytes read ${text}`, () => assert.equal(formatBytes(bytes), text));

  it('aligns table columns', () => {
    assert.equal(
      table(
        ['A', 'LONG'],
        [
          ['xyz', '1'],
          ['q', '22'],
        ],
      ),
      'A    LONG\nxyz  1\nq    22',
    );
  });
});
