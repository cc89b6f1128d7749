import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCleanStartInput } from '../../src/contract/clean-start-input.js';
import { describeProblem } from '../../src/contract/validate.js';

const valid = {
  projectDir: '/srv/shop',
  taskQueue: 'orders',
  start: { workflowType: 'Order', args: [{ id: 1 }] },
};

function problems(raw: unknown): string[] {
  return parseCleanStartInput(raw).problems.map(describeProblem);
}

describe('parseCleanStartInput', () => {
  it('accepts the documented minimal input and fills defaults', () => {
    const { input, problems: found } = parseCleanStartInput(valid);
    assert.deepEqual(found, []);
    assert.deepEqual(input?.start, { workflowType: 'Order', args: [{ id: 1 }] });
    assert.equal(
      input?.workerCommand,
      undefined,
      'the worker command default is resolved on the control worker',
    );
  });

  it('accepts a starter command instead of a workflow type', () => {
    const { input } = parseCleanStartInput({ ...valid, start: { command: 'uv run starter' } });
    assert.deepEqual(input?.start, { command: 'uv run starter' });
  });

  it('accepts a worker that starts its own run (one file that is worker and starter)', () => {
    const { input, problems } = parseCleanStartInput({ ...valid, start: { byWorker: true } });
    assert.deepEqual(problems, []);
    assert.deepEqual(input?.start, { byWorker: true });
  });

  const table: [string, unknown, string[]][] = [
    [
      'byWorker with a workflow type',
      { ...valid, start: { byWorker: true, workflowType: 'Order' } },
      ['start.workflowType: expected no such field with start.byWorker, got "Order"'],
    ],
    [
      'byWorker false',
      { ...valid, start: { byWorker: false } },
      ['start.byWorker: expected true, got false'],
    ],
    ['a non-object', [1], ['input: expected one JSON object, got [1]']],
    ['null', null, ['input: expected one JSON object, got null']],
    [
      'an empty object',
      {},
      [
        'projectDir: expected an absolute path, got nothing',
        'taskQueue: expected a task queue name: 1 to 1000 characters, no control characters, got nothing',
        'start: expected an object: {"workflowType": ..., "args": [...]}, {"command": ...} or {"byWorker": true}, got nothing',
      ],
    ],
    [
      'a relative projectDir',
      { ...valid, projectDir: 'shop' },
      ['projectDir: expected an absolute path, got "shop"'],
    ],
    [
      'an unknown field',
      { ...valid, taskqueue: 'x' },
      [
        'taskqueue: expected no such field (known: projectDir, taskQueue, workerCommand, project, env, readyTimeoutSeconds, graceSeconds, host, start, resultTimeoutSeconds, resultRule, replayGate), got "x"',
      ],
    ],
    [
      'args that are not an array',
      { ...valid, start: { workflowType: 'Order', args: 'x' } },
      ['start.args: expected an array, got "x"'],
    ],
    [
      'an unknown start field',
      { ...valid, start: { workflowType: 'Order', id: 'x' } },
      [
        'start.id: expected no such field (known: workflowType, args, workflowId, command, workflowIdPattern, byWorker), got "x"',
      ],
    ],
    [
      'an empty starter command',
      { ...valid, start: { command: ' ' } },
      ['start.command: expected a non-empty command of at most 8192 characters, no NUL byte, got " "'],
    ],
    ['env with a number value', { ...valid, env: { A: 1 } }, ['env.A: expected a string value, got 1']],
    [
      'a readiness timeout out of range',
      { ...valid, readyTimeoutSeconds: 0 },
      ['readyTimeoutSeconds: expected a number from 1 to 600, got 0'],
    ],
    [
      'a grace period that is a string',
      { ...valid, graceSeconds: '5' },
      ['graceSeconds: expected a number from 0 to 300, got "5"'],
    ],
  ];
  for (const [title, raw, expected] of table) {
    it(`names the field and value for ${title}`, () => assert.deepEqual(problems(raw), expected));
  }
});
