// DebugStalled: the runbook's "Recipe 2". Find the stalled target workflows and say why, with
// evidence and a remedy each; or analyze one workflow, whatever its status.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { InspectActivities, SweepReport } from '../activities/inspect-activities.js';
import { groupRemedies, type RemedyGroup } from '../src/diagnosis/remedies.js';
import { summarizeFindings, type Finding, type Verdict } from '../src/diagnosis/verdicts.js';
import type { Analysis } from '../src/inspect/analyze.js';
import {
  DebugStalledFailure,
  parseDebugStalledInput,
  type DebugStalledInput,
} from '../src/recipes/debug-stalled-input.js';
import { FailureType } from '../src/recipes/failure-types.js';
import { hostQueue, shortOp, temporalActivities, waitOp } from './lib/activities.js';
import { Checklist, failureMessage, failureType, type StepReport } from './lib/checklist.js';
import { OutcomeRecorder, requireInput } from './lib/outcome.js';

export interface DebugStalledReport {
  recipe: 'DebugStalled';
  /** True when the recipe ran and found nothing stalled. */
  ok: boolean;
  mode: 'sweep' | 'workflow';
  /** The visibility query swept (sweep mode). */
  query?: string;
  /** Running target workflows counted before the sweep (sweep mode). */
  total?: number;
  scanned: number;
  stalledCount: number;
  counts: Record<Verdict, number>;
  /** Stalled findings (sweep mode, capped by maxFindings) or the one analyzed run's finding. */
  findings: Finding[];
  truncated: boolean;
  remedies: RemedyGroup[];
  /** Workflow mode: status, how it closed, worker log lines. */
  analysis?: Analysis;
  problem?: string;
  failedStep?: string;
  steps: StepReport[];
}

const STEPS: [string, string][] = [
  ['verify-server', 'Verify server: health, namespace, search attributes'],
  ['count', 'Count running target workflows'],
  ['diagnose', 'Diagnose: describe, history tail, task queue pollers'],
  ['report', 'Summarize verdicts and remedies'],
];

const longSweepSeconds = 900;

function summaryLine(report: DebugStalledReport): string {
  if (report.problem) return report.problem.split('\n')[0] ?? 'failed';
  if (report.mode === 'workflow') {
    const f = report.findings[0];
    return f ? `${f.workflowId}: ${f.verdict}${f.stalled ? ' (stalled)' : ''}` : 'no finding';
  }
  if (report.stalledCount === 0) return `no stalls in ${report.scanned} running workflows`;
  const parts = Object.entries(report.counts)
    .filter(([verdict, n]) => n > 0 && verdict !== 'healthy-wait')
    .map(([verdict, n]) => `${verdict} ${n}`);
  return `${report.stalledCount} stalled of ${report.scanned}: ${parts.join(', ')}`;
}

async function sweepMode(
  input: DebugStalledInput,
  checklist: Checklist,
  report: DebugStalledReport,
): Promise<void> {
  const inspect = proxyActivities<InspectActivities>({ ...shortOp, taskQueue: hostQueue(input.host) });
  const counted = await checklist.run(
    'count',
    () =>
      inspect.countTargetWorkflows.executeWithOptions(
        { ...shortOp, summary: 'count running target workflows' },
        [{ query: input.query, taskQueue: input.taskQueue }],
      ),
    (c) => `${c.total} running`,
  );
  report.query = counted.query;
  report.total = counted.total;
  const swept: SweepReport = await checklist.run(
    'diagnose',
    () =>
      inspect.sweepStalled.executeWithOptions(
        { ...waitOp(longSweepSeconds), summary: `diagnose ${counted.total} workflows` },
        [
          {
            query: input.query,
            taskQueue: input.taskQueue,
            policy: input.policy,
            maxFindings: input.maxFindings,
            concurrency: input.concurrency,
          },
        ],
      ),
    (s) => `${s.scanned} diagnosed, ${s.stalledCount} stalled in ${(s.durationMs / 1000).toFixed(1)} s`,
  );
  Object.assign(report, {
    scanned: swept.scanned,
    stalledCount: swept.stalledCount,
    counts: swept.counts,
    findings: swept.findings,
    truncated: swept.truncated,
    remedies: groupRemedies(swept.findings),
  });
  report.ok = swept.stalledCount === 0 && swept.errors.length === 0;
  if (swept.errors.length > 0)
    report.problem = `${swept.errors.length} workflows could not be described: ${swept.errors[0]?.error ?? ''}`;
}

async function workflowMode(
  input: DebugStalledInput & { workflowId: string },
  checklist: Checklist,
  report: DebugStalledReport,
): Promise<void> {
  const inspect = proxyActivities<InspectActivities>({ ...shortOp, taskQueue: hostQueue(input.host) });
  checklist.mark('count', 'skipped', 'one workflow');
  const analysis = await checklist.run(
    'diagnose',
    () =>
      inspect.analyzeTarget.executeWithOptions({ ...shortOp, summary: `analyze ${input.workflowId}` }, [
        { workflowId: input.workflowId, runId: input.runId, policy: input.policy },
      ]),
    (a) => `${a.status}: ${a.finding.verdict}`,
  );
  const findings = [analysis.finding];
  Object.assign(report, {
    analysis,
    scanned: 1,
    stalledCount: analysis.finding.stalled ? 1 : 0,
    counts: summarizeFindings(findings),
    findings,
    remedies: groupRemedies(findings),
  });
  report.ok = !analysis.finding.stalled;
}

/** Runs the debug-stalled recipe; bad input fails the workflow, step failures end in a report with ok=false. */
export async function DebugStalled(raw: unknown): Promise<DebugStalledReport> {
  const input = requireInput('DebugStalled', parseDebugStalledInput(raw));
  const checklist = new Checklist('DebugStalled', STEPS);
  const mode = input.workflowId ? 'workflow' : 'sweep';
  const report: DebugStalledReport = {
    recipe: 'DebugStalled',
    ok: false,
    mode,
    scanned: 0,
    stalledCount: 0,
    counts: summarizeFindings([]),
    findings: [],
    truncated: false,
    remedies: [],
    steps: checklist.steps,
  };
  const outcome = new OutcomeRecorder('DebugStalled', input.taskQueue ?? input.workflowId ?? 'all');
  try {
    const server = await checklist.run(
      'verify-server',
      () => temporalActivities.verifyServer.executeWithOptions({ ...shortOp, summary: 'verify server' }, []),
      (check) =>
        check.problems.length ? check.problems.join('; ') : `server ${check.serverVersion ?? ''} ok`,
    );
    outcome.enableSearchAttributes(server.missingSearchAttributes.length === 0);
    outcome.record('running', 'started');
    if (input.workflowId) await workflowMode({ ...input, workflowId: input.workflowId }, checklist, report);
    else await sweepMode(input, checklist, report);
    // Finding stalls is what the recipe is for, not a failed step: the report step is ok either way.
    checklist.mark('report', 'ok', summaryLine(report));
  } catch (error) {
    if (failureType(error) === FailureType.InvalidInput) {
      const message = `DebugStalled input is invalid: ${failureMessage(error)}`;
      outcome.record('failed', message.split('\n')[0] ?? message);
      throw ApplicationFailure.create({ message, type: FailureType.InvalidInput, nonRetryable: true });
    }
    report.problem =
      failureType(error) === DebugStalledFailure.TargetNotFound
        ? failureMessage(error)
        : `${checklist.failedStep?.title ?? 'a step'} failed: ${failureMessage(error)}`;
  } finally {
    checklist.finish();
  }
  report.failedStep = checklist.failedStep?.name;
  outcome.record(report.ok ? 'ok' : 'failed', summaryLine(report));
  return report;
}
