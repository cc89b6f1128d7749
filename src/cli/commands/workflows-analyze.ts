// `temporal-ops workflows analyze -w ID`: one workflow, any status, with its worker log lines.
import type { Client } from '@temporalio/client';
import type { DiagnosisPolicy } from '../../diagnosis/verdicts.js';
import { ExitError } from '../../errors.js';
import { analyzeWorkflow } from '../../inspect/analyze.js';
import { isNotFound } from '../../inspect/grpc.js';
import { ExitCode } from '../output.js';
import { formatAnalysis, processOut, type Out } from './workflows-format.js';

export interface AnalyzeCliOptions {
  workflowId: string;
  runId?: string;
  policy?: Partial<DiagnosisPolicy>;
  stateDir: string;
  json: boolean;
}

/** Prints the analysis; exit code stallsFound when the run is stalled, notFound when it does not exist. */
export async function workflowsAnalyze(
  client: Client,
  options: AnalyzeCliOptions,
  out: Out = processOut,
): Promise<number> {
  const analysis = await analyzeWorkflow(client, options, {
    policy: options.policy,
    stateDir: options.stateDir,
  }).catch((error: unknown) => {
    if (isNotFound(error))
      throw new ExitError(
        `workflow ${options.workflowId}${options.runId ? ` run ${options.runId}` : ''} not found`,
        ExitCode.notFound,
      );
    throw error;
  });
  if (options.json) out.stdout(`${JSON.stringify(analysis, null, 2)}\n`);
  else out.stdout(`${formatAnalysis(analysis)}\n`);
  return analysis.finding.stalled ? ExitCode.stallsFound : ExitCode.ok;
}
