import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  crashStreak,
  nextRestart,
  type RestartDecision,
  type RestartPolicy,
} from '../../src/host/workers/backoff.js';

const policy: RestartPolicy = {
  maxRestarts: 3,
  initialDelayMs: 1000,
  maxDelayMs: 5000,
  factor: 2,
  resetAfterMs: 60_000,
};
const short = { ranMs: 2000 };
const long = { ranMs: 120_000 };

describe('nextRestart', () => {
  const cases: [string, Partial<RestartPolicy>, { ranMs: number }[], Partial<RestartDecision>][] = [
    [
      'first crash: restart after the initial delay',
      {},
      [short],
      { action: 'restart', delayMs: 1000, attempt: 1 },
    ],
    [
      'second crash in a row: double the delay',
      {},
      [short, short],
      { action: 'restart', delayMs: 2000, attempt: 2 },
    ],
    [
      'third crash in a row: double again',
      {},
      [short, short, short],
      { action: 'restart', delayMs: 4000, attempt: 3 },
    ],
    [
      'more crashes than restarts allowed: give up',
      {},
      [short, short, short, short],
      { action: 'give-up', attempts: 3 },
    ],
    [
      'the delay is capped',
      { maxRestarts: 10 },
      [short, short, short, short, short],
      { action: 'restart', delayMs: 5000, attempt: 5 },
    ],
    [
      'a long healthy run resets the streak',
      {},
      [short, short, short, long],
      { action: 'restart', delayMs: 1000, attempt: 1 },
    ],
    [
      'crashes after a healthy run count from it',
      {},
      [short, short, short, long, short],
      { action: 'restart', delayMs: 2000, attempt: 2 },
    ],
    ['maxRestarts 0 never restarts', { maxRestarts: 0 }, [short], { action: 'give-up', attempts: 0 }],
    ['no crash yet: nothing to wait for', {}, [], { action: 'restart', delayMs: 0, attempt: 0 }],
    [
      'a factor of 1 keeps the delay flat',
      { factor: 1 },
      [short, short, short],
      { action: 'restart', delayMs: 1000, attempt: 3 },
    ],
  ];
  for (const [title, overrides, crashes, expected] of cases) {
    it(title, () => {
      const decision = nextRestart({ ...policy, ...overrides }, crashes);
      assert.deepEqual(
        Object.fromEntries(Object.keys(expected).map((k) => [k, decision[k as keyof RestartDecision]])),
        expected,
      );
    });
  }

  it('explains a give-up', () => {
    const decision = nextRestart({ ...policy, maxRestarts: 1 }, [short, short]);
    assert.deepEqual(decision, {
      action: 'give-up',
      attempts: 1,
      reason: 'crashed 2 times in a row, each within 60 s of starting; gave up after 1 restart',
    });
  });

  it('counts the streak from the crash that ended the last healthy run', () => {
    assert.equal(crashStreak([short, long, short, short], policy), 3);
    assert.equal(crashStreak([long], policy), 1);
  });
});
