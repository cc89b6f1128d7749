// Results as users' Python workers write them, beyond plain JSON: a protobuf message (json/protobuf),
// a value with NaN, and a result sealed by the worker's payload codec (binary/encrypted). The first is
// read and checked; the others are named as not readable here, through the CLI (the SDK client and
// the light path) and through a recipe's activity, instead of failing the command or the activity.
// Given a Codec Server (the fixture codec's, served here), the sealed result is decoded and checked.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { loadConnectTarget } from '../../src/temporal/connection.js';
import { createCliContext } from '../../src/cli/context.js';
import { ExitCode } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { RecentRow } from '../../src/inspect/recent.js';
import type { RunOutcome } from '../../src/inspect/result.js';
import type { CheckRecentReport } from '../../workflows/check-recent-results.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { captureOut, startResultsWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('encodings');
const sealedQueue = `${queue}-sealed`;
const encodedQueue = `${queue}-encoded`;
const ids = {
  protoError: uniqueId('proto-error'),
  protoOk: uniqueId('proto-ok'),
  nan: uniqueId('nan'),
  sealed: uniqueId('sealed'),
  sealedFailure: uniqueId('sealed-fails'),
  encodedFailure: uniqueId('encoded-fails'),
  encodedStorm: uniqueId('encoded-storm'),
};
const closed = ['COMPLETED', 'FAILED'];

before(async () => {
  h = await createHarness();
  await startResultsWorker(h, queue);
  const start = (type: string, workflowId: string, taskQueue = queue) =>
    h.client.workflow.start(type, { taskQueue, workflowId, args: [{}] });
  await Promise.all([
    start('ReturnsProtoError', ids.protoError),
    start('ReturnsProtoOk', ids.protoOk),
    start('ReturnsNaN', ids.nan),
    start('ReturnsError', ids.sealed, sealedQueue),
    start('FailsWorkflow', ids.sealedFailure, sealedQueue),
    start('FailsWorkflow', ids.encodedFailure, encodedQueue),
    start('RetriesForever', ids.encodedStorm, encodedQueue),
  ]);
  // Described, not awaited through the SDK: its default converter cannot read two of these results.
  await waitUntil(
    'every fixture run closed',
    async () => {
      const statuses = await Promise.all(
        Object.values(ids)
          .filter((id) => id !== ids.encodedStorm)
          .map(async (id) => (await h.client.workflow.getHandle(id).describe()).status.name),
      );
      return statuses.every((s) => closed.includes(s)) || undefined;
    },
    60_000,
  );
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

/** A Codec Server for the fixture's XOR codec: it records each request and answers `status` (200 decodes). */
interface CodecServerFixture {
  url: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  status: number;
  close(): Promise<void>;
}

async function startCodecServer(): Promise<CodecServerFixture> {
  const fixture: Partial<CodecServerFixture> = { requests: [], status: 200 };
  const unseal = (json: { metadata?: Record<string, string>; data?: string }) => {
    const encoding = Buffer.from(json.metadata?.encoding ?? '', 'base64').toString();
    if (encoding !== 'binary/encrypted') return json;
    const sealed = Buffer.from(json.data ?? '', 'base64').map((b) => b ^ 0x5a);
    const payload = proto.temporal.api.common.v1.Payload.decode(sealed);
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(payload.metadata ?? {}))
      metadata[k] = Buffer.from(v).toString('base64');
    return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      fixture.requests!.push({ path: req.url ?? '', headers: req.headers });
      if (fixture.status !== 200 || req.method !== 'POST' || !req.url?.endsWith('/decode')) {
        res.writeHead(fixture.status === 200 ? 404 : fixture.status!).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { payloads: [] };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ payloads: body.payloads.map(unseal) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fixture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fixture.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fixture as CodecServerFixture;
}

async function cli(
  args: string[],
  target = testTarget(),
): Promise<{ code: number; out: string; err: string }> {
  const context = await createCliContext({ target });
  try {
    const sink = captureOut();
    const code = await runCli(args, { context, sink });
    return { code, out: sink.out, err: sink.err };
  } finally {
    await context.close();
  }
}

const result = async (workflowId: string) => {
  const run = await cli(['workflows', 'result', '--workflow-id', workflowId, '--json']);
  return { code: run.code, outcome: JSON.parse(run.out) as RunOutcome, err: run.err };
};

describe('results beyond plain JSON', () => {
  it('reads a protobuf result as its JSON fields and checks it', async () => {
    const error = await result(ids.protoError);
    assert.equal(error.code, ExitCode.resultLooksLikeError, error.err);
    assert.deepEqual(error.outcome.result, { status: 'error', message: 'inventory service unavailable' });
    assert.equal(error.outcome.resultCheck?.reason, 'result.status is "error"');
    const ok = await result(ids.protoOk);
    assert.equal(ok.code, ExitCode.ok, ok.err);
    assert.deepEqual(ok.outcome.result, { status: 'ok', count: 3 });
  });

  it('names a sealed result and a result with NaN as not readable, and prints them', async () => {
    const sealed = await result(ids.sealed);
    assert.equal(sealed.code, ExitCode.ok, sealed.err);
    assert.equal(sealed.outcome.status, 'COMPLETED');
    assert.equal(sealed.outcome.result, undefined);
    assert.match(sealed.outcome.resultCheck?.unreadable ?? '', /encoded as binary\/encrypted/);
    const nan = await result(ids.nan);
    assert.equal(nan.code, ExitCode.ok, nan.err);
    assert.match(nan.outcome.resultCheck?.unreadable ?? '', /the number NaN/);
    const text = await cli(['workflows', 'result', '--workflow-id', ids.sealed]);
    assert.match(text.out, /COMPLETED\n {2}result not readable here: encoded as binary\/encrypted/);
  });

  it('lists them on the light path of workflows recent', async () => {
    const run = await cli([
      'workflows',
      'recent',
      '--minutes',
      '15',
      '--query',
      `TaskQueue = "${queue}" OR TaskQueue = "${sealedQueue}"`,
      '--json',
    ]);
    assert.equal(run.code, ExitCode.resultLooksLikeError, run.err);
    const rows = new Map((JSON.parse(run.out) as RecentRow[]).map((r) => [r.workflowId, r]));
    assert.equal(rows.get(ids.protoError)?.resultCheck?.looksLikeError, true);
    assert.deepEqual(rows.get(ids.protoOk)?.result, { status: 'ok', count: 3 });
    assert.match(rows.get(ids.sealed)?.resultCheck?.unreadable ?? '', /binary\/encrypted/);
    assert.match(rows.get(ids.nan)?.resultCheck?.unreadable ?? '', /NaN/);
  });

  it('judges them in CheckRecentResults: the activity reads what it can and says why not for the rest', async () => {
    const check = (taskQueue: string) =>
      h.withControlWorker(
        () =>
          h.client.workflow.execute('CheckRecentResults', {
            taskQueue: h.settings.opsTaskQueue,
            workflowId: uniqueId('check-encodings'),
            args: [{ minutes: 10, taskQueue }],
            workflowExecutionTimeout: '60s',
          }) as Promise<CheckRecentReport>,
      );
    const plain = new Map((await check(queue)).workflows.map((w) => [w.workflowId, w]));
    assert.equal(plain.get(ids.protoOk)?.resultOk, true);
    assert.equal(plain.get(ids.protoError)?.reason, 'COMPLETED but result.status is "error"');
    assert.match(
      plain.get(ids.nan)?.reason ?? '',
      /^COMPLETED, but its result could not be read here: the number NaN/,
    );
    const sealed = (await check(sealedQueue)).workflows.find((w) => w.workflowId === ids.sealed);
    assert.equal(sealed?.resultOk, false);
    assert.match(
      sealed?.reason ?? '',
      /^COMPLETED, but its result could not be read here: encoded as binary\/encrypted/,
    );
  });

  it('decodes a sealed result through the Codec Server given as the Temporal CLI takes it, and checks it', async () => {
    const codec = await startCodecServer();
    try {
      const run = await execa(
        process.execPath,
        [
          join(packageRoot, 'bin', 'temporal-ops.mjs'),
          'workflows',
          'result',
          '--workflow-id',
          ids.sealed,
          '--codec-endpoint',
          `${codec.url}/{namespace}`,
          '--codec-auth',
          'Bearer test-token',
          '-o',
          'json',
        ],
        {
          env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' },
          reject: false,
        },
      );
      assert.equal(run.exitCode, ExitCode.resultLooksLikeError, run.stderr);
      const outcome = JSON.parse(run.stdout) as RunOutcome;
      assert.deepEqual(outcome.result, { status: 'error', message: 'payment service unavailable' });
      assert.equal(outcome.resultCheck?.reason, 'result.status is "error"');
      assert.equal(codec.requests.length, 1, 'only the sealed payload went to the codec server');
      const [request] = codec.requests;
      assert.equal(request?.path, '/default/decode');
      assert.equal(request?.headers['x-namespace'], 'default');
      assert.equal(request?.headers.authorization, 'Bearer test-token');
    } finally {
      await codec.close();
    }
  });

  it('reads it on the light path with TEMPORAL_CODEC_ENDPOINT, and names a codec server that fails', async () => {
    const codec = await startCodecServer();
    try {
      const target = loadConnectTarget({
        address: testTarget().address,
        namespace: 'default',
        env: { TEMPORAL_CODEC_ENDPOINT: codec.url, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' },
      });
      const recent = [
        'workflows',
        'recent',
        '--minutes',
        '15',
        '--query',
        `TaskQueue = "${sealedQueue}"`,
        '--json',
      ];
      const decoded = await cli(recent, target);
      const row = (JSON.parse(decoded.out) as RecentRow[]).find((r) => r.workflowId === ids.sealed);
      assert.deepEqual(row?.result, { status: 'error', message: 'payment service unavailable' });
      assert.equal(row?.resultCheck?.looksLikeError, true);
      codec.status = 500;
      const refused = await cli(['workflows', 'result', '--workflow-id', ids.sealed, '--json'], target);
      assert.equal(refused.code, ExitCode.ok, refused.err);
      assert.equal(
        (JSON.parse(refused.out) as RunOutcome).resultCheck?.unreadable,
        `the codec server ${codec.url} answered HTTP 500`,
      );
    } finally {
      await codec.close();
    }
  });

  it('reads a failure whose message a failure converter encoded, and through the Codec Server a sealed one', async () => {
    const failure = async (workflowId: string, target = testTarget()) => {
      const run = await cli(['workflows', 'result', '--workflow-id', workflowId, '--json'], target);
      assert.equal(run.code, ExitCode.otherTerminal, run.err);
      return (JSON.parse(run.out) as RunOutcome).close?.failure?.[0]?.message ?? '';
    };
    assert.equal(await failure(ids.encodedFailure), 'card declined');
    assert.match(
      await failure(ids.sealedFailure),
      /^Encoded failure \(its encoded attributes could not be read here: encoded as binary\/encrypted/,
    );
    const codec = await startCodecServer();
    try {
      const target = loadConnectTarget({
        address: testTarget().address,
        namespace: 'default',
        codecEndpoint: codec.url,
        env: { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' },
      });
      assert.equal(await failure(ids.sealedFailure, target), 'card declined');
    } finally {
      await codec.close();
    }
  });

  it('names a retry storm by the encoded failure of its activity, read from describe', async () => {
    await waitUntil(
      'the activity failed three times',
      async () => {
        const d = await h.client.workflow.getHandle(ids.encodedStorm).describe();
        return ((d.raw.pendingActivities?.[0]?.attempt ?? 0) >= 4 && d) || undefined;
      },
      60_000,
    );
    const run = await cli(['workflows', 'analyze', '--workflow-id', ids.encodedStorm, '--json']);
    assert.equal(run.code, ExitCode.stallsFound, run.err);
    assert.match(run.out, /"verdict": ?"activity-retry-storm"/);
    assert.match(run.out, /warehouse offline/);
    assert.doesNotMatch(run.out, /Encoded failure/);
  });
});
