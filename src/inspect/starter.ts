// Running a project's starter command and reading the workflow ID it prints.
export { StarterFailedError } from '../errors.js';

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
