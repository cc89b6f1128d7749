// Readiness benchmark, in one run against a throwaway dev server and the example Python worker:
//   node --import tsx bench/readiness.bench.ts [--samples 3] [--json]
// Ours: `ensureWorker` (stop the old worker, start one, ready when the server lists its poller).
// The runbook: stop the old worker, start one, `sleep 10`, declare it ready. Samples alternate.
// Reported: "first poll -> ready" (when the server first listed the worker's poller, seen by an
// independent observer, to when each method declared it ready) and "full restart" (request to
// ready), as medians and as ratios ours / runbook.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { defaultTemporalCli } from '../src/config.js';
import { clientPollerSource } from '../src/host/workers/pollers.js';
import { ensureWorker, stopProjectWorkers, type WorkerSpec } from '../src/host/workers/workers.js';
import { exampleProjectDir, venvPython } from '../src/host/projects/example.js';
import { startDevServer, stopDevServers } from '../src/host/server/dev-server.js';
import { observePolls } from './readiness-observer.js';
import { freePort } from '../src/host/server/ports.js';

const RUNBOOK_SLEEP_MS = 10_000;
const { values: flags } = parseArgs({
  options: { samples: { type: 'string', default: '3' }, json: { type: 'boolean' } },
});
const SAMPLES = Number(flags.samples);

interface Sample {
  method: 'ours' | 'runbook';
  /** Declared ready minus the first poll the server listed; negative: declared before it polled. */
  firstPollToReadyMs: number;
  restartMs: number;
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const seconds = (ms: number) =>
  Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;

async function oursSample(client: Client, spec: WorkerSpec): Promise<Sample> {
  const observer = observePolls(client, spec.taskQueue);
  const started = Date.now();
  const outcome = await ensureWorker(spec, {
    requestedAtMs: started,
    ready: { timeoutMs: 60_000, pollers: clientPollerSource(client) },
  });
  const restartMs = Date.now() - started;
  await sleep(100); // let the observer catch a poll it may have been about to read
  await observer.stop();
  // Both are upper bounds of the first poll (a listing shows each identity's latest poll): take the earlier.
  const firstPoll = Math.min(observer.firstPoll(outcome.record.pid) ?? Infinity, outcome.ready!.firstPollMs);
  return { method: 'ours', firstPollToReadyMs: outcome.ready!.readyAtMs - firstPoll, restartMs };
}

async function runbookSample(client: Client, spec: WorkerSpec): Promise<Sample> {
  const observer = observePolls(client, spec.taskQueue);
  const started = Date.now();
  await stopProjectWorkers(spec.stateDir, spec.project, spec.graceMs); // the runbook kills by pattern; we stop by record
  const { record } = await ensureWorker(spec); // spawn only: no readiness check
  await sleep(RUNBOOK_SLEEP_MS);
  const declared = Date.now();
  await observer.stop();
  const firstPoll = observer.firstPoll(record.pid);
  if (firstPoll === undefined)
    log(`runbook sample: worker ${record.pid} was not polling when declared ready`);
  return {
    method: 'runbook',
    firstPollToReadyMs: declared - (firstPoll ?? declared),
    restartMs: declared - started,
  };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'temporal-ops-readiness-bench-'));
  const server = await startDevServer(join(root, 'server'), defaultTemporalCli(), {
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(root, 'temporal.db'),
    headless: true,
  });
  log(`dev server on ${server.address}`);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const spec: WorkerSpec = {
    stateDir: join(root, 'state'),
    project: 'bench-orders',
    projectDir: exampleProjectDir,
    command: `${venvPython} worker.py`,
    taskQueue: `readiness-${nanoid(6)}`,
    env: {},
    baseEnv: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' },
    graceMs: 5000,
  };
  const samples: Sample[] = [];
  try {
    await oursSample(client, spec); // warm-up (bytecode caches, server task queue), not counted
    for (let i = 0; i < SAMPLES; i++) {
      for (const run of [oursSample, runbookSample]) {
        const sample = await run(client, spec);
        log(
          `${sample.method}: first poll -> ready ${seconds(sample.firstPollToReadyMs)}, full restart ${seconds(sample.restartMs)}`,
        );
        samples.push(sample);
      }
    }
  } finally {
    await stopProjectWorkers(spec.stateDir, spec.project, spec.graceMs);
    await connection.close();
    await stopDevServers(join(root, 'server'), 5000);
    await rm(root, { recursive: true, force: true });
  }
  const of = (method: Sample['method'], key: 'firstPollToReadyMs' | 'restartMs') =>
    median(samples.filter((s) => s.method === method).map((s) => s[key]));
  const rows = (['firstPollToReadyMs', 'restartMs'] as const).map((key) => ({
    metric: key,
    ours: of('ours', key),
    runbook: of('runbook', key),
    ratio: of('ours', key) / of('runbook', key),
  }));
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ samples: SAMPLES, runbookSleepMs: RUNBOOK_SLEEP_MS, rows, raw: samples }, null, 2)}\n`,
    );
    return;
  }
  const label = { firstPollToReadyMs: 'first poll -> ready', restartMs: 'full restart (stop, start, ready)' };
  process.stdout.write(
    `readiness bench: ${SAMPLES} samples per method (medians), example worker, server ${server.address}\n`,
  );
  process.stdout.write(
    `${'metric'.padEnd(34)}${'ours'.padEnd(12)}${'runbook sleep 10'.padEnd(20)}ratio ours/runbook\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${label[r.metric].padEnd(34)}${seconds(r.ours).padEnd(12)}${seconds(r.runbook).padEnd(20)}${r.ratio.toFixed(3)}\n`,
    );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
