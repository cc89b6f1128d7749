// The replay hook's output file (JSON lines) and the report built from it.
import { divergenceOf, type WindowEvent } from './divergence.js';
import type { ReplayIsolation } from './isolation.js';
import type { BreakCause, ReplayReport, ReplayResult } from './report-types.js';

export type HookLine =
  | { kind: 'hook-loaded'; pid: number; python: string }
  | { kind: 'hook-inert'; pid: number; python: string; why: string }
  | { kind: 'connect-refused'; target: string }
  | { kind: 'worker-seen'; taskQueue: string; workflows: string[] }
  | {
      kind: 'result';
      workflowId: string;
      runId?: string | null;
      outcome: 'replays' | 'would-break' | 'error';
      failureClass?: string;
      message?: string;
      window?: { events: WindowEvent[] };
    }
  | { kind: 'done'; count: number }
  | { kind: 'error'; reason: string; message: string; traceback?: string };

/** Parses the hook's JSON lines; a torn last line (the process was killed mid-write) is dropped. */
export function parseHookLines(text: string): HookLine[] {
  const lines: HookLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line) as HookLine);
    } catch {
      // only the last line can be torn
    }
  }
  return lines;
}

/** A history handed to the hook, with what the listing already knew about it. */
export interface HistoryRef {
  workflowId: string;
  runId: string;
  workflowType: string;
}

function causeOf(line: Extract<HookLine, { kind: 'result' }>): BreakCause | undefined {
  if (line.outcome === 'replays') return undefined;
  if (line.outcome === 'error') return 'replay-error';
  return line.failureClass === 'NondeterminismError' ? 'nondeterminism' : 'task-failure';
}

function resultOf(ref: HistoryRef, line: Extract<HookLine, { kind: 'result' }>): ReplayResult {
  const result: ReplayResult = {
    workflowId: ref.workflowId,
    runId: ref.runId,
    workflowType: ref.workflowType,
    outcome: line.outcome === 'replays' ? 'replays' : 'would-break',
  };
  const cause = causeOf(line);
  if (cause) result.cause = cause;
  if (line.failureClass) result.failureClass = line.failureClass;
  if (line.outcome !== 'replays')
    result.divergence = divergenceOf(line.message ?? '', line.window?.events ?? [], {
      guess: cause === 'nondeterminism',
    });
  return result;
}

/** Counts, groups and orders (as listed) the hook's results; a history without a result is an error. */
export function buildReport(input: {
  taskQueue: string;
  histories: readonly HistoryRef[];
  lines: readonly HookLine[];
  truncated: boolean;
  spawned: boolean;
  isolation?: ReplayIsolation;
  processes?: number;
  warmProcesses?: number;
  fetchMs: number;
  replayMs: number;
  durationMs: number;
}): ReplayReport {
  const byRun = new Map<string, Extract<HookLine, { kind: 'result' }>>();
  for (const line of input.lines) if (line.kind === 'result') byRun.set(line.runId ?? line.workflowId, line);
  const results = input.histories.map((ref) =>
    resultOf(
      ref,
      byRun.get(ref.runId) ?? {
        kind: 'result',
        workflowId: ref.workflowId,
        outcome: 'error',
        message: 'the replay hook returned no result for this run',
      },
    ),
  );
  const byType: ReplayReport['byType'] = {};
  for (const result of results) {
    const group = (byType[result.workflowType] ??= { replays: 0, wouldBreak: 0 });
    if (result.outcome === 'replays') group.replays += 1;
    else group.wouldBreak += 1;
  }
  const replays = results.filter((r) => r.outcome === 'replays').length;
  return {
    taskQueue: input.taskQueue,
    checked: results.length,
    replays,
    wouldBreak: results.length - replays,
    byType,
    results,
    truncated: input.truncated,
    spawned: input.spawned,
    ...(input.isolation ? { isolation: input.isolation } : {}),
    ...(input.processes ? { processes: input.processes } : {}),
    ...(input.warmProcesses ? { warmProcesses: input.warmProcesses } : {}),
    fetchMs: input.fetchMs,
    replayMs: input.replayMs,
    durationMs: input.durationMs,
  };
}
