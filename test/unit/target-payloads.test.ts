// How target workflows' payloads are read: what the default converter reads, protobuf JSON, and a
// reason in place of a value for the rest, never a throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Payload } from '@temporalio/common';
import { targetPayloadConverter, UnreadablePayload } from '../../src/temporal/target-payloads.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const payload = (metadata: Record<string, string>, data: string): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, bytes(v)])),
  data: bytes(data),
});
const read = (p: Payload) => targetPayloadConverter.fromPayload<unknown>(p);
const problem = (p: Payload) => {
  const value = read(p);
  assert.ok(value instanceof UnreadablePayload, `read as ${JSON.stringify(value)}`);
  return value.problem;
};

describe('targetPayloadConverter', () => {
  it('reads JSON, protobuf JSON, binary and null as the SDK does', () => {
    assert.deepEqual(read(payload({ encoding: 'json/plain' }, '{"status":"ok"}')), { status: 'ok' });
    assert.deepEqual(
      read(payload({ encoding: 'json/protobuf', messageType: 'google.protobuf.Struct' }, '{"count":3}')),
      { count: 3 },
    );
    assert.deepEqual(read(payload({ encoding: 'binary/plain' }, 'ab')), bytes('ab'));
    assert.equal(read(payload({ encoding: 'binary/null' }, '')), undefined);
  });

  it('names what it cannot read: a codec encoding, binary protobuf, no encoding, NaN, broken JSON', () => {
    assert.match(
      problem(payload({ encoding: 'binary/encrypted' }, '\u0001')),
      /^encoded as binary\/encrypted: /,
    );
    assert.match(
      problem(payload({ encoding: 'binary/protobuf', messageType: 'shop.Order' }, '\u0008')),
      /^a binary protobuf \(shop\.Order\), whose schema/,
    );
    assert.match(problem(payload({}, 'x')), /^encoded as \(no encoding\)/);
    assert.match(problem(payload({ encoding: 'json/plain' }, '{"score": NaN}')), /the number NaN/);
    assert.match(problem(payload({ encoding: 'json/plain' }, '{"a":')), /^not valid JSON/);
    assert.match(problem(payload({ encoding: 'json/protobuf' }, '{')), /^not valid JSON/);
  });

  it('writes as the SDK does, and prints an unreadable payload as its reason', () => {
    const written = targetPayloadConverter.toPayload({ approved: true });
    assert.deepEqual(read(written), { approved: true });
    assert.equal(
      JSON.stringify({ value: new UnreadablePayload('why') }),
      '{"value":"(unreadable payload: why)"}',
    );
  });
});
