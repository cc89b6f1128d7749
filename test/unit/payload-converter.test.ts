// The recipes' payload converter: what is sent to a recipe and cannot be decoded becomes a value
// the skeleton refuses (never an exception that fails the workflow task); everything else decodes
// as with the SDK's default.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPayloadConverter, type SerializationContext } from '@temporalio/common';
import {
  MAX_INPUT_DEPTH,
  nestingDepth,
  payloadConverter,
  UndecodablePayload,
} from '../../workflows/lib/payload-converter.js';

const toRecipe: SerializationContext = { type: 'workflow', namespace: 'default', workflowId: 'w' };
const fromActivity: SerializationContext = { type: 'activity', namespace: 'default', isLocal: false };

function json(text: string, encoding = 'json/plain') {
  return { metadata: { encoding: Buffer.from(encoding) }, data: Buffer.from(text) };
}

function problemOf(text: string, encoding?: string): string {
  const value = payloadConverter.fromPayload(json(text, encoding), toRecipe);
  assert.ok(value instanceof UndecodablePayload, `${text.slice(0, 40)} decodes to a marker`);
  return value.problem;
}

describe('recipe payload converter', () => {
  it('decodes what the default converter decodes, the same way', () => {
    for (const value of [{ a: [1, 'x', null] }, 'text', 0, true, [{}]]) {
      const payload = defaultPayloadConverter.toPayload(value);
      assert.deepEqual(payloadConverter.fromPayload(payload, toRecipe), value);
      assert.deepEqual(payloadConverter.toPayload(value, toRecipe), payload);
    }
  });

  it('names the problem of input it cannot decode', () => {
    assert.match(problemOf('{"projectDir": "/srv'), /^not valid JSON: /);
    assert.match(problemOf('{"a": Infinity}'), /the number Infinity, which JSON does not allow/);
    assert.match(problemOf('[1, -Infinity]'), /the number -Infinity/);
    assert.match(problemOf('NaN'), /the number NaN/);
    assert.match(problemOf('{"a": 1', 'binary/nonsense'), /Unknown encoding: binary\/nonsense/);
    const deep = 20_000;
    assert.equal(
      problemOf(`{"args": ${'['.repeat(deep)}${']'.repeat(deep)}}`),
      `nested more than ${MAX_INPUT_DEPTH} levels deep`,
    );
  });

  it('does not mistake Infinity or NaN inside a string for the number', () => {
    assert.match(problemOf('{"note": "Infinity \\" NaN", "a": tru'), /^not valid JSON: /);
  });

  it('accepts nesting up to the limit', () => {
    const atLimit = `${'['.repeat(MAX_INPUT_DEPTH)}${']'.repeat(MAX_INPUT_DEPTH)}`;
    const value = payloadConverter.fromPayload(json(atLimit), toRecipe);
    assert.ok(Array.isArray(value));
    assert.equal(nestingDepth(value), MAX_INPUT_DEPTH);
  });

  it('still throws for an activity result, which our own activities produce', () => {
    assert.throws(() => payloadConverter.fromPayload(json('{"a": '), fromActivity), SyntaxError);
  });

  it('shows a marker as its problem when it is encoded again', () => {
    assert.equal(JSON.stringify(new UndecodablePayload('x')), '"(undecodable payload: x)"');
  });
});
