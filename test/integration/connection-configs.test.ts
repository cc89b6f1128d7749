// One connection behaviour: each connection config runs through every client path, and each path
// accepts it or refuses it alike (the same exit code, a message naming the cause). The paths: the
// light gRPC-js read (`workflows recent`), the Rust core (`workflows stalled`), a recipe through the
// control worker (`up`, `serve`, `run check-recent`) and the MCP server's tools. TLS comes from a
// small HTTP/2 terminator in front of the plaintext dev server, with certificates made by openssl.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execa, type ResultPromise } from 'execa';
import { nanoid } from 'nanoid';
import { ExitCode } from '../../src/cli/output.js';
import { packageRoot } from '../../src/config.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../helpers/tls-certs.js';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');
const API_KEY = `key-${nanoid(12)}`;
const workflowId = `conn-${nanoid(8)}`;
const targetQueue = uniqueQueue('conn-nobody');

let h: Harness;
let root: string;
let certs: TestCerts;
const proxies: Record<'ca' | 'selfSigned' | 'mtls' | 'apiKey', TlsProxy> = {} as never;

interface Row {
  name: string;
  /** The global flags of the config (the environment points nowhere: only they reach the server). */
  flags(): string[];
  /** How every path refuses it; absent: every path works. */
  refused?: { exitCode: number; message: RegExp };
}

const rows: Row[] = [
  { name: 'plain', flags: () => ['--address', testTarget().address] },
  { name: 'TLS with a CA', flags: () => ['--address', proxies.ca.address, '--tls-ca-path', certs.ca] },
  {
    name: 'mTLS',
    flags: () => [
      ...['--address', proxies.mtls.address, '--tls-ca-path', certs.ca],
      ...['--tls-cert-path', certs.client.cert, '--tls-key-path', certs.client.key],
    ],
  },
  {
    name: 'API key',
    flags: () => ['--address', proxies.apiKey.address, '--tls-ca-path', certs.ca, '--api-key', API_KEY],
  },
  {
    name: 'TLS self-signed (a certificate that is its own CA)',
    flags: () => ['--address', proxies.selfSigned.address, '--tls-ca-path', certs.selfSigned.cert],
    refused: {
      exitCode: ExitCode.unavailable,
      message: /is a CA certificate .*serve a leaf certificate signed by a CA/,
    },
  },
  {
    name: 'TLS with a CA the client does not know',
    flags: () => ['--address', proxies.ca.address, '--tls'],
    refused: { exitCode: ExitCode.unavailable, message: /not signed by a CA we trust .*--tls-ca-path/ },
  },
  {
    name: 'TLS with the wrong server name',
    flags: () => [
      ...['--address', proxies.ca.address, '--tls-ca-path', certs.ca],
      ...['--tls-server-name', 'wrong.example'],
    ],
    refused: { exitCode: ExitCode.unavailable, message: /does not name "wrong\.example".*--tls-server-name/ },
  },
  {
    name: 'TLS against a plaintext server',
    flags: () => ['--address', testTarget().address, '--tls'],
    refused: { exitCode: ExitCode.unavailable, message: /does not speak TLS/ },
  },
  {
    name: 'mTLS without a client certificate',
    flags: () => ['--address', proxies.mtls.address, '--tls-ca-path', certs.ca],
    refused: { exitCode: ExitCode.unauthorized, message: /requires a client certificate.*--tls-cert-path/ },
  },
  {
    name: 'a bad API key',
    flags: () => ['--address', proxies.apiKey.address, '--tls-ca-path', certs.ca, '--api-key', 'wrong'],
    refused: { exitCode: ExitCode.unauthorized, message: /refused the credentials .*--api-key/ },
  },
];

function env(opsQueue: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    TEMPORAL_CONFIG_FILE: join(root, 'absent.toml'),
    TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
    TEMPORAL_OPS_TASK_QUEUE: opsQueue,
  };
}

function cli(args: string[], opsQueue = h.settings.opsTaskQueue) {
  return execa(process.execPath, [bin, ...args], {
    cwd: root,
    env: env(opsQueue),
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
}

function assertRefused(row: Row, run: { exitCode?: number; stderr: string }, what: string): void {
  assert.equal(run.exitCode, row.refused!.exitCode, `${what}: ${run.stderr}`);
  assert.match(run.stderr, row.refused!.message, what);
}

/** A control worker (`up --no-recipe` or `serve`) on its own ops queue; resolves once it polls. */
async function startControlWorker(command: 'up' | 'serve', flags: string[], opsQueue: string) {
  const args = command === 'up' ? ['up', '--no-recipe', ...flags] : ['serve', ...flags];
  let stderr = '';
  const running: ResultPromise = execa(process.execPath, [bin, ...args], {
    cwd: root,
    env: env(opsQueue),
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  running.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  void running.finally(() => (exited = true));
  await waitFor(
    `${command} to poll or exit`,
    async () => exited || stderr.includes('control worker: polling'),
    60_000,
  );
  return {
    stderr: () => stderr,
    async stop() {
      running.kill('SIGINT');
      return running;
    },
  };
}

interface ToolOutcome {
  exitCode: number;
  result?: unknown;
  error?: string;
}

/** Calls each tool once on a `temporal-ops mcp` started with `flags`. */
async function mcpCalls(flags: string[], calls: [string, Record<string, unknown>][]): Promise<ToolOutcome[]> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp', ...flags],
    env: env(h.settings.opsTaskQueue),
    cwd: root,
    stderr: 'pipe',
  });
  const mcp = new McpClient({ name: 'connection-test', version: '1.0.0' });
  await mcp.connect(transport);
  try {
    const outcomes: ToolOutcome[] = [];
    for (const [name, args] of calls) {
      const result = await mcp.callTool({ name, arguments: args }, undefined, { timeout: 60_000 });
      outcomes.push(result.structuredContent as unknown as ToolOutcome);
    }
    return outcomes;
  } finally {
    await mcp.close();
  }
}

before(async () => {
  assert.ok(await opensslAvailable(), 'this test makes its certificates with openssl: install it');
  h = await createHarness();
  root = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'connection-'));
  certs = await makeTestCerts(root);
  const upstream = testTarget().address;
  proxies.ca = await startTlsProxy({ upstream, ...certs.server });
  proxies.selfSigned = await startTlsProxy({ upstream, ...certs.selfSigned });
  proxies.mtls = await startTlsProxy({ upstream, ...certs.server, clientCa: certs.ca });
  proxies.apiKey = await startTlsProxy({ upstream, ...certs.server, apiKey: API_KEY });
  await h.client.workflow.start('NoWorkerTarget', { taskQueue: targetQueue, workflowId });
});

after(async () => {
  await h?.client.workflow
    .getHandle(workflowId)
    .terminate('test cleanup')
    .catch(() => undefined);
  for (const proxy of Object.values(proxies)) await proxy.close();
  await h?.cleanup();
});

const query = () => `WorkflowId="${workflowId}"`;

for (const row of rows) {
  // The four paths of a row run side by side: each is its own process.
  describe(row.name, { concurrency: true }, () => {
    it('`workflows recent` (the light gRPC-js read)', async () => {
      const run = await cli(['workflows', 'recent', '--query', query(), '-o', 'json', ...row.flags()]);
      if (row.refused) return assertRefused(row, run, 'workflows recent');
      assert.equal(run.exitCode, 0, run.stderr);
      // The proxies listen on an IP address: no runtime warning about its TLS server name reaches the terminal.
      assert.doesNotMatch(run.stderr, /Warning|DEP0123/);
      const rows = JSON.parse(run.stdout) as { workflowId: string }[];
      assert.deepEqual(
        rows.map((r) => r.workflowId),
        [workflowId],
      );
    });

    it('`workflows stalled` (the Rust core)', async () => {
      const run = await cli(['workflows', 'stalled', '--query', query(), '-o', 'json', ...row.flags()]);
      if (row.refused) return assertRefused(row, run, 'workflows stalled');
      // Fresh and unpolled: a healthy wait, or once past the policy's threshold a no-worker stall.
      assert.ok([ExitCode.ok, ExitCode.stallsFound].includes(run.exitCode as 0 | 8), run.stderr);
      assert.ok(Array.isArray(JSON.parse(run.stdout)));
    });

    it('a recipe through the control worker (`up`, `serve`, `run check-recent`)', async () => {
      const opsQueue = uniqueQueue('ops-conn');
      const recipe = ['run', 'check-recent', '--task-queue', targetQueue, '-o', 'json', ...row.flags()];
      if (row.refused) {
        const [up, serve, run] = await Promise.all([
          startControlWorker('up', row.flags(), uniqueQueue('ops-conn')),
          startControlWorker('serve', row.flags(), uniqueQueue('ops-conn')),
          cli(recipe, opsQueue),
        ]);
        for (const [command, worker] of [
          ['up', up],
          ['serve', serve],
        ] as const) {
          const ended = await worker.stop();
          assertRefused(row, { exitCode: ended.exitCode, stderr: worker.stderr() }, command);
        }
        return assertRefused(row, run, 'run check-recent');
      }
      const worker = await startControlWorker('up', row.flags(), opsQueue);
      try {
        assert.match(worker.stderr(), /control worker: polling/);
        const run = await cli(recipe, opsQueue);
        assert.equal(run.exitCode, 0, run.stderr);
        const report = JSON.parse(run.stdout) as { recipe: string; ok: boolean };
        assert.deepEqual([report.recipe, report.ok], ['CheckRecentResults', true]);
      } finally {
        await worker.stop();
      }
    });

    it('the MCP server (`workflows_recent` on the SDK client, `workflows_stalled` on the Rust core)', async () => {
      const [recent, stalled] = await mcpCalls(row.flags(), [
        ['workflows_recent', { query: query() }],
        ['workflows_stalled', { query: query() }],
      ]);
      if (row.refused) {
        for (const [name, outcome] of [
          ['workflows_recent', recent!],
          ['workflows_stalled', stalled!],
        ] as const)
          assertRefused(row, { exitCode: outcome.exitCode, stderr: outcome.error ?? '' }, name);
        return;
      }
      assert.equal(recent!.exitCode, 0, recent!.error);
      assert.deepEqual(
        (recent!.result as { workflowId: string }[]).map((r) => r.workflowId),
        [workflowId],
      );
      assert.ok([ExitCode.ok, ExitCode.stallsFound].includes(stalled!.exitCode as 0 | 8), stalled!.error);
    });
  });
}
