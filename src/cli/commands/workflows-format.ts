// Text output of the `workflows` commands: findings, analyses, outcomes, recent rows.
import {
  resolveDiagnosisPolicy,
  type DiagnosisPolicy,
  type Finding,
  type Verdict,
} from '../../contract/verdicts.js';
import { ExitError } from '../../errors.js';
import type { Analysis } from '../../inspect/analyze.js';
import { formatFailureChain } from '../../inspect/failure.js';
import { isNotFound } from '../../temporal/grpc.js';
import type { CloseEventFact } from '../../inspect/history.js';
import type { RecentRow } from '../../inspect/recent.js';
import { ExitCode } from '../output.js';

/** A catch handler: the server's not-found becomes exit 7 naming the workflow (and run); other errors pass. */
export function notFoundExit(ref: { workflowId: string; runId?: string }): (error: unknown) => never {
  return (error) => {
    if (isNotFound(error))
      throw new ExitError(
        `workflow ${ref.workflowId}${ref.runId ? ` run ${ref.runId}` : ''} not found`,
        ExitCode.notFound,
      );
    throw error;
  };
}

/** --policy checked against the policy's own rules; exit 2 naming the flag when it breaks one. */
export function checkedPolicy(
  policy: Partial<DiagnosisPolicy> | undefined,
): Partial<DiagnosisPolicy> | undefined {
  if (policy === undefined) return undefined;
  try {
    resolveDiagnosisPolicy(policy);
  } catch (error) {
    throw new ExitError(`--policy: ${(error as Error).message}`, ExitCode.usage);
  }
  return policy;
}

/** How an instant prints (the Output's --time-format); ISO 8601 by default. */
type TimeText = (ms: number | undefined) => string;
const iso: TimeText = (ms) => (ms ? new Date(ms).toISOString() : '-');
const indent = (text: string, pad = '    '): string =>
  text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');

/** A finding in a few lines: verdict, the run, the evidence summary, the remedy; `color` marks STALLED red. */
export function formatFinding(f: Finding, color = false): string {
  const mark = (f.stalled ? 'STALLED' : 'ok').padEnd(7);
  const lines = [
    `${color && f.stalled ? `\x1b[31m${mark}\x1b[0m` : mark} ${f.verdict} [${f.confidence}]  ${f.workflowId} (${f.workflowType}, task queue ${f.taskQueue}, run ${f.runId})`,
    indent(f.evidence.summary),
  ];
  if (f.stalled) {
    if (f.evidence.failureMessage && !f.evidence.summary.includes(f.evidence.failureMessage)) {
      lines.push(indent(`failure: ${f.evidence.failureMessage.split('\n')[0] ?? ''}`));
    }
    if (f.evidence.stackExcerpt) lines.push(indent(f.evidence.stackExcerpt, '    | '));
    lines.push(indent(`remedy: ${f.remedy.text}`));
  }
  return lines.join('\n');
}

/** "12 running: 3 stalled (no-worker 2, non-determinism 1), 9 healthy waits". */
export function formatCounts(counts: Record<Verdict, number>, scanned: number): string {
  const stalled = Object.entries(counts).filter(([v, n]) => v !== 'healthy-wait' && n > 0);
  const stalledTotal = stalled.reduce((sum, [, n]) => sum + n, 0);
  const detail = stalled.length ? ` (${stalled.map(([v, n]) => `${v} ${n}`).join(', ')})` : '';
  return `${scanned} running: ${stalledTotal} stalled${detail}, ${counts['healthy-wait']} healthy waits`;
}

/** How a run closed, on one line. */
export function formatClose(close: CloseEventFact, time: TimeText = iso): string {
  const at = `at ${time(close.timeMs)}`;
  if (close.failure?.length) return `${close.status} ${at}: ${formatFailureChain(close.failure)}`;
  if (close.status === 'TERMINATED')
    return `TERMINATED ${at}: ${close.reason || '(no reason)'}${close.identity ? ` by ${close.identity}` : ''}`;
  if (close.status === 'TIMED_OUT') return `TIMED_OUT ${at} (retry state ${close.retryState ?? '-'})`;
  if (close.status === 'CONTINUED_AS_NEW')
    return `CONTINUED_AS_NEW ${at} as run ${close.newExecutionRunId ?? '?'}`;
  return `${close.status} ${at}`;
}

/** The whole analysis of one run. */
export function formatAnalysis(a: Analysis, time: TimeText = iso): string {
  const lines = [
    `workflow ${a.workflowId} (${a.workflowType}) run ${a.runId}`,
    `  task queue ${a.taskQueue}; ${a.status}; started ${time(a.startTimeMs)}${a.closeTimeMs ? `, closed ${time(a.closeTimeMs)}` : ''}; ${a.historyLength} events`,
    formatFinding(a.finding),
  ];
  if (!a.finding.stalled && a.finding.remedy.action === 'none' && a.status === 'RUNNING')
    lines.push('    remedy: none, the run is waiting as designed');
  if (a.close) {
    lines.push(`  closed: ${formatClose(a.close, time)}`);
    for (const link of a.close.failure ?? [])
      if (link.stackExcerpt) lines.push(indent(link.stackExcerpt, '    | '));
  }
  for (const log of a.logs) {
    lines.push(
      `  worker log ${log.path} (${log.match === 'run' ? 'lines naming this run' : 'lines around the failing task'}):`,
    );
    lines.push(indent(log.lines.join('\n')));
  }
  if (a.logs.length === 0) lines.push('  worker log: no line of our worker logs names this run');
  return lines.join('\n');
}

/** One recent workflow per line. */
export function formatRecentRow(r: RecentRow, time: TimeText = iso): string {
  const when = r.closeTimeMs ? `closed ${time(r.closeTimeMs)}` : `started ${time(r.startTimeMs)}`;
  let check = '';
  if (r.resultCheck?.unreadable) check = `  result not readable here: ${r.resultCheck.unreadable}`;
  else if (r.resultCheck)
    check = r.resultCheck.looksLikeError
      ? `  RESULT READS LIKE AN ERROR: ${r.resultCheck.reason}`
      : '  result ok';
  if (r.problem) check = `  ${r.problem.split('\n')[0] ?? ''}`;
  return `${r.status.padEnd(16)} ${r.workflowType.padEnd(20)} ${r.workflowId}  ${when}${check}`;
}
