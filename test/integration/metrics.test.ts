// `serve --metrics`: the real CLI's control worker serves Prometheus metrics, the SDK's and ours.
// A real sweep finds a real stall; the endpoint is scraped over HTTP; a bad address or a port in
// use is refused before anything starts, naming the flag and the value.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { METRIC_NAMES } from '../../src/temporal/metrics.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { startReceiver } from '../helpers/receiver.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');
let h: Harness;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      assert.ok(match, `a sample line: ${line}`);
      const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)];
      return {
        name: match[1]!,
        labels: Object.fromEntries(labels.map((l) => [l[1]!, l[2]!])),
        value: Number(match[3]),
      };
    });
}

async function scrape(address: string): Promise<Sample[]> {
  const response = await fetch(`http://${address}/metrics`);
  assert.equal(response.status, 200);
  return samples(await response.text());
}

/** The value of the one sample named `name` whose labels include `labels`. */
function valueOf(all: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = all.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  assert.ok(found.length <= 1, `one ${name} ${JSON.stringify(labels)}: ${JSON.stringify(found)}`);
  return found[0]?.value;
}

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function serve(args: string[]): ResultPromise<{ reject: false; stdin: 'ignore' }> {
  return execa(process.execPath, [bin, 'serve', ...args], {
    env: {
      TEMPORAL_ADDRESS: testTarget().address,
      TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
      TEMPORAL_OPS_TASK_QUEUE: h.settings.opsTaskQueue,
    },
    reject: false,
    stdin: 'ignore',
  });
}

before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

describe('serve --metrics', () => {
  it("serves our sweep, stall, incident and notification series beside the SDK's, and a stall that is gone reads 0", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const receiver = await startReceiver();
    const worker = serve(['--metrics', address]);
    const taskQueue = uniqueQueue('metrics');
    const target = await h.client.workflow.start('NobodyPolls', {
      taskQueue,
      workflowId: `nobody-${nanoid(8)}`,
      args: [],
    });
    try {
      await waitFor('the metrics endpoint to answer', () => scrape(address), 60_000, { retryErrors: true });
      await waitFor(
        'the target to be visible',
        async () => (await h.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count > 0,
        30_000,
      );
      const sweep = async () => {
        const report = await h.client.workflow.execute<(i: unknown) => Promise<DebugStalledReport>>(
          'DebugStalled',
          {
            taskQueue: h.settings.opsTaskQueue,
            workflowId: `sweep-${nanoid(8)}`,
            args: [{ taskQueue, incidents: true, policy: { noWorkerAfterMs: 0 }, notify: [receiver.url] }],
            workflowExecutionTimeout: '2m',
          },
        );
        return { report, metrics: await scrape(address) };
      };

      const first = await sweep();
      assert.equal(first.report.stalledCount, 1, JSON.stringify(first.report));
      assert.equal(first.report.incidents?.opened, 1);
      const m = first.metrics;
      assert.equal(
        valueOf(m, METRIC_NAMES.stalledWorkflows, { verdict: 'no-worker', task_queue: taskQueue }),
        1,
      );
      assert.equal(valueOf(m, METRIC_NAMES.incidents, { state: 'open' }), 1);
      assert.equal(valueOf(m, METRIC_NAMES.incidents, { state: 'acknowledged' }), 0);
      assert.equal(valueOf(m, `${METRIC_NAMES.sweepDuration}_count`), 1);
      assert.equal(valueOf(m, METRIC_NAMES.sweepExamined), 1);
      assert.equal(valueOf(m, METRIC_NAMES.notificationsSent, { sink: 'webhook' }), 1);
      // Buckets in seconds, up to ten minutes (the SDK's defaults are milliseconds).
      assert.equal(valueOf(m, `${METRIC_NAMES.sweepDuration}_bucket`, { le: '600' }), 1);
      // The SDK's own series, from the same runtime: the sweep's workflow task on our ops queue.
      const sdk = m.filter(
        (s) =>
          s.name === 'temporal_workflow_task_execution_latency_count' &&
          s.labels.workflow_type === 'DebugStalled' &&
          s.labels.task_queue === h.settings.opsTaskQueue,
      );
      assert.ok(sdk.length === 1 && sdk[0]!.value > 0, JSON.stringify(sdk));

      await target.terminate('fixed');
      const second = await sweep();
      assert.equal(second.report.incidents?.resolved, 1, JSON.stringify(second.report.incidents));
      const n = second.metrics;
      assert.equal(
        valueOf(n, METRIC_NAMES.stalledWorkflows, { verdict: 'no-worker', task_queue: taskQueue }),
        0,
      );
      assert.equal(valueOf(n, METRIC_NAMES.incidents, { state: 'open' }), 0);
      assert.equal(valueOf(n, `${METRIC_NAMES.sweepDuration}_count`), 2);
      assert.equal(
        valueOf(n, METRIC_NAMES.notificationsSent, { sink: 'webhook' }),
        2,
        'opened, then resolved',
      );
      assert.equal(receiver.accepted.length, 2);
    } finally {
      await receiver.close();
      await target.terminate().catch(() => undefined);
      worker.kill('SIGTERM');
      const exit = await worker;
      assert.equal(exit.exitCode, 0, exit.stderr);
    }
  });

  it('refuses an address that is no IP:PORT, naming the flag and the value (exit 2)', async () => {
    const result = await serve(['--metrics', 'localhost']);
    assert.equal(result.exitCode, 2);
    assert.match(
      result.stderr,
      /option '--metrics <address>' argument 'localhost' is invalid\. expected IP:PORT/,
    );
  });

  it('refuses a port in use before it connects, naming the flag and the value (exit 2)', async () => {
    const held: Server = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(held.address() as { port: number }).port}`;
    try {
      const result = await serve(['--metrics', address]);
      assert.equal(result.exitCode, 2);
      assert.equal(
        result.stderr.trim(),
        `error: --metrics ${address}: the port is in use by another process; choose another port`,
      );
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  });
});
