// `temporal-ops workflows recent`: what started or closed lately, and whether results look right.
import type { ResultRule } from '../../contract/result-rule.js';
import { ExitError } from '../../errors.js';
import { isInvalidArgument } from '../../temporal/grpc.js';
import { listRecent } from '../../inspect/recent.js';
import { DEFAULTS } from '../../defaults.js';
import { readClient, type CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { formatRecentRow } from './workflows-format.js';

export interface RecentOptions {
  minutes: number;
  query?: string;
  limit?: number;
  /** --result-rule. */
  resultRule?: Partial<ResultRule>;
}

/** Lists and checks (on the light read path when it can); exit code resultLooksLikeError when any COMPLETED result reads like an error. */
export async function workflowsRecent(options: RecentOptions, ctx: CommandContext): Promise<number> {
  const { out } = ctx;
  const { opsTaskQueue } = ctx.settings;
  const { rows, truncated } = await listRecent(await readClient(ctx), {
    ...options,
    rule: options.resultRule,
    opsTaskQueue,
  }).catch((error: unknown) => {
    if (isInvalidArgument(error))
      throw new ExitError(`--query: the server rejects it: ${(error as Error).message}`, ExitCode.usage);
    throw error;
  });
  out.result(rows, (all) => all.map((row) => formatRecentRow(row, out.time)).join('\n'));
  const flagged = rows.filter((r) => r.resultCheck?.looksLikeError).length;
  out.info(
    `${rows.length} workflows in the last ${options.minutes} min${truncated ? ` (limit ${options.limit ?? DEFAULTS.recentListRows} reached)` : ''}; ${flagged} COMPLETED with an error-like result`,
  );
  return flagged > 0 ? ExitCode.resultLooksLikeError : ExitCode.ok;
}
