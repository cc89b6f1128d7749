// A Nexus operation that never starts, on a real Python worker and real Nexus endpoints of the dev
// server: a start handler that raises, an endpoint whose target queue no worker polls, and an endpoint
// that does not exist. Each caller is nexus-operation-failing, not a healthy wait.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  nexusEndpointCli,
  startFixtureWorker,
  sweepFindings,
  terminateAll,
  uniqueEndpoint,
  uniqueId,
  waitUntil,
} from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('nexus-failing');
const nobodyQueue = uniqueQueue('nexus-nobody');
const opsQueue = uniqueQueue('ops-nexus-failing');
const endpoints = {
  refusing: uniqueEndpoint('refusing-endpoint'),
  unserved: uniqueEndpoint('unserved-endpoint'),
  missing: uniqueEndpoint('missing-endpoint'),
};
// Two attempts: a start request to an unserved queue takes about 10 s to time out.
const policy = { noWorkerAfterMs: 2000, retryStormAttempts: 2 };
const ids = {
  refused: uniqueId('nexus-refused'),
  unserved: uniqueId('nexus-unserved'),
  missing: uniqueId('nexus-missing'),
};

const sweepQueue = () => sweepFindings(h.client, { taskQueue: queue, opsTaskQueue: opsQueue, policy });

const endpoint = nexusEndpointCli;

before(async () => {
  h = await createHarness();
  const target = (name: string, q: string) =>
    endpoint('create', '--name', name, '--target-namespace', 'default', '--target-task-queue', q);
  await target(endpoints.refusing, queue);
  await target(endpoints.unserved, nobodyQueue);
  await startFixtureWorker(h, { project: uniqueId('nexus-failing'), taskQueue: queue });
  for (const [key, name] of [
    ['refused', endpoints.refusing],
    ['unserved', endpoints.unserved],
    ['missing', endpoints.missing],
  ] as const)
    await h.client.workflow.start('WaitsOnRefusedNexus', {
      taskQueue: queue,
      workflowId: ids[key],
      args: [{ endpoint: name }],
    });
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  for (const name of [endpoints.refusing, endpoints.unserved])
    await endpoint('delete', '--name', name).catch(() => undefined);
  await h.cleanup();
});

describe('a Nexus operation that cannot start', () => {
  let found: Map<string, Finding>;

  before(async () => {
    let last: Map<string, Finding> | undefined;
    found = await waitUntil(
      'the three callers to be found nexus-operation-failing',
      async () => {
        last = await sweepQueue();
        return Object.values(ids).every((id) => last?.get(id)?.verdict === 'nexus-operation-failing')
          ? last
          : undefined;
      },
      90_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${JSON.stringify([...(last?.values() ?? [])].map((f) => [f.workflowId, f.verdict, f.evidence.summary]))}`,
      );
    });
  });

  it('names the operation, endpoint, attempts and what the start handler raised', async () => {
    const f = found.get(ids.refused)!;
    assert.equal(f.stalled, true);
    const n = f.evidence.nexusOperation!;
    assert.deepEqual(
      [n.endpoint, n.service, n.operation],
      [endpoints.refusing, 'FixtureService', 'start_refused'],
    );
    assert.ok(n.attempt! >= 2, `attempt ${n.attempt}`);
    assert.equal(n.handlerErrorType, 'INTERNAL');
    assert.deepEqual(n.cause, {
      message: `refused to start ${ids.refused}: the ledger is offline`,
      type: 'RuntimeError',
    });
    assert.match(
      f.evidence.summary,
      new RegExp(
        `^Nexus operation FixtureService\\.start_refused on endpoint ${endpoints.refusing} cannot start: attempt \\d+ \\((backing-off|scheduled)\\), ` +
          `last failure: INTERNAL: .*RuntimeError: refused to start`,
      ),
    );
    // The endpoint registry names the target queue, where the fixture worker polls for Nexus tasks.
    assert.deepEqual(n.target, { namespace: 'default', taskQueue: queue });
    assert.ok(
      n.handlerPollers?.some((p) => p.live),
      JSON.stringify(n.handlerPollers),
    );
    assert.equal(f.remedy.action, 'fix-code-restart-worker');
    assert.match(
      f.remedy.text,
      new RegExp(`restart the worker that polls task queue "${queue}" in namespace default`),
    );
    // Analysed alone, the same.
    const analysis = await analyzeWorkflow(h.client, { workflowId: ids.refused }, { policy });
    assert.equal(analysis.finding.verdict, 'nexus-operation-failing');
  });

  it('asks for the handler worker when no worker polls the endpoint target queue', () => {
    const f = found.get(ids.unserved)!;
    const n = f.evidence.nexusOperation!;
    assert.equal(n.endpoint, endpoints.unserved);
    assert.equal(n.handlerErrorType, 'UPSTREAM_TIMEOUT');
    assert.deepEqual(n.target, { namespace: 'default', taskQueue: nobodyQueue });
    assert.deepEqual(n.handlerPollers, []);
    assert.match(
      f.evidence.summary,
      new RegExp(`task queue "${nobodyQueue}" in namespace default, where no worker polls for Nexus tasks`),
    );
    assert.equal(f.remedy.action, 'start-worker');
    assert.match(f.remedy.text, new RegExp(`start the worker that polls task queue "${nobodyQueue}"`));
    assert.match(
      f.remedy.text,
      /No Nexus handler answered the start request of FixtureService\.start_refused/,
    );
  });

  it('reads an endpoint that does not exist from the cause of the failing workflow task', () => {
    const f = found.get(ids.missing)!;
    assert.equal(f.evidence.nexusOperation, undefined);
    assert.ok((f.evidence.workflowTaskAttempt ?? 0) >= 1);
    assert.match(f.evidence.summary, /BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES/);
    assert.match(f.evidence.failureMessage ?? '', new RegExp(endpoints.missing));
    assert.match(f.remedy.text, /temporal operator nexus endpoint create/);
  });
});
