// `temporal-ops workflows recent`: what started or closed lately, and whether results look right.
import type { Client } from '@temporalio/client';
import type { ResultRule } from '../../diagnosis/result-check.js';
import { ExitError } from '../../errors.js';
import { isInvalidArgument } from '../../inspect/grpc.js';
import { listRecent } from '../../inspect/recent.js';
import { ExitCode } from '../output.js';
import { formatRecentRow, processOut, type Out } from './workflows-format.js';

export interface RecentCliOptions {
  minutes: number;
  query?: string;
  limit?: number;
  rule?: Partial<ResultRule>;
  opsTaskQueue: string;
  json: boolean;
}

/** Lists and checks; exit code resultLooksLikeError when any COMPLETED result reads like an error. */
export async function workflowsRecent(
  client: Client,
  options: RecentCliOptions,
  out: Out = processOut,
): Promise<number> {
  const { rows, truncated } = await listRecent(client, options).catch((error: unknown) => {
    if (isInvalidArgument(error))
      throw new ExitError(`--query: the server rejects it: ${(error as Error).message}`, ExitCode.usage);
    throw error;
  });
  if (options.json) out.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  else for (const row of rows) out.stdout(`${formatRecentRow(row)}\n`);
  const flagged = rows.filter((r) => r.resultCheck?.looksLikeError).length;
  out.stderr(
    `${rows.length} workflows in the last ${options.minutes} min${truncated ? ` (limit ${options.limit ?? 200} reached)` : ''}; ${flagged} COMPLETED with an error-like result\n`,
  );
  return flagged > 0 ? ExitCode.resultLooksLikeError : ExitCode.ok;
}
