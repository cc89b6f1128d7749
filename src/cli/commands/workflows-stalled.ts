// `temporal-ops workflows stalled`: diagnose every running target workflow, streaming the findings.
import type { Client } from '@temporalio/client';
import type { DiagnosisPolicy } from '../../diagnosis/verdicts.js';
import { ExitError } from '../../errors.js';
import { isInvalidArgument } from '../../inspect/grpc.js';
import { countWorkflows, sweep, sweepQuery, SweepTally } from '../../inspect/sweep.js';
import { ExitCode } from '../output.js';
import { formatCounts, formatFinding, processOut, type Out } from './workflows-format.js';

export interface StalledOptions {
  query?: string;
  taskQueue?: string;
  opsTaskQueue: string;
  policy?: Partial<DiagnosisPolicy>;
  concurrency?: number;
  /** Read idle runs' last events to name their wait (timer or signal). */
  explainIdle?: boolean;
  /** JSON: print only stalled findings (text always prints only stalls, then the counts). */
  stalledOnly: boolean;
  json: boolean;
}

/** Counts, sweeps and prints; exit code stallsFound when any run is stalled. */
export async function workflowsStalled(
  client: Client,
  options: StalledOptions,
  out: Out = processOut,
): Promise<number> {
  const query = sweepQuery(options);
  const total = await countWorkflows(client, query).catch((error: unknown) => {
    if (isInvalidArgument(error))
      throw new ExitError(
        `--query: the server rejects ${JSON.stringify(query)}: ${(error as Error).message}`,
        ExitCode.usage,
      );
    throw error;
  });
  out.stderr(`${total} running target workflows (${query})\n`);
  const tally = new SweepTally();
  let printed = 0;
  if (options.json) out.stdout('[');
  for await (const item of sweep(client, options)) {
    tally.add(item);
    if (item.kind === 'error') out.stderr(`could not diagnose ${item.workflowId}: ${item.error}\n`);
    if (item.kind !== 'finding') continue;
    const f = item.finding;
    if (options.json) {
      if (options.stalledOnly && !f.stalled) continue;
      out.stdout(`${printed === 0 ? '\n' : ',\n'}${JSON.stringify(f)}`);
      printed += 1;
    } else if (f.stalled) {
      out.stdout(`${formatFinding(f)}\n\n`);
    }
  }
  if (options.json) out.stdout(printed === 0 ? ']\n' : '\n]\n');
  const diagnosed = Object.values(tally.counts).reduce((a, b) => a + b, 0);
  out.stderr(
    `${formatCounts(tally.counts, diagnosed)}${tally.errorCount ? `; ${tally.errorCount} not diagnosed` : ''}\n`,
  );
  return tally.stalled > 0 ? ExitCode.stallsFound : tally.errorCount > 0 ? ExitCode.notOk : ExitCode.ok;
}
