// The server's per-workflow limits on pending signals and cancel requests to other workflows, on a dev
// server of this test's own whose limits are lowered to 2 (dynamic config) and a real Python worker: a
// run that signals, or asks to cancel, three workflows at once has every workflow task failed by the
// server, and is pending-limit naming the limit, its setting and the figure this server enforces.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Finding } from '../../src/contract/verdicts.js';
import { defaultTemporalCli } from '../../src/config.js';
import { planRemedies } from '../../src/diagnosis/remedy-plan.js';
import { startDevServer, stopDevServers } from '../../src/host/server/dev-server.js';
import { freePort } from '../../src/host/server/ports.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { sweep } from '../../src/inspect/sweep.js';
import { loadConnectTarget } from '../../src/temporal/connection.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
let serverState: string;
let client: Client;
const queue = uniqueQueue('limits');
const opsQueue = uniqueQueue('ops-limits');
const policy = { noWorkerAfterMs: 2000, retryStormAttempts: 3 };
const ids = { signals: uniqueId('signals-flood'), cancels: uniqueId('cancels-flood') };

async function sweepQueue(): Promise<Map<string, Finding>> {
  const found = new Map<string, Finding>();
  for await (const item of sweep(client, { taskQueue: queue, opsTaskQueue: opsQueue, policy })) {
    assert.notEqual(item.kind, 'error', JSON.stringify(item));
    if (item.kind === 'finding') found.set(item.finding.workflowId, item.finding);
  }
  return found;
}

before(async () => {
  h = await createHarness();
  serverState = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'limits-'));
  const server = await startDevServer(serverState, defaultTemporalCli(), {
    port: await freePort(),
    uiPort: await freePort(),
    headless: true,
    dynamicConfig: { 'limit.numPendingSignals.error': 2, 'limit.numPendingCancelRequests.error': 2 },
  });
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const target = loadConnectTarget({ address: server.address, namespace: 'default' });
  await startFixtureWorker(h, { project: uniqueId('limits'), taskQueue: queue, server: { target, client } });
  for (const [type, workflowId] of [
    ['SignalsFlood', ids.signals],
    ['CancelsFlood', ids.cancels],
  ] as const)
    await client.workflow.start(type, { taskQueue: queue, workflowId, args: [{ count: 3 }] });
});

after(async () => {
  await h.cleanup();
  await client.connection.close();
  await stopDevServers(serverState, 3000);
});

describe('per-workflow limits of pending signals and cancel requests', () => {
  let found: Map<string, Finding>;

  before(async () => {
    let last: Map<string, Finding> | undefined;
    found = await waitUntil(
      'both floods to be judged pending-limit',
      async () => {
        last = await sweepQueue();
        return Object.values(ids).every((id) => last?.get(id)?.verdict === 'pending-limit')
          ? last
          : undefined;
      },
      60_000,
      500,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${JSON.stringify([...(last?.values() ?? [])].map((f) => [f.workflowId, f.verdict, f.evidence.summary]))}`,
      );
    });
  });

  it('names the pending-signals limit with the figure this server enforces, not the default', async () => {
    const f = found.get(ids.signals)!;
    assert.equal(f.stalled, true);
    assert.deepEqual(f.evidence.pendingLimit, {
      kind: 'signals',
      cause: 'PENDING_SIGNALS_LIMIT_EXCEEDED',
      setting: 'limit.numPendingSignals.error',
      defaultLimit: 2000,
      limit: 2,
    });
    assert.match(
      f.evidence.summary,
      /PENDING_SIGNALS_LIMIT_EXCEEDED: .*the server refuses more pending signals for this workflow \(limit\.numPendingSignals\.error = 2 on this server\)/,
    );
    assert.equal(f.remedy.action, 'fix-code-restart-worker');
    assert.match(f.remedy.text, /more signals to other workflows pending at once than the server allows/);
    assert.match(f.remedy.text, /limit\.numPendingSignals\.error \(2 here\)/);
    const analysis = await analyzeWorkflow(client, { workflowId: ids.signals }, { policy });
    assert.equal(analysis.finding.evidence.pendingLimit?.kind, 'signals');
  });

  it('names the pending-cancel-requests limit the same way', () => {
    const f = found.get(ids.cancels)!;
    assert.deepEqual(f.evidence.pendingLimit, {
      kind: 'cancel-requests',
      cause: 'PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED',
      setting: 'limit.numPendingCancelRequests.error',
      defaultLimit: 2000,
      limit: 2,
    });
    assert.match(f.remedy.text, /more cancel requests to other workflows pending at once/);
    assert.match(f.remedy.text, /limit\.numPendingCancelRequests\.error \(2 here\)/);
  });

  it('plans a worker restart once the code is fixed, as for the other limits', () => {
    const plan = planRemedies([...found.values()], {
      nonDeterminism: 'terminate',
      rerun: false,
      newId: () => 'x',
    });
    for (const id of Object.values(ids)) {
      const a = plan.actions.find((p) => p.workflowId === id)!;
      assert.deepEqual([a.remedy, a.needsCodeFix], ['restart-worker', true]);
    }
  });
});
