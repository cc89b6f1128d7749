// One measured pass in a fresh process, so its peak RSS and heap are its own:
//   node --import tsx --expose-gc bench/sweep-probe.ts <mode> <grpc-js|native> <address> <ops-queue> [concurrency] [gc-every]
// mode:
//   ours          the stall sweep as `workflows stalled` and the control worker's activity run it: count,
//                 list, describe + history tail when needed + pollers, diagnose; streamed.
//   ours-explain  the same with the history of idle runs read too (`--explain-waits`).
//   full-remember our sweep as a scheduled sweep runs it with no memory: every run described, and the
//                 scope's memory written to $BENCH_SWEEP_MEMORY_DIR.
//   repeat        a repeat sweep from that memory (rotation of 3): what changed, the stalls that may move,
//                 and one rotation slot are described; the memory is then replaced.
//   ceiling       the same visibility list (the same small first page), then bounded-parallel
//                 DescribeWorkflowExecution only.
// The connection (gRPC-js, or the Rust core's) is opened before the timed pass, as both the command
// and the control worker have it open before they sweep.
// With gc-every K, a full GC runs after every K workflows and the largest heap left after one is
// reported as the live heap (what the sweep retains, garbage excluded). Prints one JSON line.
import { Client, Connection } from '@temporalio/client';
import { executionSummary } from '../src/inspect/describe-facts.js';
import { mapBounded } from '../src/inspect/pool.js';
import {
  begun,
  countWorkflows,
  FIRST_PAGE_SIZE,
  listExecutions,
  sweep,
  sweepQuery,
  SweepTally,
  type SweepMemoryBody,
} from '../src/inspect/sweep.js';
import { connectNativeClient, loadConnectTarget } from '../src/temporal/connection.js';
import type { SweepMemory } from '../src/contract/sweep-memory.js';
import { readSweepMemory, sweepScope, writeSweepMemory } from '../src/host/records/sweep-memory-file.js';
import { DEFAULTS } from '../src/defaults.js';
import { countCalls } from '../test/helpers/count-calls.js';

export type ProbeMode = 'ours' | 'ours-explain' | 'full-remember' | 'repeat' | 'ceiling';
export type ProbeTransport = 'grpc-js' | 'native';

export interface ProbeResult {
  mode: ProbeMode;
  transport: ProbeTransport;
  ms: number;
  scanned: number;
  stalled?: number;
  counts?: Record<string, number>;
  baselineRssMb: number;
  peakRssMb: number;
  baselineHeapMb: number;
  peakHeapMb: number;
  /** CPU time of this process (user + system) during the pass. */
  cpuMs: number;
  /** Largest heap right after a forced GC (only with gc-every). */
  liveHeapMb?: number;
  /** Runs a repeat sweep took from the memory instead of describing them. */
  remembered?: number;
  /** Workflow-service calls made during the pass, by method. */
  rpcs: Record<string, number>;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const MODES: ProbeMode[] = ['ours', 'ours-explain', 'full-remember', 'repeat', 'ceiling'];
const TRANSPORTS: ProbeTransport[] = ['grpc-js', 'native'];

async function main(): Promise<void> {
  const [mode, transport, address, opsTaskQueue, concurrencyText, gcEveryText] = process.argv.slice(2) as [
    ProbeMode,
    ProbeTransport,
    string,
    string,
    string?,
    string?,
  ];
  if (!MODES.includes(mode) || !TRANSPORTS.includes(transport) || !address || !opsTaskQueue)
    throw new Error(
      `usage: sweep-probe <${MODES.join('|')}> <${TRANSPORTS.join('|')}> <address> <ops-queue>`,
    );
  const gcEvery = gcEveryText ? Number(gcEveryText) : 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  let liveHeap = 0;
  let seen = 0;
  const maybeGc = () => {
    seen += 1;
    if (gcEvery > 0 && gc && seen % gcEvery === 0) {
      gc();
      liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
    }
  };
  const concurrency = Number(concurrencyText ?? 24);
  const target = loadConnectTarget({ address, namespace: 'default' });
  const client =
    transport === 'native'
      ? await connectNativeClient(target)
      : new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
  await client.workflowService.getSystemInfo({});
  const rpcs = countCalls(client);
  gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 10);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const query = sweepQuery({ opsTaskQueue });
  const result: Partial<ProbeResult> = { mode, transport, rpcs };
  const memoryDir = process.env.BENCH_SWEEP_MEMORY_DIR ?? '';
  const scope = sweepScope('default', query, undefined);
  // The memory is read and written inside the timed pass, as the sweep activity does.
  const remembering = mode === 'full-remember' || mode === 'repeat';
  let next: SweepMemory | undefined;
  const memory = remembering
    ? {
        recall: {
          recheckEvery: DEFAULTS.sweepRecheckEvery,
          maxFindings: DEFAULTS.maxFindings,
          ...(mode === 'repeat' && { previous: await readSweepMemory(memoryDir, scope) }),
        },
        remember: (body: SweepMemoryBody) => {
          next = { version: 1, scope, writtenBy: `bench-${Date.now()}`, writtenAtMs: Date.now(), ...body };
        },
      }
    : {};
  if (mode !== 'ceiling') {
    const tally = new SweepTally();
    // As `workflows stalled` does: the sweep begins beside the count.
    const items = begun(
      sweep(client, {
        opsTaskQueue,
        concurrency,
        explainIdle: mode === 'ours-explain',
        ...memory,
      }),
    );
    await countWorkflows(client, query);
    for await (const item of items) {
      tally.add(item);
      maybeGc();
    }
    if (next) await writeSweepMemory(memoryDir, next);
    Object.assign(result, {
      scanned: tally.scanned,
      stalled: tally.stalled,
      counts: tally.counts,
      ...(remembering && { remembered: tally.remembered }),
    });
  } else {
    let scanned = 0;
    const runs = async function* () {
      for await (const info of listExecutions(client, query, 500, FIRST_PAGE_SIZE))
        yield executionSummary(info);
    };
    const described = mapBounded(runs(), concurrency, (run) =>
      client.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: { workflowId: run.workflowId, runId: run.runId },
      }),
    );
    for await (const response of described) {
      if (response.workflowExecutionInfo) scanned += 1;
      maybeGc();
    }
    result.scanned = scanned;
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(sampler);
  sample();
  await client.connection.close();
  process.stdout.write(
    `${JSON.stringify({ ...result, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), baselineRssMb: mb(base.rss), peakRssMb: mb(peakRss), baselineHeapMb: mb(base.heapUsed), peakHeapMb: mb(peakHeap), ...(gcEvery > 0 && { liveHeapMb: mb(liveHeap) }) })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
