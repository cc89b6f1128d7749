// Stall-sweep benchmark, all in one run against a throwaway dev server:
//   node --import tsx bench/sweep.bench.ts [--n 1000] [--big 10000] [--samples 100] [--repeat 3] [--big-repeat 1] [--concurrency 24]
// (a) our sweep, (b) the runbook's method (visibility list, then one `temporal workflow show -o json`
// spawn per workflow; sampled and extrapolated linearly), (c) the describe-RPC ceiling (the same list,
// then bounded-parallel DescribeWorkflowExecution only). Ours and the ceiling run in fresh child
// processes (bench/sweep-probe.ts) so peak RSS and heap are theirs; medians of --repeat runs.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { defaultTemporalCli, packageRoot } from '../src/config.js';
import { startDevServer } from '../src/server/dev-server.js';
import type { ProbeResult } from './sweep-probe.js';
import { addFiller, createMix } from './sweep-population.js';
import { freePort } from '../src/server/ports.js';
import { teardownBench } from './teardown.js';
// --db-dir DIR: where the server's SQLite file goes (default /dev/shm when present).
const OPS_QUEUE = 'temporal-ops';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    big: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '100' },
    repeat: { type: 'string', default: '3' },
    'big-repeat': { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '24' },
    'db-dir': { type: 'string' },
  },
});
const N = Number(flags.n);
const BIG = Number(flags.big);
const SAMPLES = Number(flags.samples);
const REPEAT = Number(flags.repeat);
const BIG_REPEAT = Number(flags['big-repeat']);
const CONCURRENCY = Number(flags.concurrency);

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function probe(mode: ProbeResult['mode'], address: string, gcEvery?: number): Promise<ProbeResult> {
  const args = [
    join(packageRoot, 'bench', 'sweep-probe.ts'),
    mode,
    address,
    OPS_QUEUE,
    String(CONCURRENCY),
    ...(gcEvery ? [String(gcEvery)] : []),
  ];
  const child = await execa(process.execPath, ['--import', 'tsx', '--expose-gc', ...args], {
    cwd: packageRoot,
  });
  return JSON.parse(child.stdout) as ProbeResult;
}

/** Alternates ours and the ceiling `REPEAT` times; returns the median run of each. */
async function measure(
  address: string,
  repeat: number,
): Promise<{ ours: ProbeResult; ceiling: ProbeResult }> {
  const ours: ProbeResult[] = [];
  const ceiling: ProbeResult[] = [];
  for (let i = 0; i < repeat; i++) {
    ceiling.push(await probe('ceiling', address));
    // Ours forces a GC every 500 workflows to report its live heap: a small cost, counted against it.
    ours.push(await probe('ours', address, 500));
    log(
      `run ${i + 1}: ours ${ours.at(-1)?.ms} ms (cpu ${ours.at(-1)?.cpuMs} ms), ceiling ${ceiling.at(-1)?.ms} ms (cpu ${ceiling.at(-1)?.cpuMs} ms)`,
    );
  }
  const pick = (runs: ProbeResult[]) =>
    runs.find((r) => r.ms === median(runs.map((x) => x.ms))) as ProbeResult;
  return { ours: pick(ours), ceiling: pick(ceiling) };
}

interface RunbookEstimate {
  listMs: number;
  listed: number;
  sampled: number;
  perShowMs: number;
  totalMs: number;
  /** Of the sampled workflows, how many the runbook's rule (WorkflowTaskFailed > 0 or ActivityTaskFailed > 2) flags. */
  flagged: number;
}

/** The runbook's find-stalled method: one list, then `workflow show` per workflow, sequentially. */
async function runbook(address: string, samples: number): Promise<RunbookEstimate> {
  const cli = defaultTemporalCli();
  const started = performance.now();
  const list = await execa(cli, [
    'workflow',
    'list',
    '--address',
    address,
    '--query',
    'ExecutionStatus="Running"',
    '-o',
    'json',
  ]);
  const listMs = performance.now() - started;
  const ids = (JSON.parse(list.stdout) as { execution: { workflowId: string } }[]).map(
    (w) => w.execution.workflowId,
  );
  const step = Math.max(1, Math.floor(ids.length / samples));
  const sample = ids.filter((_, i) => i % step === 0).slice(0, samples);
  let flagged = 0;
  const showStarted = performance.now();
  for (const workflowId of sample) {
    const show = await execa(cli, ['workflow', 'show', '-w', workflowId, '--address', address, '-o', 'json']);
    const events = (JSON.parse(show.stdout) as { events: { eventType: string }[] }).events;
    const count = (type: string) => events.filter((e) => e.eventType === type).length;
    if (count('EVENT_TYPE_WORKFLOW_TASK_FAILED') > 0 || count('EVENT_TYPE_ACTIVITY_TASK_FAILED') > 2)
      flagged += 1;
  }
  const perShowMs = (performance.now() - showStarted) / sample.length;
  return {
    listMs,
    listed: ids.length,
    sampled: sample.length,
    perShowMs,
    totalMs: listMs + perShowMs * ids.length,
    flagged,
  };
}

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'temporal-ops-bench-'));
  const stateDir = join(root, 'state');
  // The server's SQLite file goes on tmpfs when there is one: every start and every retry is a
  // synced write, and a slow disk would time the disk rather than the methods compared.
  const dbRoot = flags['db-dir'] ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  const dbDir = await mkdtemp(join(dbRoot, 'temporal-ops-bench-db-'));
  const server = await startDevServer(stateDir, defaultTemporalCli(), {
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(dbDir, 'bench.db'),
    headless: true,
  });
  log(`dev server on ${server.address}, database in ${dbDir}`);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const benchStarted = Date.now();
  try {
    const mix = await createMix(client, stateDir, server.address, log);
    const mixTotal = Object.values(mix).reduce((a, b) => a + b, 0);
    if (N > mixTotal) await addFiller(client, N - mixTotal);
    const small = await measure(server.address, REPEAT);
    const explain = await probe('ours-explain', server.address);
    log(`ours with --explain-waits: ${explain.ms} ms`);
    const rb = await runbook(server.address, SAMPLES);
    log(`runbook: list ${fmt(rb.listMs)}, ${rb.sampled} shows at ${fmt(rb.perShowMs)} each`);

    const filled = Math.max(N, mixTotal);
    log(`adding ${BIG - filled} no-worker workflows for the ${BIG} run`);
    const fillStarted = Date.now();
    await addFiller(client, BIG - filled, filled - mixTotal);
    log(`added them in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s`);
    const big = await measure(server.address, BIG_REPEAT);

    const c = small.ours.counts ?? {};
    const lines = [
      '',
      `Stall sweep benchmark (dev server, database in ${dbRoot}, ${CONCURRENCY} describes in flight, medians of ${REPEAT} runs at N=${N}, ${BIG_REPEAT} at N=${BIG})`,
      `Population N=${small.ours.scanned}: ${Object.entries(mix)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}${N > mixTotal ? `, filler ${N - mixTotal}` : ''}`,
      `  our verdicts: ${Object.entries(c)
        .filter(([, n]) => n > 0)
        .map(([v, n]) => `${v} ${n}`)
        .join(', ')} (${small.ours.stalled} stalled)`,
      '',
      `N=${small.ours.scanned}`,
      `  (a) our sweep (count + list + describe + history tail when needed + pollers + diagnose): ${fmt(small.ours.ms)}`,
      `  (b) runbook (list + one \`temporal workflow show\` per workflow): ${fmt(rb.totalMs)}  [list ${fmt(rb.listMs)} + ${rb.listed} x ${fmt(rb.perShowMs)}, per-show time measured on ${rb.sampled} sequential spawns and extrapolated linearly]`,
      `  (c) describe-RPC ceiling (list + describe only): ${fmt(small.ceiling.ms)}`,
      `  (a') our sweep with --explain-waits (history of idle runs read too, one run): ${fmt(explain.ms)}`,
      `  runbook / ours = ${(rb.totalMs / small.ours.ms).toFixed(1)}x   (goal >= 20x)`,
      `  ours / ceiling = ${(small.ours.ms / small.ceiling.ms).toFixed(2)}x   (goal <= 2x); with --explain-waits ${(explain.ms / small.ceiling.ms).toFixed(2)}x`,
      `  client CPU: ours ${fmt(small.ours.cpuMs)}, ceiling ${fmt(small.ceiling.cpuMs)} (the client shares the 2 cores with the server and the Python worker)`,
      `  the runbook's rule flagged ${rb.flagged} of its ${rb.sampled} sampled workflows; our sweep calls ${small.ours.stalled} of ${small.ours.scanned} stalled`,
      '',
      `N=${big.ours.scanned}`,
      `  (a) ours ${fmt(big.ours.ms)}, (c) ceiling ${fmt(big.ceiling.ms)}: ours / ceiling = ${(big.ours.ms / big.ceiling.ms).toFixed(2)}x`,
      '',
      'Memory of our sweep (its own process; baseline after connect + gc; peak sampled every 10 ms during the',
      'timed run; live heap = largest heap right after the forced GC every 500 workflows):',
      `  N=${small.ours.scanned}: peak RSS ${small.ours.peakRssMb} MB (baseline ${small.ours.baselineRssMb}), peak heap ${small.ours.peakHeapMb} MB (baseline ${small.ours.baselineHeapMb}), live heap ${small.ours.liveHeapMb} MB`,
      `  N=${big.ours.scanned}: peak RSS ${big.ours.peakRssMb} MB (baseline ${big.ours.baselineRssMb}), peak heap ${big.ours.peakHeapMb} MB (baseline ${big.ours.baselineHeapMb}), live heap ${big.ours.liveHeapMb} MB`,
      `  ceiling for comparison: peak RSS ${small.ceiling.peakRssMb} / ${big.ceiling.peakRssMb} MB, peak heap ${small.ceiling.peakHeapMb} / ${big.ceiling.peakHeapMb} MB`,
      '',
      `bench total ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await teardownBench(connection, stateDir, [root, dbDir]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
