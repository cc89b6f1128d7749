// `temporal-ops workflows wait -w ID --status S`: long-poll until a status, a close or a timeout.
import type { WorkflowStatusName } from '../../contract/facts.js';
import { ExitError } from '../../errors.js';
import { WAITABLE_STATUSES, waitForStatus, type WaitOutcome } from '../../inspect/wait.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { formatClose } from './workflows-format.js';

export interface WaitOptions {
  workflowId: string;
  runId?: string;
  /** --status as given, upper-cased; checked before any call. */
  statuses: string[];
  timeoutMs: number;
}

function checkedStatuses(names: string[]): WorkflowStatusName[] {
  const bad = names.find((n) => !WAITABLE_STATUSES.includes(n as WorkflowStatusName));
  if (bad !== undefined || names.length === 0)
    throw new ExitError(
      `--status: expected one or more of ${WAITABLE_STATUSES.join(', ')}, got "${names.join(',')}"`,
      ExitCode.usage,
    );
  return names as WorkflowStatusName[];
}

const EXIT: Readonly<Record<WaitOutcome, number>> = {
  match: ExitCode.ok,
  'other-terminal': ExitCode.otherTerminal,
  timeout: ExitCode.timeout,
  'not-found': ExitCode.notFound,
};

/** Waits and prints what happened; exit 0 match, otherTerminal, timeout or notFound. */
export async function workflowsWait(options: WaitOptions, ctx: CommandContext): Promise<number> {
  const statuses = checkedStatuses(options.statuses);
  const result = await waitForStatus(await ctx.client(), options, statuses, options.timeoutMs);
  ctx.out.result(result, () => {
    const after = `after ${(result.waitedMs / 1000).toFixed(1)} s`;
    const lines: Record<WaitOutcome, string> = {
      match: `${result.workflowId} is ${result.status} (${after})`,
      'other-terminal': `${result.workflowId} closed as ${result.status}, not ${statuses.join('/')} (${after})`,
      timeout: `${result.workflowId} still ${result.status ?? 'RUNNING'}: no ${statuses.join('/')} within ${(options.timeoutMs / 1000).toFixed(0)} s`,
      'not-found': `${result.workflowId}${options.runId ? ` run ${options.runId}` : ''} not found`,
    };
    const close =
      result.close && result.outcome === 'other-terminal'
        ? `\n  ${formatClose(result.close, ctx.out.time)}`
        : '';
    return `${lines[result.outcome]}${close}`;
  });
  return EXIT[result.outcome];
}
