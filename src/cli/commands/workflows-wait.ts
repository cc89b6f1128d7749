// `temporal-ops workflows wait -w ID --status S`: long-poll until a status, a close or a timeout.
import type { Client } from '@temporalio/client';
import type { WorkflowStatusName } from '../../diagnosis/facts.js';
import { waitForStatus, type WaitOutcome } from '../../inspect/wait.js';
import { ExitCode } from '../output.js';
import { formatClose, processOut, type Out } from './workflows-format.js';

export interface WaitCliOptions {
  workflowId: string;
  runId?: string;
  statuses: WorkflowStatusName[];
  timeoutMs: number;
  json: boolean;
}

const EXIT: Readonly<Record<WaitOutcome, number>> = {
  match: ExitCode.ok,
  'other-terminal': ExitCode.otherTerminal,
  timeout: ExitCode.timeout,
  'not-found': ExitCode.notFound,
};

/** Waits and prints what happened; exit 0 match, otherTerminal, timeout or notFound. */
export async function workflowsWait(
  client: Client,
  options: WaitCliOptions,
  out: Out = processOut,
): Promise<number> {
  const result = await waitForStatus(client, options, options.statuses, options.timeoutMs);
  if (options.json) {
    out.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const after = `after ${(result.waitedMs / 1000).toFixed(1)} s`;
    const lines: Record<WaitOutcome, string> = {
      match: `${result.workflowId} is ${result.status} (${after})`,
      'other-terminal': `${result.workflowId} closed as ${result.status}, not ${options.statuses.join('/')} (${after})`,
      timeout: `${result.workflowId} still ${result.status ?? 'RUNNING'}: no ${options.statuses.join('/')} within ${(options.timeoutMs / 1000).toFixed(0)} s`,
      'not-found': `${result.workflowId}${options.runId ? ` run ${options.runId}` : ''} not found`,
    };
    out.stdout(`${lines[result.outcome]}\n`);
    if (result.close && result.outcome === 'other-terminal') out.stdout(`  ${formatClose(result.close)}\n`);
  }
  return EXIT[result.outcome];
}
