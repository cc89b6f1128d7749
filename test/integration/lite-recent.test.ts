// `workflows recent` on the light read path against real Python runs that ended every way: the same
// rows as through the SDK client, from a process that loads neither @temporalio/client nor
// @temporalio/proto, the same exit codes, and the full client for a config the light path leaves alone.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { execa } from 'execa';
import { createCliContext } from '../../src/cli/context.js';
import { ExitCode } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/run-cli.js';
import { packageRoot } from '../../src/config.js';
import { listRecent, type RecentRow } from '../../src/inspect/recent.js';
import { freePort } from '../../src/host/server/ports.js';
import { connectLite, type LiteClient } from '../../src/temporal/lite/workflow-service.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  captureOut,
  runResultFixtures,
  startResultsWorker,
  terminateAll,
  uniqueId,
} from './diagnosis-fixture.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');
let h: Harness;
let lite: LiteClient;
let moduleHook: string;
const queue = uniqueQueue('lite-results');
const ids = {
  ok: uniqueId('lite-ok'),
  error: uniqueId('lite-error'),
  failed: uniqueId('lite-fails'),
  terminated: uniqueId('lite-terminated'),
  running: uniqueId('lite-running'),
};
const recentOf = (now?: number) => ({
  minutes: 15,
  query: `TaskQueue = "${queue}"`,
  opsTaskQueue: 'temporal-ops',
  ...(now !== undefined && { now }),
});

before(async () => {
  h = await createHarness();
  await startResultsWorker(h, queue);
  await runResultFixtures(h, queue, ids);
  lite = await connectLite(testTarget());
  // Names every module the process loads, one line each on stderr.
  const dir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'lite-'));
  const hookFile = join(dir, 'module-hook.mjs');
  await writeFile(
    hookFile,
    `export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      process.stderr.write('MODULE ' + resolved.url + '\\n');
      return resolved;
    }`,
  );
  moduleHook = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hookFile).href)});`;
});

after(async () => {
  lite?.close();
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

function cli(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, ['--import', moduleHook, bin, 'workflows', 'recent', ...args], {
    env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_NAMESPACE: 'default', ...env },
    reject: false,
    timeout: 60_000,
  });
}

const byId = (rows: RecentRow[]) => new Map(rows.map((row) => [row.workflowId, row]));
const sdkModules = (stderr: string) =>
  stderr.split('\n').filter((line) => /^MODULE .*\/@temporalio\/(client|proto)\//.test(line));

describe('workflows recent on the light read path', () => {
  it('lists the same rows as the SDK client: COMPLETED ok and error-like, FAILED, TERMINATED, RUNNING', async () => {
    const now = Date.now();
    const full = await listRecent(h.client, recentOf(now));
    const light = await listRecent(lite, recentOf(now));
    assert.deepEqual(light, full);
    const rows = byId(light.rows);
    assert.deepEqual([...rows.keys()].sort(), Object.values(ids).sort());
    assert.deepEqual(rows.get(ids.ok)?.result, { status: 'ok' });
    assert.deepEqual(rows.get(ids.ok)?.resultCheck, { looksLikeError: false, reason: '' });
    assert.deepEqual(rows.get(ids.error)?.resultCheck, {
      looksLikeError: true,
      reason: 'result.status is "error"',
    });
    assert.deepEqual(
      [rows.get(ids.failed)?.status, rows.get(ids.failed)?.problem],
      ['FAILED', 'card declined (CardDeclined)'],
    );
    assert.equal(rows.get(ids.terminated)?.problem, 'terminated: test: stop it');
    assert.equal(rows.get(ids.running)?.status, 'RUNNING');
  });

  it('prints those rows from the real CLI, which loads neither @temporalio/client nor @temporalio/proto', async () => {
    const result = await cli(['--minutes', '15', '--query', `TaskQueue = "${queue}"`, '--json']);
    assert.equal(result.exitCode, ExitCode.resultLooksLikeError, result.stderr);
    const printed = JSON.parse(result.stdout) as RecentRow[];
    const full = await listRecent(h.client, recentOf());
    assert.deepEqual(byId(printed), byId(full.rows));
    assert.deepEqual(sdkModules(result.stderr), []);
    assert.match(result.stderr, /MODULE .*\/@grpc\/grpc-js\//);
  });

  it('exits 2 naming --query when the server rejects it, and 3 naming the address when no server answers', async () => {
    const rejected = await cli(['--query', 'nope nope']);
    assert.equal(rejected.exitCode, ExitCode.usage, rejected.stderr);
    assert.match(rejected.stderr, /--query: the server rejects it: 3 INVALID_ARGUMENT/);
    const nobody = `127.0.0.1:${await freePort()}`;
    const unavailable = await cli(['--json'], { TEMPORAL_ADDRESS: nobody });
    assert.equal(unavailable.exitCode, ExitCode.unavailable, unavailable.stderr);
    assert.match(unavailable.stderr, new RegExp(`cannot connect to ${nobody}: `));
  });

  it('reads through the full client when the config has an option the light path does not apply', async () => {
    const plain = testTarget();
    const withChannelArgs = {
      ...plain,
      connectionOptions: { ...plain.connectionOptions, channelArgs: { 'grpc.keepalive_time_ms': 60_000 } },
    };
    const run = async (target: typeof plain) => {
      const context = await createCliContext({ target });
      try {
        const reader = await context.reader();
        const out = captureOut();
        const code = await runCli(['workflows', 'recent', '--query', `TaskQueue = "${queue}"`, '--json'], {
          context,
          sink: out,
        });
        return { usedSdk: reader instanceof Client, code, rows: byId(JSON.parse(out.out) as RecentRow[]) };
      } finally {
        await context.close();
      }
    };
    const [fallback, light] = [await run(withChannelArgs), await run(plain)];
    assert.deepEqual([fallback.usedSdk, light.usedSdk], [true, false]);
    assert.deepEqual(
      [fallback.code, light.code],
      [ExitCode.resultLooksLikeError, ExitCode.resultLooksLikeError],
    );
    assert.deepEqual(fallback.rows, light.rows);
  });
});
