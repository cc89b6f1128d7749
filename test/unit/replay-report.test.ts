import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildReport,
  parseHookLines,
  type HistoryRef,
  type HookLine,
} from '../../src/host/replay/hook-output.js';

const refs = [
  { workflowId: 'a', runId: 'ra', workflowType: 'Order' },
  { workflowId: 'b', runId: 'rb', workflowType: 'Order' },
  { workflowId: 'c', runId: 'rc', workflowType: 'Approval' },
  { workflowId: 'd', runId: 'rd', workflowType: 'Approval' },
];

const report = (lines: HookLine[], histories: HistoryRef[] = refs) =>
  buildReport({
    taskQueue: 'q',
    histories,
    lines,
    truncated: false,
    spawned: true,
    fetchMs: 1,
    replayMs: 2,
    durationMs: 3,
  });

describe('buildReport', () => {
  const lines: HookLine[] = [
    { kind: 'hook-loaded', pid: 1, python: '/p' },
    { kind: 'result', workflowId: 'a', runId: 'ra', outcome: 'replays' },
    {
      kind: 'result',
      workflowId: 'b',
      runId: 'rb',
      outcome: 'would-break',
      failureClass: 'NondeterminismError',
      message:
        '[TMPRL1100] Nondeterminism error: No command scheduled for event HistoryEvent(id: 5, TimerStarted)',
    },
    {
      kind: 'result',
      workflowId: 'c',
      runId: 'rc',
      outcome: 'would-break',
      failureClass: 'RuntimeError',
      message: 'Fatal: boom',
    },
    { kind: 'done', count: 3 },
  ];

  it('counts and groups by workflow type, in listing order', () => {
    const r = report(lines);
    assert.deepEqual([r.checked, r.replays, r.wouldBreak], [4, 1, 3]);
    assert.deepEqual(r.byType, {
      Order: { replays: 1, wouldBreak: 1 },
      Approval: { replays: 0, wouldBreak: 2 },
    });
    assert.deepEqual(
      r.results.map((x) => x.workflowId),
      ['a', 'b', 'c', 'd'],
    );
  });

  it('tells nondeterminism from a task failure', () => {
    const [, b, c] = report(lines).results;
    assert.equal(b?.cause, 'nondeterminism');
    assert.equal(b?.divergence?.eventId, 5);
    assert.equal(c?.cause, 'task-failure');
  });

  it('keeps results small: no history, only the run and the verdict', () => {
    const big = { ...refs[0]!, json: '{"events": []}', startTimeMs: 1 };
    const r = report(lines, [big]);
    assert.deepEqual(r.results[0], {
      workflowId: 'a',
      runId: 'ra',
      workflowType: 'Order',
      outcome: 'replays',
    });
  });

  it('counts a run the hook gave no result for as a replay error, never as replaying', () => {
    const d = report(lines).results[3];
    assert.equal(d?.outcome, 'would-break');
    assert.equal(d?.cause, 'replay-error');
  });
});

describe('parseHookLines', () => {
  it('drops a torn last line', () => {
    const text = '{"kind":"hook-loaded","pid":1,"python":"p"}\n{"kind":"result","workflowId":"a","ru';
    assert.deepEqual(parseHookLines(text), [{ kind: 'hook-loaded', pid: 1, python: 'p' }]);
  });
});
