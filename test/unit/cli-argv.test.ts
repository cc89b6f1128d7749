import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../../src/cli/argv.js';
import { ExitError } from '../../src/errors.js';

describe('parseCommandLine', () => {
  const table: [string[], unknown][] = [
    [[], { name: 'help' }],
    [['--help'], { name: 'help' }],
    [['up'], { name: 'up', once: false, runRecipe: true, json: false, input: undefined }],
    [
      ['up', '--once', '--no-recipe'],
      { name: 'up', once: true, runRecipe: false, json: false, input: undefined },
    ],
    [['serve'], { name: 'serve' }],
    [
      [
        'run',
        'clean-start',
        '--project-dir',
        'shop',
        '--task-queue',
        'orders',
        '--workflow-type',
        'Order',
        '--args',
        '[1]',
        '--env',
        'A=b=c',
      ],
      {
        name: 'run',
        recipe: 'clean-start',
        json: false,
        follow: true,
        input: {
          projectDir: '/home/me/shop',
          taskQueue: 'orders',
          start: { workflowType: 'Order', args: [1] },
          env: { A: 'b=c' },
        },
      },
    ],
    [
      [
        'run',
        'clean-start',
        '--input',
        '{"projectDir":"/a","taskQueue":"q"}',
        '--starter',
        'uv run starter',
        '--json',
        '--no-follow',
      ],
      {
        name: 'run',
        recipe: 'clean-start',
        json: true,
        follow: false,
        input: { projectDir: '/a', taskQueue: 'q', start: { command: 'uv run starter' } },
      },
    ],
    [
      ['worker', 'stop-all', '--include-server'],
      { name: 'group', group: 'worker', argv: ['stop-all', '--include-server'] },
    ],
  ];
  for (const [argv, expected] of table) {
    it(`maps "${argv.join(' ')}" to its command`, () =>
      assert.deepEqual(parseCommandLine(argv, '/home/me'), expected));
  }

  const bad: [string[], RegExp][] = [
    [['launch'], /unknown command "launch"/],
    [
      ['schedule', 'stall-sweep', '--every', 'often'],
      /--every: expected a duration such as 30s, 5m or 1h, got "often"/,
    ],
    [['up', '--bogus'], /Unknown option '--bogus'/],
    [['run', 'clean-start', '--workflow-type', 'A', '--args', '{'], /--args: expected JSON, got "\{"/],
    [['run', 'clean-start', '--args', '[]'], /--args and --workflow-id: only with --workflow-type/],
    [['run', 'clean-start', '--workflow-type', 'A', '--args', '{}'], /--args: expected a JSON array/],
    [['run', 'clean-start', '--workflow-type', 'A', '--starter', 'x'], /give one, not both/],
    [['run', 'clean-start', '--env', 'NOVALUE'], /--env: expected KEY=VALUE, got "NOVALUE"/],
    [
      ['run', 'clean-start', '--result-timeout=-1'],
      /--result-timeout: expected a positive number of seconds, got "-1"/,
    ],
  ];
  for (const [argv, message] of bad) {
    it(`rejects "${argv.join(' ')}" with exit code 2`, () => {
      assert.throws(
        () => parseCommandLine(argv),
        (error: unknown) => error instanceof ExitError && error.exitCode === 2 && message.test(error.message),
      );
    });
  }
});
