// Running a project's starter command and reading the workflow ID it prints.
import { InvalidInputError } from '../../errors.js';
import { PATTERN_EXPECTED } from '../../contract/id-pattern.js';
import { MATCH_TEXT_LIMIT, MATCH_TIMEOUT_MS, matchPattern } from '../../inspect/pattern-match.js';

/** Matches "Workflow ID: x", "workflow_id=x", "workflowId: 'x'" and similar. */
const DEFAULT_WORKFLOW_ID_PATTERN = String.raw`workflow[ _-]?id["']?\s*[:=]\s*["']?([A-Za-z0-9._:/@+-]+)`;
const RUN_ID_PATTERN = /run[ _-]?id["']?\s*[:=]\s*["']?([0-9a-f-]{36})/i;

/**
 * Pulls the first workflow ID (and run ID, when printed) out of the first MATCH_TEXT_LIMIT
 * characters of starter output; a pattern RE2 refuses, or one that does not finish in time, is
 * InvalidInputError.
 */
export async function parseStarterOutput(
  output: string,
  pattern = DEFAULT_WORKFLOW_ID_PATTERN,
): Promise<{ workflowId?: string; runId?: string }> {
  const head = output.slice(0, MATCH_TEXT_LIMIT);
  const match = await matchPattern(pattern, head);
  const field = 'start.workflowIdPattern';
  if (match.status === 'invalid')
    throw new InvalidInputError(field, pattern, `${PATTERN_EXPECTED} (${match.reason})`);
  if (match.status === 'over-budget')
    throw new InvalidInputError(
      field,
      pattern,
      match.limit === 'time'
        ? `a pattern that matches the starter's output within ${MATCH_TIMEOUT_MS / 1000} s`
        : `a pattern that matches the starter's output within the memory limit`,
    );
  const runMatch = RUN_ID_PATTERN.exec(head);
  return { workflowId: match.status === 'matched' ? match.groups[1] : undefined, runId: runMatch?.[1] };
}
