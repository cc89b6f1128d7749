import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findLogErrors, latestRun, lineTimeMs } from '../../src/host/logs/log-errors.js';

const local = (...parts: number[]) =>
  new Date(parts[0]!, parts[1]! - 1, parts[2], parts[3], parts[4], parts[5], parts[6]).getTime();

describe('lineTimeMs', () => {
  const cases: [string, number | undefined][] = [
    ['2025-06-01 10:11:12,345 INFO x: y', local(2025, 6, 1, 10, 11, 12, 345)],
    ['2025-06-01T10:11:12.5Z started', Date.UTC(2025, 5, 1, 10, 11, 12, 500)],
    ['2025-06-01T10:11:12+02:00 started', Date.UTC(2025, 5, 1, 8, 11, 12)],
    ['=== 2025-06-01T10:11:12.000Z temporal-ops starting: x', Date.UTC(2025, 5, 1, 10, 11, 12)],
    ['  File "worker.py", line 3', undefined],
    ['Worker started, listening on task queue: q', undefined],
  ];
  for (const [line, expected] of cases)
    it(JSON.stringify(line), () => assert.equal(lineTimeMs(line), expected));
});

describe('findLogErrors', () => {
  const log = [
    '=== 2025-06-01T10:00:00.000Z temporal-ops starting: python worker.py (cwd /app)',
    'Worker started, listening on task queue: orders',
    '2025-06-01 10:00:05,000 INFO temporalio.worker: fine',
    '2025-06-01 10:00:06,000 WARNING temporalio.worker._workflow_instance: Failed activation on workflow CodeBug with ID a and run ID b',
    'Traceback (most recent call last):',
    '  File "workflows.py", line 9, in run',
    '    raise RuntimeError("boom in workflow code")',
    'RuntimeError: boom in workflow code',
    '2025-06-01 10:00:07,000 ERROR temporalio.activity: charge failed',
    'Traceback (most recent call last):',
    '  File "activities.py", line 3, in charge',
    'ValueError: card declined',
    '2025-06-01 10:00:08,000 INFO temporalio.worker: after',
    "KeyError: 'orders'",
  ].join('\n');

  it('finds logged errors, SDK failure warnings and tracebacks with the time of their line', () => {
    assert.deepEqual(findLogErrors(log, 10), [
      {
        line: 4,
        timeMs: local(2025, 6, 1, 10, 0, 6, 0),
        text: '2025-06-01 10:00:06,000 WARNING temporalio.worker._workflow_instance: Failed activation on workflow CodeBug with ID a and run ID b — RuntimeError: boom in workflow code',
      },
      {
        line: 9,
        timeMs: local(2025, 6, 1, 10, 0, 7, 0),
        text: '2025-06-01 10:00:07,000 ERROR temporalio.activity: charge failed — ValueError: card declined',
      },
      { line: 14, timeMs: local(2025, 6, 1, 10, 0, 8, 0), text: "KeyError: 'orders'" },
    ]);
  });

  it('keeps the newest `limit` errors', () => {
    assert.deepEqual(
      findLogErrors(log, 1).map((e) => e.line),
      [14],
    );
  });

  it('dates a bare traceback by the nearest timestamp above it, the run marker included', () => {
    const [error] = findLogErrors(
      '=== 2025-06-01T10:00:00.000Z temporal-ops starting: x\nTraceback (most recent call last):\n  File "w.py"\nImportError: no module named temporalio',
    );
    assert.deepEqual(error, {
      line: 2,
      timeMs: Date.UTC(2025, 5, 1, 10),
      text: 'ImportError: no module named temporalio',
    });
  });

  it('finds nothing in a clean log', () => {
    assert.deepEqual(
      findLogErrors('Worker started, listening on task queue: q\n2025-06-01 10:00:05,000 INFO x: ok'),
      [],
    );
  });
});

describe('latestRun', () => {
  it('keeps the output after the last start marker', () => {
    const text =
      '=== 2025-01-01T00:00:00Z temporal-ops starting: a\nERROR old\n=== 2025-01-02T00:00:00Z temporal-ops starting: b\nnew';
    assert.equal(latestRun(text), '=== 2025-01-02T00:00:00Z temporal-ops starting: b\nnew');
    assert.equal(latestRun('no marker'), 'no marker');
  });
});
