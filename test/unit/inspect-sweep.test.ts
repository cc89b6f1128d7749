// Sweep plumbing without a server: queries, ops exclusion, bounded concurrency, log excerpts.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { mapBounded, mapLimit } from '../../src/inspect/pool.js';
import { recentQuery } from '../../src/inspect/recent.js';
import { sweepQuery } from '../../src/inspect/sweep.js';
import {
  excerptAround,
  excerptMentions,
  logLineTimeMs,
  workerLogExcerpts,
} from '../../src/host/logs/worker-logs.js';
import { isOpsWorkflow, OPS_WORKFLOW_TYPES } from '../../src/contract/ops-workflows.js';
import * as workflows from '../../workflows/index.js';

describe('ops workflows', () => {
  it('lists exactly the recipes workflows/index.ts exports', () => {
    assert.deepEqual([...OPS_WORKFLOW_TYPES].sort(), Object.keys(workflows).sort());
  });

  it('recognises recipes by type and anything on the ops queue or its host queues', () => {
    assert.equal(isOpsWorkflow('CleanStart', 'orders', 'temporal-ops'), true);
    assert.equal(isOpsWorkflow('DebugStalled', 'anywhere', 'temporal-ops'), true);
    assert.equal(isOpsWorkflow('Order', 'temporal-ops', 'temporal-ops'), true);
    assert.equal(isOpsWorkflow('Order', 'temporal-ops@devbox', 'temporal-ops'), true);
    assert.equal(isOpsWorkflow('Order', 'orders', 'temporal-ops'), false);
    assert.equal(isOpsWorkflow('CleanStartish', 'temporal-opsx', 'temporal-ops'), false);
  });
});

describe('queries', () => {
  it('sweeps running workflows only, ANDs the user filter in parentheses and leaves ops workflows out', () => {
    const query = sweepQuery({
      query: 'WorkflowType = "Order" OR WorkflowType = "Refund"',
      taskQueue: 'orders',
      opsTaskQueue: 'temporal-ops',
    });
    assert.equal(
      query,
      'ExecutionStatus = "Running" AND (WorkflowType = "Order" OR WorkflowType = "Refund") AND TaskQueue = "orders" AND ' +
        `WorkflowType NOT IN (${OPS_WORKFLOW_TYPES.map((n) => `"${n}"`).join(', ')}) AND TaskQueue != "temporal-ops"`,
    );
    assert.match(
      sweepQuery({ opsTaskQueue: 'ops', query: '  ' }),
      /^ExecutionStatus = "Running" AND WorkflowType NOT IN/,
    );
  });

  it('asks for workflows started or closed since N minutes ago', () => {
    const now = Date.UTC(2025, 0, 15, 12, 30, 0);
    assert.match(
      recentQuery({ minutes: 30, now, opsTaskQueue: 'ops' }),
      /^\(StartTime >= "2025-01-15T12:00:00.000Z" OR CloseTime >= "2025-01-15T12:00:00.000Z"\) AND WorkflowType NOT IN/,
    );
  });
});

describe('mapBounded', () => {
  it('keeps at most `limit` calls in flight and pulls the source lazily', async () => {
    let inFlight = 0;
    let peak = 0;
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 50; i++) {
        pulled += 1;
        assert.ok(pulled - done <= 4 + 1, `pulled ${pulled} with ${done} done: not lazy`);
        yield i;
      }
    }
    let done = 0;
    const results: number[] = [];
    for await (const r of mapBounded(source(), 4, async (i) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await sleep(i % 3);
      inFlight -= 1;
      done += 1;
      return i * 2;
    })) {
      results.push(r);
    }
    assert.equal(peak, 4);
    assert.deepEqual(
      results.sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i * 2),
    );
  });

  it('holds at most `limit` results for a slow consumer: a call counts until its result is taken', async () => {
    let started = 0;
    let taken = 0;
    const results: number[] = [];
    for await (const r of mapBounded(
      Array.from({ length: 30 }, (_, i) => i),
      3,
      async (i) => {
        started += 1;
        assert.ok(started - taken <= 3, `${started} started with ${taken} taken`);
        return i;
      },
    )) {
      // Every call in flight settles before the consumer asks for more.
      await sleep(5);
      taken += 1;
      results.push(r);
    }
    assert.equal(results.length, 30);
  });

  it('throws the first failure after the calls in flight settle', async () => {
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of mapBounded([1, 2, 3, 4, 5, 6], 2, async (i) => {
          if (i === 3) throw new Error('boom 3');
          await sleep(1);
          return i;
        })) {
          seen.push(r);
        }
      })(),
      /boom 3/,
    );
    assert.ok(!seen.includes(5) && !seen.includes(6), 'nothing new starts after a failure');
  });

  it('rejects a limit that is not a positive integer', async () => {
    await assert.rejects(mapBounded([1], 0, async (i) => i).next(), RangeError);
  });

  it('mapLimit keeps input order', async () => {
    assert.deepEqual(await mapLimit([30, 10, 20], 2, async (ms, i) => (await sleep(ms), `${i}:${ms}`)), [
      '0:30',
      '1:10',
      '2:20',
    ]);
  });
});

const PY_LOG = [
  '2026-11-25 12:09:27,983 INFO root: Fixture worker pid 19468, FIXTURE_CODE_VERSION=1',
  'Worker started, listening on task queue: stalls',
  '2026-11-25 12:09:31,100 WARNING temporalio.worker._workflow_instance: Failed activation on workflow CodeBug with ID s-CodeBug and run ID 01a2-run',
  'Traceback (most recent call last):',
  '  File "/app/workflows.py", line 46, in run',
  '    raise RuntimeError("boom in workflow code")',
  'RuntimeError: boom in workflow code',
  '2026-11-25 12:09:31,500 INFO temporalio.activity: always_fails failed (activity_id=1, workflow_id=s-CodeBug2)',
  '2026-11-25 12:09:40,000 INFO root: later line',
].join('\n');

describe('worker log excerpts', () => {
  it('reads Python asctime as local time and ISO timestamps with their zone', () => {
    assert.equal(
      logLineTimeMs('2026-11-25 12:09:27,983 INFO x'),
      new Date(2026, 10, 25, 12, 9, 27, 983).getTime(),
    );
    assert.equal(logLineTimeMs('2026-11-25T12:09:27.983Z x'), Date.UTC(2026, 10, 25, 12, 9, 27, 983));
    assert.equal(logLineTimeMs('Traceback (most recent call last):'), undefined);
  });

  it('takes the lines naming the run with their traceback', () => {
    const lines = excerptMentions(PY_LOG, { workflowId: 's-CodeBug', runId: '01a2-run' });
    assert.equal(lines.length, 5);
    assert.match(lines[0] ?? '', /Failed activation on workflow CodeBug/);
    assert.equal(lines.at(-1), 'RuntimeError: boom in workflow code');
  });

  it('matches a workflow id as a whole word only', () => {
    const lines = excerptMentions(PY_LOG, { workflowId: 's-CodeBug', runId: 'no-such-run' });
    assert.equal(lines.length, 5, 's-CodeBug2 is another workflow');
  });

  it('takes a workflow id literally, at either end of a line as well', () => {
    const at = '2026-11-25 12:09:31,100 ';
    const log = ['order.(1)+ failed', 'orderx(1)+ failed', 'retrying order.(1)+', 'order.(1)+x']
      .map((line, i) => (i === 0 ? line : at + line))
      .join('\n');
    const lines = excerptMentions(log, { workflowId: 'order.(1)+', runId: 'no-such-run' });
    assert.deepEqual(lines, ['order.(1)+ failed', `${at}retrying order.(1)+`]);
  });

  it('falls back to the lines logged around a time', () => {
    const at = new Date(2026, 10, 25, 12, 9, 31, 200).getTime();
    const lines = excerptAround(PY_LOG, at, 1000);
    assert.equal(lines.length, 6);
    assert.doesNotMatch(lines.join('\n'), /later line|Fixture worker pid/);
  });

  it('searches every worker log of the state dir', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'logs-'));
    await mkdir(join(stateDir, 'logs'));
    await writeFile(join(stateDir, 'logs', 'worker-shop.log'), PY_LOG);
    await writeFile(join(stateDir, 'logs', 'worker-other.log'), 'nothing here\n');
    await writeFile(join(stateDir, 'logs', 'server-7233.log'), 's-CodeBug 01a2-run\n');
    const found = await workerLogExcerpts(stateDir, {
      workflowId: 's-CodeBug',
      runId: '01a2-run',
      taskQueue: 'stalls',
    });
    assert.deepEqual(
      found.map((f) => [f.path.endsWith('worker-shop.log'), f.match, f.lines.length]),
      [[true, 'run', 5]],
    );
    assert.deepEqual(
      await workerLogExcerpts(join(stateDir, 'missing'), {
        workflowId: 'x',
        runId: 'y',
        taskQueue: 'q',
        aroundMs: 0,
      }),
      [],
    );
  });
});
