// `temporal-ops run clean-start`: start the CleanStart recipe, follow it live, print its report.
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { CleanStartReport } from '../../../workflows/clean-start.js';
import { parseCleanStartInput, type CleanStartInput } from '../../recipes/clean-start-input.js';
import { describeProblem } from '../../recipes/validate.js';
import { ExitError } from '../../errors.js';
import { failureChain } from '../../inspect/target.js';
import { followRecipe } from '../follow.js';
import { ExitCode, info, printJson } from '../output.js';

export interface RunOptions {
  opsTaskQueue: string;
  json: boolean;
  follow: boolean;
}

/** Human summary of a CleanStart report. */
export function formatCleanStartReport(report: CleanStartReport): string {
  const lines = [`CleanStart ${report.ok ? 'OK' : 'NOT OK'} — project ${report.project}`];
  if (report.worker) lines.push(`  worker:  pid ${report.worker.pid}, log ${report.worker.logPath}`);
  if (report.target) {
    const t = report.target;
    lines.push(`  target:  ${t.workflowId} (run ${t.runId})${'status' in t ? ` ${t.status}` : ''}`);
    if ('result' in t && t.result !== undefined) lines.push(`  result:  ${JSON.stringify(t.result)}`);
  }
  if (report.problem) lines.push(`  problem: ${report.problem}`);
  return lines.join('\n');
}

/** Validates input, starts CleanStart on the ops queue, follows it and prints the report. */
export async function runCleanStart(
  client: Client,
  raw: CleanStartInput | Record<string, unknown>,
  options: RunOptions,
): Promise<CleanStartReport> {
  const parsed = parseCleanStartInput(raw);
  if (!parsed.input)
    throw new ExitError(`invalid input: ${parsed.problems.map(describeProblem).join('; ')}`, ExitCode.usage);
  const project =
    parsed.input.project ?? parsed.input.projectDir.split('/').filter(Boolean).pop() ?? 'project';
  const handle = await client.workflow.start('CleanStart', {
    taskQueue: options.opsTaskQueue,
    workflowId: `clean-start-${project}-${nanoid(8)}`,
    args: [parsed.input],
    staticSummary: `CleanStart ${project} on task queue ${parsed.input.taskQueue}`,
  });
  info(`CleanStart started: workflow ${handle.workflowId}`);
  let report: CleanStartReport;
  try {
    report = options.follow ? await followRecipe<CleanStartReport>(handle, info) : await handle.result();
  } catch (error) {
    const message = error instanceof WorkflowFailedError ? failureChain(error.cause) : failureChain(error);
    throw new ExitError(`CleanStart ${handle.workflowId} failed: ${message}`, ExitCode.notOk);
  }
  if (options.json) printJson(report);
  else process.stdout.write(`${formatCleanStartReport(report)}\n`);
  return report;
}
