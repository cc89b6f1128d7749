// The owner a ProjectHost run holds, read from its history: the start's state, then each claim's answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { ownerOf } from '../../src/temporal/bookkeeping-move.js';

const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const started = (state: unknown) => ({
  workflowExecutionStartedEventAttributes: { input: { payloads: [payload(state)] } },
});
const answered = (owner: unknown) => ({
  workflowExecutionUpdateCompletedEventAttributes: { outcome: { success: { payloads: [payload(owner)] } } },
});

describe('ownerOf', () => {
  it('is the start state’s owner when nobody claimed since', () => {
    assert.deepEqual(ownerOf([started({ owner: { host: 'a', sinceMs: 1 } })]), { host: 'a', sinceMs: 1 });
  });

  it('is the last claim’s answer after that', () => {
    const events = [
      started({ owner: { host: 'a', sinceMs: 1 } }),
      answered({ host: 'a', sinceMs: 1 }),
      answered({ host: 'b', sinceMs: 2, previous: 'a' }),
    ];
    assert.deepEqual(ownerOf(events), { host: 'b', sinceMs: 2, previous: 'a' });
  });

  it('is none for a run that never had one', () => {
    assert.equal(ownerOf([started({})]), undefined);
    assert.equal(ownerOf([]), undefined);
  });
});
