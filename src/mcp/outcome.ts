// A tool call's outcome in the CLI's terms (exit code, JSON result, stderr lines) and as an MCP result.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ExitCode } from '../cli/output.js';
import { ExitError } from '../errors.js';
import { ProgressReporter, type ProgressExtra } from './progress.js';

/** What one tool call produced: the CLI's exit code, its JSON result or its error message, its progress lines. */
export interface ToolOutcome {
  exitCode: number;
  /** The command's --json result (absent when it failed before printing one). */
  result?: unknown;
  /** The message the CLI prints after `error: `. */
  error?: string;
  /** Progress and warnings, as the CLI prints them to stderr. */
  log: string[];
}

/** The outputSchema of every tool: its structuredContent is a ToolOutcome, errors included. */
export function outcomeSchema(result: z.ZodType = z.unknown()) {
  return z.object({
    exitCode: z
      .number()
      .int()
      .describe(
        'The CLI exit code: 0 ok, 1 not ok, 2 bad input, 7 not found, 8 stalls found, 9 still running, ...',
      ),
    result: result.optional().describe("The command's JSON result (absent when it failed before one)."),
    error: z.string().optional().describe('Why it failed, naming the field and the value.'),
    log: z.array(z.string()).describe('Progress and warnings, as the CLI prints them to stderr.'),
  });
}

/** An error result with the CLI's message and exit code (1 for an error not meant for users). */
export function failedOutcome(error: unknown, log: string[] = []): ToolOutcome {
  return {
    exitCode: error instanceof ExitError ? error.exitCode : ExitCode.notOk,
    error: error instanceof Error ? error.message : String(error),
    log,
  };
}

/** structuredContent plus a JSON text rendering; `isError` when the command printed no result. */
function toCallToolResult(outcome: ToolOutcome): CallToolResult {
  const structured = { ...outcome } as Record<string, unknown>;
  if (outcome.result === undefined) {
    const text = `error (exit ${outcome.exitCode}): ${outcome.error ?? 'the command printed no result'}`;
    return { isError: true, structuredContent: structured, content: [{ type: 'text', text }] };
  }
  return {
    structuredContent: structured,
    content: [{ type: 'text', text: JSON.stringify(structured, null, 2) }],
  };
}

/**
 * Runs a tool with progress notifications (when the caller asked for them): its own updates, and a
 * heartbeat in between. Best effort, as MCP progress is: the result carries every step too.
 */
export async function withProgress(
  extra: ProgressExtra,
  run: (progress: ProgressReporter) => Promise<ToolOutcome>,
): Promise<CallToolResult> {
  const progress = new ProgressReporter(extra);
  try {
    return toCallToolResult(await run(progress));
  } finally {
    await progress.close();
  }
}
