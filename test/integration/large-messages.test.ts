// Runs with large payloads and memos on a real server: a history page or a list page of them is over
// gRPC-js's 4 MiB default, and the commands' client (connectClient) still reads them, as the Temporal CLI does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { connectClient } from '../../src/temporal/connection.js';
import { listExecutions } from '../../src/inspect/list-executions.js';
import { testClient, testTarget, uniqueQueue } from '../helpers/harness.js';

const queue = uniqueQueue('large-messages');
const RUNS = 80;
const SIGNALS = 80;
// 60 KB each: 80 of them make one page of about 4.8 MB.
const big = (c: string) => c.repeat(60_000);
let starter: Client;
let client: Client;

before(async () => {
  starter = await testClient();
  // No worker polls the queue: the runs stay open with what they were started and signalled with.
  for (let i = 0; i < RUNS; i++)
    await starter.workflow.start('NoWorkerTarget', {
      taskQueue: queue,
      workflowId: `${queue}-${i}`,
      memo: { note: big('m') },
    });
  const signalled = starter.workflow.getHandle(`${queue}-0`);
  for (let i = 0; i < SIGNALS; i++) await signalled.signal('poke', big('s'));
  client = await connectClient(testTarget());
});

after(async () => {
  await Promise.all(
    Array.from({ length: RUNS }, (_, i) =>
      starter.workflow
        .getHandle(`${queue}-${i}`)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await client?.connection.close();
  await starter?.connection.close();
});

describe('answers over 4 MiB through the commands client', () => {
  it('reads a history whose first page is about 4.8 MB', async () => {
    const history = await client.workflow.getHandle(`${queue}-0`).fetchHistory();
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
    assert.equal(signals.length, SIGNALS);
  });

  it('lists a page of runs whose memos come to about 4.8 MB', async () => {
    const query = `TaskQueue = "${queue}"`;
    // Visibility is eventually consistent: wait until every run is listed.
    let listed = 0;
    for (let tries = 0; tries < 50 && listed < RUNS; tries++) {
      listed = 0;
      for await (const info of listExecutions(client, query, 500)) {
        assert.ok(info.memo?.fields?.note, 'the memo came back');
        listed += 1;
      }
      if (listed < RUNS) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(listed, RUNS);
  });
});
