// `temporal-ops workflows result -w ID`: the decoded result of a closed workflow, checked.
import type { ResultRule } from '../../contract/result-rule.js';
import { readRunOutcome, type RunOutcome } from '../../inspect/result.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { formatClose, notFoundExit } from './workflows-format.js';

export interface ResultOptions {
  workflowId: string;
  runId?: string;
  /** --result-rule. */
  resultRule?: Partial<ResultRule>;
}

/** The exit code an outcome maps to: ok, resultLooksLikeError, otherTerminal or stillRunning. */
export function resultExitCode(outcome: RunOutcome): number {
  if (outcome.status === 'RUNNING') return ExitCode.stillRunning;
  if (outcome.status !== 'COMPLETED') return ExitCode.otherTerminal;
  return outcome.resultCheck?.looksLikeError ? ExitCode.resultLooksLikeError : ExitCode.ok;
}

function text(o: RunOutcome, time: (ms: number | undefined) => string): string {
  const head = `${o.workflowId} (${o.workflowType}) run ${o.runId}: ${o.status}`;
  if (o.status === 'RUNNING') return `${head} — no result yet`;
  if (o.status !== 'COMPLETED') return `${head}\n  ${o.close ? formatClose(o.close, time) : 'closed'}`;
  if (o.resultCheck?.unreadable) return `${head}\n  result not readable here: ${o.resultCheck.unreadable}`;
  const check = o.resultCheck?.looksLikeError
    ? `\n  WARNING: COMPLETED, but the result reads like an error: ${o.resultCheck.reason}`
    : '';
  return `${head}\n${JSON.stringify(o.result, null, 2)}${check}`;
}

/** Prints the outcome; see resultExitCode for the exit code. */
export async function workflowsResult(options: ResultOptions, ctx: CommandContext): Promise<number> {
  const outcome = await readRunOutcome(await ctx.client(), options, options.resultRule).catch(
    notFoundExit(options),
  );
  ctx.out.result(outcome, (o) => text(o, ctx.out.time));
  return resultExitCode(outcome);
}
