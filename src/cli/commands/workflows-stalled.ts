// `temporal-ops workflows stalled`: diagnose every running target workflow, streaming the findings.
import { hostname } from 'node:os';
import type { DiagnosisPolicy } from '../../contract/verdicts.js';
import { ExitError } from '../../errors.js';
import { isInvalidArgument } from '../../temporal/grpc.js';
import { localLivenessOracle } from '../../host/workers/pollers.js';
import { remoteLiveness } from '../../inspect/remote-liveness.js';
import { begun, countWorkflows, sweep, sweepQuery, SweepTally, type SweepItem } from '../../inspect/sweep.js';
import { connectNativeClient } from '../../temporal/connection.js';
import { unavailable, type CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { checkedPolicy, formatCounts, formatFinding } from './workflows-format.js';

export interface StalledOptions {
  query?: string;
  taskQueue?: string;
  /** --policy as given; checked before any call. */
  policy?: Partial<DiagnosisPolicy>;
  concurrency?: number;
  /** Read idle runs' last events to name their wait (timer or signal). */
  explainIdle?: boolean;
  /** JSON: print only stalled findings (text always prints only stalls, then the counts). */
  stalledOnly: boolean;
}

/**
 * Counts, sweeps and prints; exit code stallsFound when any run is stalled. The whole command goes
 * through the Rust-core connection: it costs about 30 ms more to open than gRPC-js, and each describe
 * costs the client a third less CPU (bench:sweep), which repays it within the first hundred runs.
 */
export async function workflowsStalled(raw: StalledOptions, ctx: CommandContext): Promise<number> {
  const policy = checkedPolicy(raw.policy);
  const client = await connectNativeClient(ctx.target).catch(unavailable(ctx.target));
  try {
    const { opsTaskQueue } = ctx.settings;
    const options = {
      ...raw,
      policy,
      opsTaskQueue,
      oracle: localLivenessOracle(),
      remote: remoteLiveness(client, ctx.settings, hostname()),
    };
    const query = sweepQuery(options);
    // The sweep begins beside the count: its first describes do not wait for the total.
    const items = begun(sweep(client, options));
    const total = await countWorkflows(client, query).catch((error: unknown) => {
      if (isInvalidArgument(error))
        throw new ExitError(
          `--query: the server rejects ${JSON.stringify(query)}: ${(error as Error).message}`,
          ExitCode.usage,
        );
      throw error;
    });
    ctx.out.info(`${total} running target workflows (${query})`);
    return await printSweep(items, options, ctx);
  } finally {
    await client.connection.close();
  }
}

async function printSweep(
  items: AsyncGenerator<SweepItem>,
  options: StalledOptions,
  { out }: CommandContext,
): Promise<number> {
  const tally = new SweepTally();
  let printed = 0;
  // Findings stream as they come: a JSON array written item by item, a line each in jsonl, or text for each stall.
  const lines = out.style.format === 'jsonl';
  if (out.json && !lines) out.write('[');
  for await (const item of items) {
    tally.add(item);
    if (item.kind === 'error') out.info(`could not diagnose ${item.workflowId}: ${item.error}`);
    if (item.kind !== 'finding') continue;
    const f = item.finding;
    if (out.json) {
      if (options.stalledOnly && !f.stalled) continue;
      out.write(lines ? `${JSON.stringify(f)}\n` : `${printed === 0 ? '\n' : ',\n'}${JSON.stringify(f)}`);
      printed += 1;
    } else if (f.stalled) {
      out.write(`${formatFinding(f, out.style.color)}\n\n`);
    }
  }
  if (out.json && !lines) out.write(printed === 0 ? ']\n' : '\n]\n');
  const diagnosed = Object.values(tally.counts).reduce((a, b) => a + b, 0);
  out.info(
    `${formatCounts(tally.counts, diagnosed)}${tally.errorCount ? `; ${tally.errorCount} not diagnosed` : ''}`,
  );
  return tally.stalled > 0 ? ExitCode.stallsFound : tally.errorCount > 0 ? ExitCode.notOk : ExitCode.ok;
}
