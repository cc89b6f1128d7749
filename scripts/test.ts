// `npm test`: start a dev server of our profile (Web UI on) on free ports with a throwaway database,
// load the workflow bundles once (from setup's cache), run the tests against them, tear everything down.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { defaultTemporalCli, packageRoot } from '../src/config.js';
import { startDevServer, stopDevServers } from '../src/host/server/dev-server.js';
import { freePort } from '../src/host/server/ports.js';
import { loadWorkflowBundles } from '../src/workflow-bundle.js';

function testFiles(dir: string): string[] {
  return readdirSync(join(packageRoot, dir))
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * The dev server on ports free a moment ago. Another process may take one in between (an outgoing
 * connection's ephemeral port), so a start that finds a port taken is tried again on new ones.
 */
async function startOnFreePorts(stateDir: string, dbFile: string, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServer(stateDir, defaultTemporalCli(), {
        port: await freePort(),
        uiPort: await freePort(),
        dbFile,
      });
    } catch (error) {
      if (attempt >= attempts || !/address already in use/.test(String(error))) throw error;
      process.stderr.write(`test: a port was taken before the dev server bound it; trying new ports\n`);
    }
  }
}

async function main(): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'temporal-ops-test-'));
  const stateDir = join(root, 'server-state');
  const files = process.argv.slice(2);
  const server = await startOnFreePorts(stateDir, join(root, 'temporal.db'));
  process.stderr.write(
    `test: dev server on ${server.address}, Web UI ${server.uiUrl} (pid ${server.record.pid})\n`,
  );
  try {
    // Copies: a setup run during the tests may replace the cached files.
    const bundlePaths: Record<string, string> = {};
    for (const bundle of await loadWorkflowBundles()) {
      bundlePaths[bundle.name] = join(root, `workflow-bundle-${bundle.name}.js`);
      await writeFile(bundlePaths[bundle.name]!, bundle.code);
    }
    // Files run side by side; TEMPORAL_OPS_TEST_CONCURRENCY overrides 2 (e.g. the random-kill files).
    const concurrency = process.env.TEMPORAL_OPS_TEST_CONCURRENCY || '2';
    if (!/^[1-9]\d*$/.test(concurrency))
      throw new Error(`TEMPORAL_OPS_TEST_CONCURRENCY: expected a positive integer, got ${concurrency}`);
    // Node 20's test runner does not expand globs.
    const tests =
      files.length > 0 ? files : ['test/unit', 'test/integration'].flatMap((dir) => testFiles(dir));
    const result = await execa(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...tests],
      {
        cwd: packageRoot,
        stdio: 'inherit',
        reject: false,
        env: {
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_OPS_TEST_BUNDLE: bundlePaths.ops,
          TEMPORAL_OPS_TEST_BOOKKEEPING_BUNDLE: bundlePaths.bookkeeping,
          TEMPORAL_OPS_TEST_UI: server.uiUrl,
          TEMPORAL_OPS_TEST_ROOT: root,
          // The local policy's roots for the fixtures, the example and the tests' temporary projects.
          TEMPORAL_OPS_ALLOWED_ROOTS: [
            join(packageRoot, 'examples'),
            join(packageRoot, 'test', 'fixtures'),
            root,
          ].join(delimiter),
        },
      },
    );
    return result.exitCode ?? 1;
  } finally {
    await stopDevServers(stateDir, 5000);
    await rm(root, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
