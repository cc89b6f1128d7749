// A tool call's outcome in the CLI's terms (exit code, JSON result, stderr lines) and as an MCP result.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallToolResult, ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import { ExitCode } from '../cli/output.js';
import { ExitError } from '../errors.js';

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

const NOTIFICATION_GAP_MS = 30;

/** What a tool handler gets from the SDK, as far as progress goes. */
export interface ProgressExtra {
  _meta?: { progressToken?: string | number };
  sendNotification(notification: ServerNotification): Promise<void>;
}

/**
 * Runs a tool with its progress lines sent as MCP progress notifications (when the caller asked for
 * progress), before the result. Best effort, as MCP progress is: the result carries every step too.
 */
export async function withProgress(
  extra: ProgressExtra,
  run: (onLine: (line: string) => void) => Promise<ToolOutcome>,
): Promise<CallToolResult> {
  const token = extra._meta?.progressToken;
  const sent: Promise<void>[] = [];
  const onLine = (line: string) => {
    if (token === undefined) return;
    const params = { progressToken: token, progress: sent.length + 1, message: line };
    sent.push(extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined));
  };
  const outcome = await run(onLine);
  await Promise.all(sent);
  // The SDK's client handles notifications a microtask after a response read in the same chunk,
  // and drops those that arrive after their request closed: let the last lines go out first.
  if (sent.length > 0) await sleep(NOTIFICATION_GAP_MS);
  return toCallToolResult(outcome);
}
