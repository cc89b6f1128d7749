import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickStartedRun, startedRunsQuery, type StartedRun } from '../../src/inspect/started-runs.js';

const run = (workflowId: string, runId: string, startTimeMs: number): StartedRun => ({
  workflowId,
  runId,
  workflowType: 'Order',
  startTimeMs,
});

describe('the workflow a starter started', () => {
  it('is the one workflow of the window', () => {
    assert.deepEqual(pickStartedRun([run('a', 'r1', 5)], 'Result: {}'), {
      kind: 'one',
      run: run('a', 'r1', 5),
    });
  });

  it('is its first run when it continued as new within the window', () => {
    const pick = pickStartedRun([run('a', 'r2', 9), run('a', 'r1', 5)], '');
    assert.deepEqual(pick, { kind: 'one', run: run('a', 'r1', 5) });
  });

  it('is none when visibility shows nothing', () => {
    assert.deepEqual(pickStartedRun([], ''), { kind: 'none' });
  });

  it('is the only one of several whose ID the output names', () => {
    const pick = pickStartedRun([run('a', 'r1', 5), run('b', 'r2', 6)], 'started b; Result: ok');
    assert.deepEqual(pick, { kind: 'one', run: run('b', 'r2', 6) });
  });

  it('is refused among several the output does not tell apart, naming every one', () => {
    for (const output of ['Result: ok', 'a and b', 'ab, b1, xa']) {
      const pick = pickStartedRun([run('b', 'r2', 6), run('a', 'r1', 5)], output);
      assert.deepEqual(pick, { kind: 'several', candidates: [run('a', 'r1', 5), run('b', 'r2', 6)] });
    }
  });

  it("is looked for on the starter's queue, within its lifetime, ops workflows left out", () => {
    const query = startedRunsQuery({
      taskQueue: 'orders',
      opsTaskQueue: 'temporal-ops',
      startedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 600),
      endedAtMs: Date.UTC(2026, 0, 2, 3, 4, 9, 100),
    });
    assert.match(
      query,
      /^TaskQueue = "orders" AND StartTime >= "2026-01-02T03:04:05.600Z" AND StartTime <= "2026-01-02T03:04:09.100Z" AND /,
    );
    assert.match(query, /TaskQueue != "temporal-ops"/);
    assert.match(query, /WorkflowType NOT IN \("CleanStart"/);
  });
});
