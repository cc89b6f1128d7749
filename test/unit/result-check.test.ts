import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkResult } from '../../src/diagnosis/result-check.js';

describe('checkResult', () => {
  const cases: [string, unknown, boolean][] = [
    ['a status of "error" reads like an error', { status: 'error', message: 'x' }, true],
    ['status comparison ignores case', { status: 'FAILED' }, true],
    ['a status of "ok" is fine', { status: 'ok', orderId: '1' }, false],
    ['a truthy error key reads like an error', { error: 'timeout' }, true],
    ['a null error key is fine', { error: null, value: 3 }, false],
    ['an empty errors list is fine', { errors: [] }, false],
    ['ok: false reads like an error', { ok: false }, true],
    ['ok: true is fine', { ok: true }, false],
    ['a string starting with "Error" reads like an error', 'Error: could not connect', true],
    ['an ordinary string is fine', 'Hello, Temporal', false],
    ['numbers are fine', 42, false],
    ['null is fine', null, false],
    ['arrays are fine', [{ status: 'error' }], false],
  ];
  for (const [title, result, expected] of cases) {
    it(title, () => assert.equal(checkResult(result).looksLikeError, expected));
  }

  it('names the key and the value that matched', () => {
    assert.equal(checkResult({ status: 'error' }).reason, 'result.status is "error"');
  });

  it('accepts a custom rule', () => {
    assert.equal(
      checkResult({ verdict: 'bad' }, { statusKeys: ['verdict'], errorValues: ['bad'] }).looksLikeError,
      true,
    );
    assert.equal(checkResult({ status: 'error' }, { statusKeys: [] }).looksLikeError, false);
  });
});
