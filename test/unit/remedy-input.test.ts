import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDebugStalledInput } from '../../src/contract/debug-stalled-input.js';
import { describeProblem } from '../../src/contract/validate.js';

function problems(raw: unknown): string[] {
  return parseDebugStalledInput(raw).problems.map(describeProblem);
}

describe('DebugStalled input with act', () => {
  it('defaults to diagnosing only, and gives act its documented defaults', () => {
    assert.equal(parseDebugStalledInput({}).input?.act, false);
    const input = parseDebugStalledInput({ act: true, projectDir: '/srv/app' }).input;
    assert.deepEqual(
      [
        input?.waitForFixSeconds,
        input?.nonDeterminism,
        input?.rerun,
        input?.verifySeconds,
        input?.autoApprove,
      ],
      [0, 'terminate', true, 60, undefined],
    );
  });

  it('takes taskQueue (the worker queue) together with workflowId only with act', () => {
    assert.deepEqual(problems({ workflowId: 'w', taskQueue: 'q', act: true, projectDir: '/srv/app' }), []);
    assert.match(
      problems({ workflowId: 'w', taskQueue: 'q' }).join('\n'),
      /workflowId: expected either workflowId/,
    );
    assert.match(
      problems({ workflowId: 'w', query: 'x', act: true, projectDir: '/srv/app' }).join('\n'),
      /either workflowId/,
    );
  });

  it('names the field and the bad value', () => {
    const text = problems({ act: true, nonDeterminism: 'nuke', verifySeconds: 0 }).join('\n');
    assert.match(text, /act: expected false unless projectDir is given/);
    assert.match(text, /nonDeterminism: expected .*terminate.*reset.*got "nuke"/);
    assert.match(text, /verifySeconds: expected .*1 to 3600.*got 0/);
  });
});
