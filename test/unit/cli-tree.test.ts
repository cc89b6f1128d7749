// The CLI contract over the whole command tree: help everywhere, argv -> options, argv errors -> exit 2.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { packageRoot } from '../../src/config.js';
import { completionScript } from '../../src/cli/completion.js';
import { buildProgram, type Call } from '../../src/cli/program.js';
import { runCli } from '../../src/cli/run-cli.js';

const cwd = join(packageRoot, 'examples');
const env: NodeJS.ProcessEnv = { USER: 'me' };
const here = {
  projectDir: cwd,
  projectDirGiven: false,
  project: 'examples',
  taskQueue: undefined,
  workerCommand: undefined,
  env: undefined,
  readyTimeoutMs: undefined,
  graceMs: undefined,
};

/** Parses argv in-process; records the call instead of running it. */
async function parse(argv: string[], environment = env) {
  const calls: Call[] = [];
  const printed = { out: '', err: '' };
  const code = await runCli(argv, {
    cwd,
    env: environment,
    sink: { stdout: (t) => (printed.out += t), stderr: (t) => (printed.err += t) },
    invoke: async (call) => {
      calls.push(call);
    },
  });
  return { code, calls, ...printed };
}

function walk(command: Command, words: string[] = []): { words: string[]; command: Command }[] {
  return [{ words, command }, ...command.commands.flatMap((sub) => walk(sub, [...words, sub.name()]))];
}

const tree = walk(buildProgram(() => Promise.reject(new Error('never run')), { cwd, env }));
const leaves = tree.filter((n) => n.command.commands.length === 0).map((n) => n.words.join(' '));

describe('the command tree', () => {
  for (const { words, command } of tree) {
    const name = ['temporal-ops', ...words].join(' ');
    it(`${name}: has a description and prints its generated help with --help, exit 0`, async () => {
      assert.ok(command.description().length > 10, `${name} describes itself`);
      const { code, out, calls } = await parse([...words, '--help']);
      assert.equal(code, 0);
      assert.match(out, new RegExp(`^Usage: ${name}`));
      for (const option of command.options)
        assert.ok(out.includes(option.long!), `${name} help lists ${option.long}`);
      assert.equal(calls.length, 0);
    });
  }

  it('`help worker ensure` is the help of worker ensure', async () => {
    const { code, out } = await parse(['worker', 'help', 'ensure']);
    assert.equal(code, 0);
    assert.match(out, /^Usage: temporal-ops worker ensure \[options\]/);
  });

  it('a group without its command shows its help on stderr and exits 2', async () => {
    for (const argv of [[], ['worker'], ['workflows'], ['run'], ['schedule'], ['incidents']]) {
      const { code, err, calls } = await parse(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, /Usage: temporal-ops/);
      assert.equal(calls.length, 0);
    }
  });
});

describe('argv -> options', () => {
  const examples = join(cwd, 'orders');
  const table: [string[], { path: string; options: unknown; json?: boolean }, NodeJS.ProcessEnv?][] = [
    [['up'], { path: 'up', options: { recipeInput: undefined, runRecipe: true, once: false } }],
    [
      ['up', '--once', '--no-recipe', '--json', '--task-queue', 'q'],
      { path: 'up', options: { recipeInput: { taskQueue: 'q' }, runRecipe: false, once: true }, json: true },
    ],
    [
      ['up', '--once', '--project', 'orders-mine'],
      { path: 'up', options: { recipeInput: { project: 'orders-mine' }, runRecipe: true, once: true } },
    ],
    [['serve'], { path: 'serve', options: {} }],
    [['serve', '--metrics', 'localhost:9464'], { path: 'serve', options: { metrics: '127.0.0.1:9464' } }],
    [['serve', '--metrics', '[::1]:9464'], { path: 'serve', options: { metrics: '[::1]:9464' } }],
    [
      ['up', '--no-recipe', '--metrics', '0.0.0.0:9464'],
      {
        path: 'up',
        options: { recipeInput: undefined, runRecipe: false, once: false, metrics: '0.0.0.0:9464' },
      },
    ],
    [['mcp'], { path: 'mcp', options: {} }],
    [
      [
        'run',
        'clean-start',
        '--project-dir',
        'orders',
        '--project',
        'shop',
        '--task-queue',
        'orders',
        '--workflow-type',
        'Order',
        '--args',
        '[1]',
        '--env',
        'A=b=c',
        '--env',
        'B=1',
        '--ready-timeout',
        '5',
        '--result-timeout',
        '9',
      ],
      {
        path: 'run clean-start',
        options: {
          recipe: 'clean-start',
          follow: true,
          input: {
            projectDir: examples,
            project: 'shop',
            taskQueue: 'orders',
            start: { workflowType: 'Order', args: [1] },
            env: { A: 'b=c', B: '1' },
            readyTimeoutSeconds: 5,
            resultTimeoutSeconds: 9,
          },
        },
      },
    ],
    [
      [
        'run',
        'clean-start',
        '--input',
        '{"projectDir":"/a","taskQueue":"q","host":"h"}',
        '--starter',
        'uv run starter',
        '--json',
        '--no-follow',
      ],
      {
        path: 'run clean-start',
        json: true,
        options: {
          recipe: 'clean-start',
          follow: false,
          input: { projectDir: '/a', taskQueue: 'q', host: 'h', start: { command: 'uv run starter' } },
        },
      },
    ],
    [
      ['run', 'clean-start', '--input', '{"projectDir":"/a","taskQueue":"q"}', '--by-worker', '--no-follow'],
      {
        path: 'run clean-start',
        json: false,
        options: {
          recipe: 'clean-start',
          follow: false,
          input: { projectDir: '/a', taskQueue: 'q', start: { byWorker: true } },
        },
      },
    ],
    [
      [
        'run',
        'test-interactive',
        '--project-dir',
        '/srv/app',
        '--project',
        'app',
        '--workflow-type',
        'Approval',
        '--workflow-id',
        'a-1',
        '--interactions',
        '[{"signal":"approve"}]',
        '--expect-result',
        '"done"',
      ],
      {
        path: 'run test-interactive',
        options: {
          recipe: 'test-interactive',
          follow: true,
          input: {
            projectDir: '/srv/app',
            project: 'app',
            start: { workflowType: 'Approval', args: [], workflowId: 'a-1' },
            interactions: [{ signal: 'approve' }],
            expectResult: 'done',
          },
        },
      },
    ],
    [
      [
        'run',
        'clear-stalled',
        '--query',
        'WorkflowType="X"',
        '--task-queue',
        'q',
        '--mode',
        'terminate',
        '--auto-approve',
        '--host',
        'box',
      ],
      {
        path: 'run clear-stalled',
        options: {
          recipe: 'clear-stalled',
          follow: true,
          input: {
            query: 'WorkflowType="X"',
            taskQueue: 'q',
            mode: 'terminate',
            autoApprove: true,
            host: 'box',
          },
        },
      },
    ],
    [
      [
        'run',
        'clear-stalled',
        '--pattern',
        'order-*',
        '--query',
        "WorkflowType = 'Order'",
        '--action',
        'cancel',
        '--max',
        '50',
      ],
      {
        path: 'run clear-stalled',
        options: {
          recipe: 'clear-stalled',
          follow: true,
          input: { query: "WorkflowType = 'Order'", pattern: 'order-*', action: 'cancel', maxWorkflows: 50 },
        },
      },
    ],
    [
      [
        'run',
        'debug-stalled',
        '--task-queue',
        'q',
        '--act',
        '--project-dir',
        '/srv/app',
        '--wait-for-fix',
        '600',
        '--non-determinism',
        'reset',
        '--no-rerun',
        '--verify',
        '90',
        '--reset-attempts',
      ],
      {
        path: 'run debug-stalled',
        options: {
          recipe: 'debug-stalled',
          follow: true,
          input: {
            taskQueue: 'q',
            projectDir: '/srv/app',
            act: true,
            waitForFixSeconds: 600,
            verifySeconds: 90,
            nonDeterminism: 'reset',
            rerun: false,
            resetAttempts: true,
          },
        },
      },
    ],
    [
      [
        'run',
        'check-recent',
        '--minutes',
        '15',
        '--task-queue',
        'q',
        '--workflow-type',
        'A',
        '--workflow-type',
        'B',
      ],
      {
        path: 'run check-recent',
        options: {
          recipe: 'check-recent',
          follow: true,
          input: { minutes: 15, taskQueue: 'q', workflowTypes: ['A', 'B'] },
        },
      },
    ],
    [
      ['schedule', 'stall-sweep'],
      {
        path: 'schedule stall-sweep',
        options: { scheduleId: 'temporal-ops-stall-sweep', every: '5m', input: {}, remove: false },
      },
    ],
    [
      [
        'schedule',
        'stall-sweep',
        '--every',
        '30s',
        '--id',
        's1',
        '--task-queue',
        'q',
        '--input',
        '{"policy":{}}',
        '--delete',
        '--json',
      ],
      {
        path: 'schedule stall-sweep',
        json: true,
        options: { scheduleId: 's1', every: '30s', input: { policy: {}, taskQueue: 'q' }, remove: true },
      },
    ],
    [['incidents', 'list'], { path: 'incidents list', options: { limit: 100 } }],
    [
      ['incidents', 'list', '--state', 'open', '--state', 'snoozed', '--limit', '5', '-o', 'json'],
      { path: 'incidents list', options: { states: ['open', 'snoozed'], limit: 5 } },
    ],
    [['incidents', 'list', '--all'], { path: 'incidents list', options: { states: [], limit: 100 } }],
    [['incidents', 'show', 'abc'], { path: 'incidents show', options: { id: 'abc' } }],
    [['incidents', 'ack', 'abc'], { path: 'incidents ack', options: { id: 'abc', by: 'me' } }],
    [
      ['incidents', 'snooze', 'abc', '--for', '1h', '--by', 'ann', '--json'],
      { path: 'incidents snooze', json: true, options: { id: 'abc', by: 'ann', forMs: 3_600_000 } },
    ],
    [
      ['incidents', 'resolve', 'abc', '--reason', 'fixed'],
      { path: 'incidents resolve', options: { id: 'abc', by: 'me', reason: 'fixed' } },
    ],
    [['approve', 'wf-1'], { path: 'approve', options: { workflowId: 'wf-1', approve: true, by: 'me' } }],
    [
      ['approve', 'wf-1', '--reject', '--by', 'ann', '--json'],
      { path: 'approve', json: true, options: { workflowId: 'wf-1', approve: false, by: 'ann' } },
    ],
    [
      ['approve', 'wf-1', '--plan-id', '38a9658d'],
      { path: 'approve', options: { workflowId: 'wf-1', planId: '38a9658d', approve: true, by: 'me' } },
    ],
    [
      ['approve', 'wf-1', '--choice', 'restart-anyway'],
      { path: 'approve', options: { workflowId: 'wf-1', approve: true, by: 'me', choice: 'restart-anyway' } },
    ],
    [['schema', 'CleanStart'], { path: 'schema', options: { recipe: 'CleanStart' } }],
    [
      ['replay-check', '--project-dir', '/srv/shop', '--task-queue', 'orders', '--json'],
      { path: 'replay-check', json: true, options: { projectDir: '/srv/shop', taskQueue: 'orders' } },
    ],
    [
      ['project', 'add', '/srv/shop', '--worker-command', 'uv run worker', '--task-queue', 'orders'],
      {
        path: 'project add',
        options: {
          projectDir: '/srv/shop',
          workerCommand: 'uv run worker',
          taskQueue: 'orders',
          allowShell: false,
        },
      },
    ],
    [['project', 'list', '--json'], { path: 'project list', json: true, options: {} }],
    [
      ['completion', 'fish'],
      {
        path: 'completion',
        options: {
          script: completionScript(
            'fish',
            buildProgram(() => Promise.reject(new Error('never run')), { cwd, env }),
          ),
        },
      },
    ],
    [['project', 'remove', 'shop'], { path: 'project remove', options: { keyOrDir: 'shop' } }],
    [
      ['worker', 'ensure', '--task-queue', 'orders'],
      { path: 'worker ensure', options: { mode: 'ensure', target: { ...here, taskQueue: 'orders' } } },
    ],
    [
      ['worker', 'ensure'],
      { path: 'worker ensure', options: { mode: 'ensure', target: { ...here, taskQueue: 'from-env' } } },
      { TEMPORAL_TASK_QUEUE: 'from-env' },
    ],
    [
      ['worker', 'ensure', '--task-queue', 'q', '--supervise', '--max-restarts', '2', '--host', 'box2'],
      {
        path: 'worker ensure',
        options: {
          mode: 'ensure',
          target: { ...here, taskQueue: 'q', host: 'box2' },
          supervise: { maxRestarts: 2 },
        },
      },
    ],
    [
      ['worker', 'ensure', '--task-queue', 'q', '--supervise'],
      {
        path: 'worker ensure',
        options: { mode: 'ensure', target: { ...here, taskQueue: 'q' }, supervise: { maxRestarts: 5 } },
      },
    ],
    [
      [
        'worker',
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
      {
        path: 'worker start',
        json: true,
        options: {
          mode: 'start',
          target: {
            projectDir: join(packageRoot, 'app2'),
            projectDirGiven: true,
            project: 'app2',
            taskQueue: 'q',
            workerCommand: 'uv run worker',
            env: { A: 'b=c' },
            readyTimeoutMs: 5000,
            graceMs: 500,
          },
        },
      },
    ],
    [
      ['worker', 'restart'],
      { path: 'worker restart', options: { mode: 'restart', target: here } },
      { TEMPORAL_TASK_QUEUE: 'ignored: restart reuses the recorded queue' },
    ],
    [
      ['worker', 'stop'],
      { path: 'worker stop', options: { project: 'named', graceMs: undefined } },
      { TEMPORAL_OPS_PROJECT: 'named', TEMPORAL_OPS_PROJECT_DIR: '/srv/x' },
    ],
    [
      ['worker', 'stop', '--project', 'my_app', '--grace', '2'],
      { path: 'worker stop', options: { project: 'my_app', graceMs: 2000 } },
    ],
    [
      ['worker', 'stop', '--project-dir', '/srv/shop'],
      { path: 'worker stop', options: { project: 'shop', graceMs: undefined } },
    ],
    [
      ['worker', 'stop', '--project', 'shop', '--task-queue', 'orders'],
      { path: 'worker stop', options: { project: 'shop', graceMs: undefined, taskQueue: 'orders' } },
    ],
    [
      ['worker', 'stop-all', '--include-server', '--json'],
      { path: 'worker stop-all', json: true, options: { includeServer: true } },
    ],
    [['worker', 'list'], { path: 'worker list', options: { project: undefined, taskQueues: [] } }],
    [
      ['worker', 'list', '--task-queue', 'a', '--task-queue', 'b', '--project', 'p'],
      { path: 'worker list', options: { project: 'p', taskQueues: ['a', 'b'] } },
    ],
    [['worker', 'health', '--json'], { path: 'worker health', json: true, options: { project: undefined } }],
    [
      ['worker', 'logs', '-f', '--lines', '10'],
      { path: 'worker logs', options: { project: undefined, lines: 10, follow: true } },
    ],
    [['worker', 'logs'], { path: 'worker logs', options: { project: undefined, lines: 40, follow: false } }],
    [
      [
        'workflows',
        'stalled',
        '--query',
        'q',
        '--task-queue',
        't',
        '--policy',
        '{"retryStormAttempts":2}',
        '--concurrency',
        '4',
        '--stalled-only',
        '--explain-waits',
        '--json',
      ],
      {
        path: 'workflows stalled',
        json: true,
        options: {
          query: 'q',
          taskQueue: 't',
          policy: { retryStormAttempts: 2 },
          concurrency: 4,
          stalledOnly: true,
          explainIdle: true,
        },
      },
    ],
    [
      ['workflows', 'analyze', '-w', 'wf', '-r', 'run1'],
      { path: 'workflows analyze', options: { workflowId: 'wf', runId: 'run1' } },
    ],
    [
      ['workflows', 'result', '--workflow-id', 'wf', '--result-rule', '{"errorKeys":["error"]}'],
      {
        path: 'workflows result',
        options: { workflowId: 'wf', resultRule: { errorKeys: ['error'] } },
      },
    ],
    [
      ['workflows', 'wait', '-w', 'wf'],
      {
        path: 'workflows wait',
        options: { workflowId: 'wf', runId: undefined, statuses: ['COMPLETED'], timeoutMs: 60_000 },
      },
    ],
    [
      ['workflows', 'wait', '-w', 'wf', '--status', 'failed, terminated', '--timeout', '2.5'],
      {
        path: 'workflows wait',
        options: { workflowId: 'wf', runId: undefined, statuses: ['FAILED', 'TERMINATED'], timeoutMs: 2500 },
      },
    ],
    [
      ['workflows', 'recent'],
      {
        path: 'workflows recent',
        options: { minutes: 5 },
      },
    ],
    [
      ['workflows', 'recent', '--minutes', '10', '--limit', '3', '--query', 'q', '--json'],
      {
        path: 'workflows recent',
        json: true,
        options: { minutes: 10, query: 'q', limit: 3 },
      },
    ],
  ];

  it('covers every command of the tree', () => {
    assert.deepEqual([...new Set(table.map(([, e]) => e.path))].sort(), [...leaves].sort());
  });

  for (const [argv, expected, environment] of table) {
    it(`temporal-ops ${argv.join(' ')}`, async () => {
      const { code, calls, err } = await parse(argv, { ...env, ...environment });
      assert.equal(code, 0, err);
      assert.equal(calls.length, 1);
      const [call] = calls;
      assert.deepEqual(
        { path: call!.path, options: call!.options, json: call!.json },
        { json: false, ...expected },
      );
    });
  }
});

describe('argv errors exit 2 before anything runs, naming the flag', () => {
  const bad: [string[], RegExp][] = [
    [['launch'], /unknown command 'launch'/],
    [['run', 'clean-up'], /unknown command 'clean-up'/],
    [['worker', 'frobnicate'], /unknown command 'frobnicate'/],
    [['up', '--bogus'], /unknown option '--bogus'/],
    [['serve', '--json'], /unknown option '--json'/],
    [
      ['serve', '--metrics', '9464'],
      /option '--metrics <address>' argument '9464' is invalid. expected IP:PORT/,
    ],
    [['up', '--metrics', 'metrics.local:9464'], /argument 'metrics.local:9464' is invalid. expected IP:PORT/],
    [['serve', '--metrics', '127.0.0.1:70000'], /argument '127.0.0.1:70000' is invalid/],
    [['serve', '--metrics', '::1:9464'], /argument '::1:9464' is invalid/],
    [['mcp', '--json'], /unknown option '--json'/],
    [['completion', 'powershell'], /completion: expected bash, zsh or fish, got "powershell"/],
    [['workflows', 'recent', '-o', 'yaml'], /option '-o, --output <format>' argument 'yaml' is invalid/],
    [['--color', 'sometimes', 'worker', 'list'], /argument 'sometimes' is invalid/],
    [['workflows', 'recent', '--time-format', 'unix'], /argument 'unix' is invalid/],
    [
      ['workflows', 'recent', '--command-timeout', '0s'],
      /--command-timeout <duration>' argument '0s' is invalid/,
    ],
    // A flag of another command is an error, not ignored.
    [['workflows', 'stalled', '--timeout', '3'], /unknown option '--timeout'/],
    [['workflows', 'recent', '-w', 'x'], /unknown option '-w'/],
    [['worker', 'list', '--supervise'], /unknown option '--supervise'/],
    [['worker', 'stop', '--host', 'box2'], /unknown option '--host'/],
    [['worker', 'start', '--task-queue', 'q', '--supervise'], /unknown option '--supervise'/],
    [['run', 'clean-start', '--mode', 'cancel'], /unknown option '--mode'/],
    [['run', 'clear-stalled', '--worker-command', 'x'], /unknown option '--worker-command'/],
    [['approve', 'wf', '--every', '5m'], /unknown option '--every'/],
    [['worker', 'stop', '--project', '../../etc'], /--project: expected .*got "..\/..\/etc"/],
    [['worker', 'stop', '--project', 'my app'], /--project: expected .*got "my app"/],
    [['approve'], /missing required argument 'workflow-id'/],
    [['approve', 'a', 'b'], /too many arguments/],
    [['workflows', 'result'], /required option '-w, --workflow-id <id>' not specified/],
    [['worker', 'ensure'], /worker ensure: --task-queue is required/],
    [
      ['worker', 'ensure', '--task-queue', 'q', '--max-restarts', '3'],
      /--max-restarts: only with --supervise/,
    ],
    [['worker', 'restart', '--max-restarts', '3'], /unknown option '--max-restarts'/],
    [
      ['worker', 'ensure', '--task-queue', 'q', '--ready-timeout', 'soon'],
      /'--ready-timeout <sec>' argument 'soon' is invalid. expected a number >= 1/,
    ],
    [['worker', 'stop', '--grace=-1'], /'--grace <sec>' argument '-1' is invalid. expected a number >= 0/],
    [
      ['worker', 'logs', '--lines', '2.5'],
      /'--lines <n>' argument '2.5' is invalid. expected an integer >= 0/,
    ],
    [
      ['worker', 'ensure', '--task-queue', 'q', '--env', 'NOEQUALS'],
      /'--env <KEY=VALUE>' argument 'NOEQUALS' is invalid. expected KEY=VALUE/,
    ],
    [['schedule', 'stall-sweep', '--every', 'often'], /'--every <duration>' argument 'often' is invalid/],
    [
      ['schedule', 'stall-sweep', '--every', '0s'],
      /'--every <duration>' argument '0s' is invalid. expected a duration of at least 1s/,
    ],
    [['schedule', 'stall-sweep', '--every', '500ms'], /'--every <duration>' argument '500ms' is invalid/],
    [['schedule', 'stall-sweep', '--input', '{'], /'--input <json>' argument '\{' is invalid. expected JSON/],
    [
      ['run', 'clean-start', '--input', '{bad'],
      /'--input <json>' argument '\{bad' is invalid. expected JSON/,
    ],
    [
      ['run', 'clean-start', '--input', '[1]'],
      /'--input <json>' argument '\[1\]' is invalid. expected a JSON object/,
    ],
    [['up', '--input', 'nope'], /'--input <json>' argument 'nope' is invalid. expected JSON/],
    [
      ['run', 'clean-start', '--workflow-type', 'A', '--args', '{'],
      /'--args <json>' argument '\{' is invalid. expected JSON/,
    ],
    [
      ['run', 'clean-start', '--workflow-type', 'A', '--args', '{}'],
      /'--args <json>' argument '\{\}' is invalid. expected a JSON array/,
    ],
    [['run', 'clean-start', '--args', '[]'], /--args and --workflow-id: only with --workflow-type/],
    [['run', 'clean-start', '--workflow-type', 'A', '--starter', 'x'], /give one, not both/],
    [
      ['run', 'clean-start', '--by-worker', '--starter', 'x'],
      /--by-worker: not with --workflow-type or --starter/,
    ],
    [
      ['run', 'clean-start', '--result-timeout=-1'],
      /'--result-timeout <sec>' argument '-1' is invalid. expected a positive number/,
    ],
    [
      ['run', 'clean-start', '--project-dir', 'relative/nonexist'],
      /--project-dir: expected an existing directory, got "relative\/nonexist"/,
    ],
    [['up', '--project-dir', 'nonexist'], /--project-dir: expected an existing directory, got "nonexist"/],
    [
      ['run', 'clean-start', '--project-dir', 'orders', '--host', 'box'],
      /--project-dir: expected an absolute path on host box, got "orders"/,
    ],
    [
      ['run', 'test-interactive', '--interactions', '{"signal":"x"}'],
      /'--interactions <json>' argument .* is invalid. expected a JSON array/,
    ],
    [
      ['run', 'clear-stalled', '--pattern', 'x', '--action', 'nuke'],
      /'--action <action>' argument 'nuke' is invalid. Allowed choices are cancel, terminate/,
    ],
    [
      ['run', 'clear-stalled', '--pattern', 'x', '--action', 'cancel', '--max', '2.5'],
      /'--max <n>' argument '2.5' is invalid. expected a positive integer/,
    ],
    [
      ['run', 'clear-stalled', '--mode', 'nuke'],
      /'--mode <mode>' argument 'nuke' is invalid. Allowed choices are auto, terminate, cancel/,
    ],
    [
      ['workflows', 'stalled', '--policy', '[]'],
      /'--policy <json>' argument '\[\]' is invalid. expected a JSON object/,
    ],
    [
      ['workflows', 'stalled', '--concurrency', '1.5'],
      /'--concurrency <n>' argument '1.5' is invalid. expected a positive integer/,
    ],
    [
      ['workflows', 'recent', '--minutes', 'soon'],
      /'--minutes <n>' argument 'soon' is invalid. expected a positive number/,
    ],
    [
      ['workflows', 'result', '-w', 'x', '--result-rule', 'x'],
      /'--result-rule <json>' argument 'x' is invalid. expected JSON/,
    ],
    [['workflows', 'wait', '-w', 'x', '--timeout', '0'], /'--timeout <sec>' argument '0' is invalid/],
  ];
  for (const [argv, message] of bad) {
    it(`temporal-ops ${argv.join(' ')}`, async () => {
      const { code, calls, err } = await parse(argv);
      assert.equal(calls.length, 0, 'nothing runs');
      assert.equal(code, 2, err);
      assert.match(err, message);
    });
  }
});
