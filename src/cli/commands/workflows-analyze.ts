// `temporal-ops workflows analyze -w ID`: one workflow, any status, with its worker log lines.
import type { DiagnosisPolicy } from '../../diagnosis/verdicts.js';
import { analyzeWorkflow } from '../../inspect/analyze.js';
import { localLivenessOracle } from '../../processes/pollers.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { checkedPolicy, formatAnalysis, notFoundExit } from './workflows-format.js';

export interface AnalyzeOptions {
  workflowId: string;
  runId?: string;
  /** --policy as given; checked before any call. */
  policy?: Partial<DiagnosisPolicy>;
}

/** Prints the analysis; exit code stallsFound when the run is stalled, notFound when it does not exist. */
export async function workflowsAnalyze(options: AnalyzeOptions, ctx: CommandContext): Promise<number> {
  const policy = checkedPolicy(options.policy);
  const analysis = await analyzeWorkflow(await ctx.client(), options, {
    policy,
    stateDir: ctx.settings.stateDir,
    oracle: localLivenessOracle(),
  }).catch(notFoundExit(options));
  ctx.out.result(analysis, formatAnalysis);
  return analysis.finding.stalled ? ExitCode.stallsFound : ExitCode.ok;
}
