// CLI and control-worker bench, each figure against its baseline measured in the same run, on a
// throwaway dev server on free ports:
//   node --import tsx bench/cli.bench.ts [--samples 5] [--json]
// - `temporal-ops --help` vs `temporal --help`                                 (goal <= 4x)
// - `temporal-ops workflows recent --json` vs `temporal workflow list -o json`  (goal <= 5x)
// - control worker (`temporal-ops serve`) vs the example's `uv run worker`, spawn to polling (<= 3x)
// - control worker idle RSS, once settled (30 s idle)                           (goal <= 200 MB)
// temporal-ops runs as users run it: `node bin/temporal-ops.mjs` (dist/ when setup built it).
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { defaultTemporalCli, packageRoot } from '../src/config.js';
import { exampleProjectDir } from '../src/host/projects/example.js';
import { startDevServer, stopDevServers } from '../src/host/server/dev-server.js';
import { freePort } from '../src/host/server/ports.js';
import { distIsFresh } from '../scripts/build.mjs';
import { median, timeCommand, timeWorker, type CommandSpec } from './cli-measure.js';

const { values: flags } = parseArgs({
  options: { samples: { type: 'string', default: '5' }, json: { type: 'boolean' } },
});
const SAMPLES = Number(flags.samples);
// Idle RSS is read once it has settled: V8's memory reducer shrinks the heaps some 8–20 s after
// start. The reading 5 s after polling is printed beside it.
const IDLE_MS = 30_000;
const EARLY_MS = 5000;
const SEEDED = 10;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const ms = (value: number) => `${Math.round(value)} ms`;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

interface Row {
  metric: string;
  ours: number;
  baseline?: number;
  unit: 'ms' | 'MB';
  /** ours / baseline, or ours alone when there is no baseline. */
  ratio?: number;
  goal: string;
  /** Absent for a figure printed for reference. */
  met?: boolean;
}

/** Alternates the two commands `SAMPLES` times after one warm-up each; medians in ms. */
async function pair(ours: CommandSpec, baseline: CommandSpec): Promise<[number, number]> {
  await timeCommand(ours);
  await timeCommand(baseline);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    a.push(await timeCommand(ours));
    b.push(await timeCommand(baseline));
  }
  return [median(a), median(b)];
}

function exampleWorker(env: Record<string, string>, taskQueue: string): CommandSpec {
  return {
    file: 'uv',
    args: ['run', 'worker'],
    cwd: exampleProjectDir,
    env: { ...env, TEMPORAL_TASK_QUEUE: taskQueue },
  };
}

async function seed(client: Client, address: string, env: Record<string, string>): Promise<void> {
  // Completed target workflows for `workflows recent` to list and check: the example worker runs them.
  const taskQueue = `seed-${nanoid(6)}`;
  const orders = () =>
    Promise.all(
      Array.from({ length: SEEDED }, (_, i) =>
        client.workflow.execute('Order', {
          taskQueue,
          workflowId: `seed-${i}-${nanoid(6)}`,
          args: [{ orderId: `o-${i}` }],
        }),
      ),
    );
  await timeWorker(client, exampleWorker(env, taskQueue), taskQueue, {
    whilePolling: async () => void (await orders()),
  });
  log(`seeded ${SEEDED} completed Order workflows on ${address}`);
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'temporal-ops-cli-bench-'));
  const temporal = defaultTemporalCli();
  const server = await startDevServer(join(root, 'server'), temporal, {
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(root, 'temporal.db'),
    headless: true,
  });
  log(
    `dev server on ${server.address}; temporal-ops runs from ${distIsFresh() ? 'dist/' : 'src/ through tsx'}`,
  );
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const env = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_OPS_STATE_DIR: join(root, 'state'),
    PATH: `${join(packageRoot, '.venv', 'bin')}:${process.env.PATH ?? ''}`,
    UV_OFFLINE: '1',
  };
  const ops = (...args: string[]): CommandSpec => ({
    file: process.execPath,
    args: [join(packageRoot, 'bin', 'temporal-ops.mjs'), ...args],
    env,
  });
  const rows: Row[] = [];
  const compare = (metric: string, ours: number, baseline: number, goal: number) =>
    rows.push({
      metric,
      ours,
      baseline,
      unit: 'ms',
      ratio: ours / baseline,
      goal: `<= ${goal}x`,
      met: ours / baseline <= goal,
    });
  try {
    await seed(client, server.address, env);
    const [help, temporalHelp] = await pair(ops('--help'), { file: temporal, args: ['--help'] });
    compare('temporal-ops --help', help, temporalHelp, 4);
    const [recent, list] = await pair(ops('workflows', 'recent', '--json'), {
      file: temporal,
      args: ['workflow', 'list', '-o', 'json', '--address', server.address],
    });
    compare('workflows recent --json', recent, list, 5);

    const control: number[] = [];
    const rss: number[] = [];
    const early: number[] = [];
    const python: number[] = [];
    for (let i = 0; i <= SAMPLES; i++) {
      const opsQueue = `ops-${nanoid(6)}`;
      const serve = { ...ops('serve'), env: { ...env, TEMPORAL_OPS_TASK_QUEUE: opsQueue } };
      const ours = await timeWorker(client, serve, opsQueue, { idleMs: IDLE_MS, rssAtMs: [EARLY_MS] });
      const queue = `orders-${nanoid(6)}`;
      const theirs = await timeWorker(client, exampleWorker(env, queue), queue);
      log(
        `control worker polling ${ms(ours.pollingMs)} (RSS ${mb(ours.rssAt[0] ?? 0)} MB ${EARLY_MS / 1000} s after, ${mb(ours.idleRssBytes)} MB after ${IDLE_MS / 1000} s idle); uv run worker ${ms(theirs.pollingMs)}`,
      );
      if (i === 0) continue; // warm-up
      control.push(ours.pollingMs);
      rss.push(ours.idleRssBytes / 2 ** 20);
      early.push((ours.rssAt[0] ?? 0) / 2 ** 20);
      python.push(theirs.pollingMs);
    }
    compare('control worker start -> polling', median(control), median(python), 3);
    const idle = median(rss);
    rows.push({
      metric: `control worker RSS ${EARLY_MS / 1000} s after polling`,
      ours: median(early),
      unit: 'MB',
      goal: '(for reference)',
    });
    rows.push({
      metric: `control worker idle RSS (${IDLE_MS / 1000} s idle)`,
      ours: idle,
      unit: 'MB',
      goal: '<= 200 MB',
      met: idle <= 200,
    });
  } finally {
    await connection.close();
    await stopDevServers(join(root, 'server'), 5000);
    await rm(root, { recursive: true, force: true });
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ samples: SAMPLES, host: hostname(), rows }, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `cli bench: ${SAMPLES} samples each (medians), host ${hostname()}, node ${process.version}\n`,
  );
  process.stdout.write(
    `${'what'.padEnd(42)}${'temporal-ops'.padEnd(14)}${'baseline'.padEnd(12)}${'ratio'.padEnd(9)}goal\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${r.metric.padEnd(42)}${`${Math.round(r.ours)} ${r.unit}`.padEnd(14)}${(r.baseline === undefined ? '' : ms(r.baseline)).padEnd(12)}${(r.ratio === undefined ? '' : `${r.ratio.toFixed(1)}x`).padEnd(9)}${r.goal}${r.met === undefined ? '' : r.met ? ' met' : ' NOT met'}\n`,
    );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
