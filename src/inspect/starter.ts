// Running a project's starter command and reading the workflow ID it prints.
import { execa } from 'execa';
import { parseCommand } from '../processes/command.js';

/** Matches "Workflow ID: x", "workflow_id=x", "workflowId: 'x'" and similar. */
export const DEFAULT_WORKFLOW_ID_PATTERN = String.raw`workflow[ _-]?id["']?\s*[:=]\s*["']?([A-Za-z0-9._:/@+-]+)`;
const RUN_ID_PATTERN = /run[ _-]?id["']?\s*[:=]\s*["']?([0-9a-f-]{36})/i;

export interface StarterOutcome {
  workflowId?: string;
  runId?: string;
  exitCode: number;
  output: string;
}

/** Pulls the first workflow ID (and run ID, when printed) out of starter output. */
export function parseStarterOutput(
  output: string,
  pattern = DEFAULT_WORKFLOW_ID_PATTERN,
): { workflowId?: string; runId?: string } {
  const idMatch = new RegExp(pattern, 'i').exec(output);
  const runMatch = RUN_ID_PATTERN.exec(output);
  return { workflowId: idMatch?.[1], runId: runMatch?.[1] };
}

/** Runs the starter to completion (bounded by `timeoutMs`) and parses its output. */
export async function runStarter(
  command: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
  pattern?: string,
  cancelSignal?: AbortSignal,
): Promise<StarterOutcome> {
  const parsed = parseCommand(command, 'start.command');
  const result = await execa(parsed.file, parsed.args, {
    cwd,
    env,
    shell: parsed.shell,
    all: true,
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
    ...(cancelSignal ? { cancelSignal } : {}),
  });
  const output = String(result.all ?? '');
  return { ...parseStarterOutput(output, pattern), exitCode: result.exitCode ?? -1, output };
}

/** Thrown when a starter ran but gave no workflow ID: it timed out, or exited without printing one. */
export class StarterFailedError extends Error {
  override readonly name = 'StarterFailedError';
  constructor(
    readonly command: string,
    readonly reason: 'timeout' | 'no-workflow-id',
    readonly exitCode: number | null,
    readonly outputTail: string,
    message: string,
  ) {
    super(`${message}; output tail:\n${outputTail}`);
  }
}
