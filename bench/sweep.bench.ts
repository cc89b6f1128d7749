// Stall-sweep benchmark, all in one run against a throwaway dev server:
//   node --import tsx bench/sweep.bench.ts [--n 1000] [--big 10000] [--big-repeat-only] [--samples 100] [--big-samples 60] [--repeat 9] [--memory-repeat 5] [--big-repeat 5] [--big-memory-repeat 3] [--concurrency 24] [--db-dir DIR]
// (a) our sweep, (b) the runbook's method (the find-stalled script's list, then per workflow its text
// `temporal workflow show` with the failure events counted through grep, run by bash; also the bare
// `show -o json` alone; sampled in slices between the rounds of the others, so all see the same
// population and load, and extrapolated linearly), (c) the describe-RPC ceiling (the same list, then
// bounded-parallel DescribeWorkflowExecution only), each of (a) and (c) through gRPC-js and through
// the Rust-core connection; ours is judged on the one it uses against the faster ceiling.
// Ours and the ceilings run in fresh child processes (bench/sweep-probe.ts) so peak RSS and heap are
// theirs; medians of --repeat runs, interleaved.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { defaultTemporalCli, packageRoot } from '../src/config.js';
import { startDevServer } from '../src/host/server/dev-server.js';
import type { ProbeMode, ProbeResult, ProbeTransport } from './sweep-probe.js';
import { addFiller, createMix, mutateMix } from './sweep-population.js';
import { freePort } from '../src/host/server/ports.js';
import { teardownBench } from './teardown.js';
import { DEFAULTS } from '../src/defaults.js';
const OPS_QUEUE = 'temporal-ops';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    big: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '100' },
    'big-samples': { type: 'string', default: '60' },
    repeat: { type: 'string', default: '9' },
    'memory-repeat': { type: 'string', default: '5' },
    'big-repeat': { type: 'string', default: '5' },
    'big-memory-repeat': { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '24' },
    'db-dir': { type: 'string' },
    // At --big, measure only the repeat sweep against the full one (no runbook, no ceilings).
    'big-repeat-only': { type: 'boolean', default: false },
  },
});
const N = Number(flags.n);
const BIG = Number(flags.big);
const SAMPLES = Number(flags.samples);
const BIG_SAMPLES = Number(flags['big-samples']);
const REPEAT = Number(flags.repeat);
const MEMORY_REPEAT = Number(flags['memory-repeat']);
const BIG_REPEAT = Number(flags['big-repeat']);
const BIG_MEMORY_REPEAT = Number(flags['big-memory-repeat']);
const CONCURRENCY = Number(flags.concurrency);
const QUIET_MS = 20_000;

let memoryDir = '';
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function probe(
  mode: ProbeMode,
  transport: ProbeTransport,
  address: string,
  gcEvery?: number,
): Promise<ProbeResult> {
  const args = [
    join(packageRoot, 'bench', 'sweep-probe.ts'),
    mode,
    transport,
    address,
    OPS_QUEUE,
    String(CONCURRENCY),
    ...(gcEvery ? [String(gcEvery)] : []),
  ];
  const child = await execa(process.execPath, ['--import', 'tsx', '--expose-gc', ...args], {
    cwd: packageRoot,
    env: { BENCH_SWEEP_MEMORY_DIR: memoryDir },
  });
  return JSON.parse(child.stdout) as ProbeResult;
}

/** One figure per way of sweeping: ours and the describe-only ceiling, each through both connections. */
interface Measured {
  ours: ProbeResult;
  oursGrpcJs: ProbeResult;
  ceilingGrpcJs: ProbeResult;
  ceilingNative: ProbeResult;
  /** The faster of the two ceilings (by median). */
  ceiling: ProbeResult;
  /** Median over the rounds of ours / the faster ceiling measured next to it in the same round. */
  pairRatio: number;
  /** Ours once more, forcing a GC every 500 workflows to read its live heap (not timed). */
  memory: ProbeResult;
}

/**
 * Runs each way `repeat` times in rounds (the ceiling and ours through one connection, then through
 * the other; who goes first alternates between rounds), so the server's drift hits all alike; medians
 * of each, and the median of the per-round ratios.
 */
async function measure(
  address: string,
  repeat: number,
  runbookSample: RunbookSample,
): Promise<Measured & { rb: RunbookEstimate }> {
  const runs: Record<'ours' | 'oursGrpcJs' | 'ceilingGrpcJs' | 'ceilingNative', ProbeResult[]> = {
    ours: [],
    oursGrpcJs: [],
    ceilingGrpcJs: [],
    ceilingNative: [],
  };
  for (let i = 0; i < repeat; i++) {
    // Who goes first alternates between rounds, so neither gains from following the other.
    const pairs: [keyof typeof runs, ProbeMode, ProbeTransport][][] = [
      [
        ['ceilingNative', 'ceiling', 'native'],
        ['ours', 'ours', 'native'],
      ],
      [
        ['ceilingGrpcJs', 'ceiling', 'grpc-js'],
        ['oursGrpcJs', 'ours', 'grpc-js'],
      ],
    ];
    for (const pair of pairs)
      for (const [key, mode, transport] of i % 2 === 0 ? pair : [...pair].reverse())
        runs[key].push(await probe(mode, transport, address));
    await runbookSample.showSlice(i, repeat);
    log(
      `round ${i + 1}: ${Object.entries(runs)
        .map(([k, r]) => `${k} ${r.at(-1)?.ms} ms (cpu ${r.at(-1)?.cpuMs})`)
        .join(', ')}`,
    );
  }
  const pick = (list: ProbeResult[]) =>
    list.find((r) => r.ms === median(list.map((x) => x.ms))) as ProbeResult;
  const m = {
    ours: pick(runs.ours),
    oursGrpcJs: pick(runs.oursGrpcJs),
    ceilingGrpcJs: pick(runs.ceilingGrpcJs),
    ceilingNative: pick(runs.ceilingNative),
  };
  const nativeFaster = m.ceilingNative.ms <= m.ceilingGrpcJs.ms;
  const ceilings = nativeFaster ? runs.ceilingNative : runs.ceilingGrpcJs;
  const pairRatio = median(runs.ours.map((r, i) => r.ms / (ceilings[i] as ProbeResult).ms));
  const memory = await probe('ours', 'native', address, 500);
  const rb = runbookSample.estimate();
  return { ...m, ceiling: nativeFaster ? m.ceilingNative : m.ceilingGrpcJs, pairRatio, memory, rb };
}

/** A repeat sweep against a full one, each round after 1% of the runs changed. */
interface RepeatMeasured {
  full: ProbeResult;
  repeat: ProbeResult;
  /** Median over the rounds of repeat / full measured in the same round. */
  pairRatio: number;
}

/**
 * Writes the scope's memory with one full sweep, then per round: change 1% of the runs, a full sweep
 * (ours, no memory), and a repeat sweep from the memory the last one left.
 */
async function measureRepeat(
  client: Client,
  address: string,
  scanned: number,
  repeat: number,
): Promise<RepeatMeasured> {
  await probe('full-remember', 'native', address);
  const full: ProbeResult[] = [];
  const repeats: ProbeResult[] = [];
  for (let i = 0; i < repeat; i++) {
    await mutateMix(client, Math.max(4, Math.round(scanned / 100)));
    // Visibility is eventually consistent: let the changes reach the list before either sweep.
    await sleep(2000);
    full.push(await probe('ours', 'native', address));
    repeats.push(await probe('repeat', 'native', address));
    log(
      `repeat round ${i + 1}: full ${full.at(-1)?.ms} ms, repeat ${repeats.at(-1)?.ms} ms (${repeats.at(-1)?.remembered} of ${repeats.at(-1)?.scanned} from memory)`,
    );
  }
  const pick = (list: ProbeResult[]) =>
    list.find((r) => r.ms === median(list.map((x) => x.ms))) as ProbeResult;
  return {
    full: pick(full),
    repeat: pick(repeats),
    pairRatio: median(repeats.map((r, i) => r.ms / (full[i] as ProbeResult).ms)),
  };
}

interface RunbookEstimate {
  listMs: number;
  listed: number;
  sampled: number;
  /** Per workflow, the find-stalled script's steps: a text `show`, then its failure events counted through grep. */
  perWorkflowMs: number;
  /** Per workflow, one `temporal workflow show -o json` spawn alone (the figure before the script's counting). */
  perShowMs: number;
  totalMs: number;
  /** The same list, with the show-alone figure per workflow. */
  showOnlyTotalMs: number;
  /** Of the sampled workflows, how many the runbook's rule (WorkflowTaskFailed > 0 or ActivityTaskFailed > 2) flags. */
  flagged: number;
}

/**
 * The find-stalled script's work for each workflow, read from stdin: the text history from
 * `temporal workflow show`, and each failure count taken with `grep -c` and trimmed with `tr`, in
 * command substitutions, as the skill's script does. Prints the workflows its rule flags.
 */
const RUNBOOK_STEPS = String.raw`
cli="$1"; address="$2"
while IFS= read -r id; do
  [ -n "$id" ] || continue
  history=$("$cli" workflow show --workflow-id "$id" --address "$address" --namespace default 2>/dev/null) || continue
  task_failures=$(echo "$history" | grep -c WorkflowTaskFailed || echo 0)
  task_failures=$(echo "$task_failures" | tr -d '\n' | tr -d ' ')
  activity_failures=$(echo "$history" | grep -c ActivityTaskFailed || echo 0)
  activity_failures=$(echo "$activity_failures" | tr -d '\n' | tr -d ' ')
  if [ "$task_failures" -gt 0 ] || [ "$activity_failures" -gt 2 ]; then echo "$id"; fi
done
`;

/**
 * The runbook's find-stalled method: one list, then the script's steps per workflow, sequentially.
 * The list is timed once; the sample is spread over the rounds of the other ways, so all see the same
 * population and the same server load. Each slice is also timed as bare JSON shows, in turns first
 * and second, for the figure without the script's counting.
 */
interface RunbookSample {
  /** Runs this round's share of the sample. */
  showSlice(round: number, rounds: number): Promise<void>;
  estimate(): RunbookEstimate;
}

async function runbookSample(address: string, samples: number): Promise<RunbookSample> {
  const cli = defaultTemporalCli();
  const started = performance.now();
  // As the script lists: text output, the workflow ID in the second column.
  const list = await execa(cli, [
    'workflow',
    'list',
    '--address',
    address,
    '--namespace',
    'default',
    '--query',
    "ExecutionStatus='Running'",
  ]);
  const listMs = performance.now() - started;
  const ids = list.stdout
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[1] ?? '')
    .filter((id) => id !== '');
  const step = Math.max(1, Math.floor(ids.length / samples));
  const sample = ids.filter((_, i) => i % step === 0).slice(0, samples);
  let flagged = 0;
  let sampled = 0;
  let stepsMs = 0;
  let showMs = 0;
  const runSteps = async (slice: string[]) => {
    const t = performance.now();
    const run = await execa('bash', ['-c', RUNBOOK_STEPS, 'runbook', cli, address], {
      input: slice.join('\n'),
    });
    stepsMs += performance.now() - t;
    flagged += run.stdout.split('\n').filter((line) => line.trim() !== '').length;
  };
  const showAlone = async (slice: string[]) => {
    const t = performance.now();
    for (const workflowId of slice)
      await execa(cli, ['workflow', 'show', '-w', workflowId, '--address', address, '-o', 'json']);
    showMs += performance.now() - t;
  };
  return {
    async showSlice(round, rounds) {
      const slice = sample.slice(
        Math.floor((round * sample.length) / rounds),
        Math.floor(((round + 1) * sample.length) / rounds),
      );
      if (round % 2 === 0) {
        await runSteps(slice);
        await showAlone(slice);
      } else {
        await showAlone(slice);
        await runSteps(slice);
      }
      sampled += slice.length;
    },
    estimate() {
      const perWorkflowMs = stepsMs / Math.max(1, sampled);
      const perShowMs = showMs / Math.max(1, sampled);
      return {
        listMs,
        listed: ids.length,
        sampled,
        perWorkflowMs,
        perShowMs,
        totalMs: listMs + perWorkflowMs * ids.length,
        showOnlyTotalMs: listMs + perShowMs * ids.length,
        flagged,
      };
    },
  };
}

/** The workflow-service calls of a pass, by method. */
const calls = (r: ProbeResult) =>
  Object.entries(r.rpcs)
    .map(([method, n]) => `${method} ${n}`)
    .join(', ');
const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'temporal-ops-bench-'));
  const stateDir = join(root, 'state');
  memoryDir = join(root, 'sweep-memory');
  // The server keeps its store in memory, as the runbook's bare `temporal server start-dev` does.
  // --db-dir DIR gives it a SQLite file there instead (on tmpfs, describes at 10,000 open
  // workflows measured about a quarter slower than in memory).
  const dbDir = flags['db-dir'] ? await mkdtemp(join(flags['db-dir'], 'temporal-ops-bench-db-')) : undefined;
  const store = dbDir ? `database in ${dbDir}` : 'store in memory';
  const server = await startDevServer(stateDir, defaultTemporalCli(), {
    port: await freePort(),
    uiPort: await freePort(),
    ...(dbDir && { dbFile: join(dbDir, 'bench.db') }),
    headless: true,
  });
  log(`dev server on ${server.address}, ${store}`);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const benchStarted = Date.now();
  try {
    const mix = await createMix(client, stateDir, server.address, log);
    const mixTotal = Object.values(mix).reduce((a, b) => a + b, 0);
    if (N > mixTotal) await addFiller(client, N - mixTotal);
    // The fixture worker is still catching up when the mix reports settled: let the server go quiet.
    await sleep(QUIET_MS);
    const small = await measure(server.address, REPEAT, await runbookSample(server.address, SAMPLES));
    const rb = small.rb;
    log(
      `runbook: list ${fmt(rb.listMs)}, ${rb.sampled} workflows at ${fmt(rb.perWorkflowMs)} each (show alone ${fmt(rb.perShowMs)})`,
    );
    const smallRepeat = await measureRepeat(client, server.address, small.ours.scanned, MEMORY_REPEAT);
    const explain = await probe('ours-explain', 'native', server.address);
    log(`ours with --explain-waits: ${explain.ms} ms`);

    const filled = Math.max(N, mixTotal);
    const runBig = BIG > filled;
    let bigRun: { m: Measured; rb: RunbookEstimate; repeat: RepeatMeasured } | undefined;
    let bigRepeatOnly: RepeatMeasured | undefined;
    if (runBig) {
      log(`adding ${BIG - filled} no-worker workflows for the ${BIG} run`);
      const fillStarted = Date.now();
      await addFiller(client, BIG - filled, filled - mixTotal);
      log(`added them in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s`);
      await sleep(QUIET_MS);
      if (flags['big-repeat-only'])
        bigRepeatOnly = await measureRepeat(client, server.address, BIG, BIG_MEMORY_REPEAT);
      else {
        const m = await measure(server.address, BIG_REPEAT, await runbookSample(server.address, BIG_SAMPLES));
        log(
          `runbook at ${BIG}: list ${fmt(m.rb.listMs)}, ${m.rb.sampled} workflows at ${fmt(m.rb.perWorkflowMs)} each (show alone ${fmt(m.rb.perShowMs)})`,
        );
        const repeat = await measureRepeat(client, server.address, m.ours.scanned, BIG_MEMORY_REPEAT);
        bigRun = { m, rb: m.rb, repeat };
      }
    }

    const c = small.ours.counts ?? {};
    const ratio = (a: number, b: number, digits: number) => (a / b).toFixed(digits);
    const repeatLine = (r: RepeatMeasured) =>
      `  (d) repeat sweep after 1% of the runs changed (memory of the last sweep, every run described at least every ${DEFAULTS.sweepRecheckEvery} sweeps): ${fmt(r.repeat.ms)} (${r.repeat.remembered} of ${r.repeat.scanned} from memory) beside a full sweep of ${fmt(r.full.ms)} in the same rounds: ${ratio(r.repeat.ms, r.full.ms, 2)}x of the medians, ${r.pairRatio.toFixed(2)}x the median of the rounds' ratios   (goal <= 0.2x)`;
    const section = (m: Measured, r: RunbookEstimate, runs: number) => [
      `N=${m.ours.scanned} (medians of ${runs} runs)`,
      `  (a) our sweep (count + list + describe + history tail when needed + pollers + diagnose), Rust-core connection: ${fmt(m.ours.ms)} (client cpu ${fmt(m.ours.cpuMs)}); calls: ${calls(m.ours)}`,
      `      the same through gRPC-js: ${fmt(m.oursGrpcJs.ms)} (client cpu ${fmt(m.oursGrpcJs.cpuMs)})`,
      `  (b) runbook (find-stalled: the list, then per workflow a text \`temporal workflow show\` and its failure events counted with grep): ${fmt(r.totalMs)}  [list ${fmt(r.listMs)} + ${r.listed} x ${fmt(r.perWorkflowMs)}, per-workflow time of ${r.sampled} sampled in sequence, extrapolated linearly]`,
      `      the show alone (\`temporal workflow show -o json\`, no counting): ${fmt(r.showOnlyTotalMs)}  [${r.listed} x ${fmt(r.perShowMs)}]; runbook / ours with it: ${ratio(r.showOnlyTotalMs, m.ours.ms, 1)}x`,
      `  (c) describe-only ceiling (list + describe): gRPC-js ${fmt(m.ceilingGrpcJs.ms)} (cpu ${fmt(m.ceilingGrpcJs.cpuMs)}), Rust core ${fmt(m.ceilingNative.ms)} (cpu ${fmt(m.ceilingNative.cpuMs)}); the faster is ${m.ceiling === m.ceilingNative ? 'the Rust core' : 'gRPC-js'}; calls: ${calls(m.ceiling)}`,
      `  runbook / ours = ${ratio(r.totalMs, m.ours.ms, 1)}x   (goal >= 50x)`,
      `  ours / faster ceiling = ${ratio(m.ours.ms, m.ceiling.ms, 2)}x of the medians, ${m.pairRatio.toFixed(2)}x the median of the ${runs} rounds' ratios   (goal <= 1.15x)`,
      '',
    ];
    const lines = [
      '',
      `Stall sweep benchmark (dev server, ${store}, ${CONCURRENCY} describes in flight; the client shares the 2 cores with the server and the Python workers)`,
      `Population N=${small.ours.scanned}: ${Object.entries(mix)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}${N > mixTotal ? `, filler ${N - mixTotal}` : ''}`,
      `  our verdicts: ${Object.entries(c)
        .filter(([, n]) => n > 0)
        .map(([v, n]) => `${v} ${n}`)
        .join(
          ', ',
        )} (${small.ours.stalled} stalled); the runbook's rule flagged ${rb.flagged} of its ${rb.sampled} sampled workflows`,
      '',
      ...section(small, rb, REPEAT),
      repeatLine(smallRepeat),
      `  (a') our sweep with --explain-waits (history of idle runs read too, one run): ${fmt(explain.ms)}, ${ratio(explain.ms, small.ceiling.ms, 2)}x the faster ceiling`,
      '',
      ...(bigRun ? [...section(bigRun.m, bigRun.rb, BIG_REPEAT), repeatLine(bigRun.repeat), ''] : []),
      ...(bigRepeatOnly
        ? [
            `N=${bigRepeatOnly.full.scanned} (repeat sweep only, medians of ${BIG_MEMORY_REPEAT} rounds)`,
            repeatLine(bigRepeatOnly),
            '',
          ]
        : []),
      'Memory of our sweep (its own process; baseline after connect + gc; peak sampled every 10 ms during the',
      'run; live heap = largest heap right after the forced GC every 500 workflows, in a run of its own):',
      ...[small, ...(bigRun ? [bigRun.m] : [])].map(
        (m) =>
          `  N=${m.memory.scanned}: peak RSS ${m.memory.peakRssMb} MB (baseline ${m.memory.baselineRssMb}), peak heap ${m.memory.peakHeapMb} MB (baseline ${m.memory.baselineHeapMb}), live heap ${m.memory.liveHeapMb} MB; the Rust-core ceiling's peak RSS ${m.ceilingNative.peakRssMb} MB`,
      ),
      '',
      `bench total ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await teardownBench(connection, stateDir, dbDir ? [root, dbDir] : [root]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
