// `temporal-ops workflows analyze -w ID`: one workflow, any status, with its worker log lines.
import { hostname } from 'node:os';
import type { DiagnosisPolicy } from '../../contract/verdicts.js';
import { analyzeWorkflow } from '../../inspect/analyze.js';
import { localLivenessOracle } from '../../host/workers/pollers.js';
import { remoteLiveness } from '../../inspect/remote-liveness.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { checkedPolicy, formatAnalysis, notFoundExit } from './workflows-format.js';
import { workerLogExcerpts } from '../../host/logs/worker-logs.js';

export interface AnalyzeOptions {
  workflowId: string;
  runId?: string;
  /** --policy as given; checked before any call. */
  policy?: Partial<DiagnosisPolicy>;
}

/** Prints the analysis; exit code stallsFound when the run is stalled, notFound when it does not exist. */
export async function workflowsAnalyze(options: AnalyzeOptions, ctx: CommandContext): Promise<number> {
  const policy = checkedPolicy(options.policy);
  const client = await ctx.client();
  const analysis = await analyzeWorkflow(client, options, {
    policy,
    logs: (query) => workerLogExcerpts(ctx.settings.stateDir, query),
    oracle: localLivenessOracle(),
    remote: remoteLiveness(client, ctx.settings, hostname()),
  }).catch(notFoundExit(options));
  ctx.out.result(analysis, (a) => formatAnalysis(a, ctx.out.time));
  return analysis.finding.stalled ? ExitCode.stallsFound : ExitCode.ok;
}
