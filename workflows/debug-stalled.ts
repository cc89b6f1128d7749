// DebugStalled: the runbook's "Recipe 2". Find the stalled target workflows and say why, with
// evidence and a remedy each; or analyze one workflow, whatever its status. With `act`, go on:
// plan, approve, wait for the fix, apply and verify each remedy (workflows/lib/remedy-act.ts).
import type { IncidentReport } from '../activities/incident-activities.js';
import type { DeliverOutcome } from '../activities/notify-activities.js';
import type { SweepReport } from '../activities/inspect-activities.js';
import { workflowInfo } from '@temporalio/workflow';
import { sightingOf } from '../src/contract/incidents.js';
import { parseSink, type NotifySink } from '../src/contract/notify.js';
import { DEFAULTS } from '../src/defaults.js';
import { groupRemedies, type RemedyGroup } from '../src/diagnosis/remedies.js';
import { summarizeFindings, type Finding, type Verdict } from '../src/contract/verdicts.js';
import type { Analysis } from '../src/inspect/analyze.js';
import {
  DebugStalledFailure,
  parseDebugStalledInput,
  type DebugStalledInput,
} from '../src/contract/debug-stalled-input.js';
import { clusterActivities, notifyOp, shortOp, waitOp } from './lib/activities.js';
import { failureMessage, failureType } from './lib/checklist.js';
import { runRecipe, type RecipeContext } from './lib/recipe.js';
import { actOnFindings, actSteps, type ActReport } from './lib/remedy-act.js';
import { FixWatch } from './lib/remedy-fix-wait.js';
import { actionLine } from './lib/remedy-report.js';

export interface DebugStalledReport extends ActReport {
  recipe: 'DebugStalled';
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
  /** Sweep mode with `incidents`: runs the memory of the scope's last sweep answered for, undescribed. */
  remembered?: number;
  /** With `incidents`: what the sweep did to them. */
  incidents?: IncidentReport;
  /** With `notify`: one entry per sink. */
  notifications?: SinkOutcome[];
}

/** What one sink got from this sweep: the notices sent, or why it did not take them. */
interface SinkOutcome extends DeliverOutcome {
  /** Set when the sink kept failing: its incidents are marked undelivered and keep their notices. */
  failed?: string;
}

const STEPS: [string, string][] = [
  ['count', 'Count running target workflows'],
  ['diagnose', 'Diagnose: describe, history tail, task queue pollers'],
  ['report', 'Summarize verdicts and remedies'],
];

const INCIDENT_STEP: [string, string] = ['incidents', 'Report the findings to the incidents'];
const NOTIFY_STEP: [string, string] = ['notify', 'Notify the sinks of what changed'];

const longSweepSeconds = 900;

function summaryLine(report: DebugStalledReport): string {
  if (report.problem) return report.problem.split('\n')[0] ?? 'failed';
  if (report.actions) {
    const verified = report.actions.filter((a) => a.verified).length;
    return report.actions.length === 0
      ? `no stalls in ${report.scanned} workflows; nothing to remedy`
      : `${verified} of ${report.actions.length} remedies verified: ${report.actions.map(actionLine).join('; ')}`;
  }
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

async function sweepMode(ctx: RecipeContext<DebugStalledInput>, report: DebugStalledReport): Promise<void> {
  const { input, checklist } = ctx;
  const inspect = clusterActivities;
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
            // Scheduled sweeps remember their scope (keyed by this run: a retried activity is the same sweep).
            ...(input.incidents && {
              memory: {
                sweep: `${workflowInfo().workflowId}/${workflowInfo().runId}`,
                recheckEvery: input.recheckEvery ?? DEFAULTS.sweepRecheckEvery,
                full: input.fullSweep ?? false,
              },
            }),
          },
        ],
      ),
    (s) =>
      `${s.scanned} diagnosed${s.remembered ? ` (${s.remembered} from the last sweep)` : ''}, ${s.stalledCount} stalled in ${(s.durationMs / 1000).toFixed(1)} s`,
  );
  Object.assign(report, {
    scanned: swept.scanned,
    stalledCount: swept.stalledCount,
    counts: swept.counts,
    findings: swept.findings,
    truncated: swept.truncated,
    remedies: groupRemedies(swept.findings),
    ...(input.incidents && { remembered: swept.remembered }),
  });
  report.ok = swept.stalledCount === 0 && swept.errors.length === 0;
  if (swept.errors.length > 0)
    report.problem = `${swept.errors.length} workflows could not be described: ${swept.errors[0]?.error ?? ''}`;
  if (!input.incidents) return;
  report.incidents = await reportIncidents(ctx, swept);
  if (!input.notify?.length) return;
  report.notifications = await notifySinks(ctx, report.incidents);
  // The notices themselves live on the incidents; the report says what each sink got.
  delete report.incidents.notices;
}

/** The sinks of the input (checked when the input was parsed). */
function sinksOf(input: DebugStalledInput): { value: string; sink: NotifySink }[] {
  return (input.notify ?? []).flatMap((value) => {
    const parsed = parseSink(value);
    return 'sink' in parsed ? [{ value, sink: parsed.sink }] : [];
  });
}

/** Sends each sink one message with what it is owed; a sink that keeps failing marks its incidents. */
async function notifySinks(
  ctx: RecipeContext<DebugStalledInput>,
  incidents: IncidentReport,
): Promise<SinkOutcome[]> {
  const info = workflowInfo();
  const sweep = `${info.workflowId}/${info.runId}`;
  const notices = incidents.notices ?? [];
  const deliver = async ({ value, sink }: { value: string; sink: NotifySink }): Promise<SinkOutcome> => {
    const owed = notices.filter((n) => n.sinks.includes(sink.id));
    if (owed.length === 0) return { sink: sink.label, sent: 0, skipped: 0 };
    // A command runs on the sweep's host, under its policy; a URL is posted from any control worker.
    const activities = sink.kind === 'command' ? ctx.onHost : clusterActivities;
    try {
      return await activities.deliverNotifications.executeWithOptions(
        { ...notifyOp, summary: `notify ${sink.label}: ${owed.length} notices` },
        [{ sweep, sink: value, notices: owed }],
      );
    } catch (error) {
      const failed = failureMessage(error);
      const incidentIds = [...new Set(owed.map((n) => n.incidentId))];
      await clusterActivities.markUndelivered.executeWithOptions(
        { ...shortOp, summary: `mark ${incidentIds.length} incidents undelivered to ${sink.label}` },
        [{ sink: sink.id, label: sink.label, error: failed, atMs: Date.now(), incidentIds }],
      );
      return { sink: sink.label, sent: 0, skipped: 0, failed };
    }
  };
  return ctx.checklist.run(
    'notify',
    () => Promise.all(sinksOf(ctx.input).map(deliver)),
    (outcomes) =>
      outcomes
        .map((o) => (o.failed ? `${o.sink} undelivered: ${o.failed}` : `${o.sink} ${o.sent} sent`))
        .join('; '),
  );
}

/** Records on each incident the remedy this sweep applied to its run (keyed by this run: once). */
async function recordRemedies(report: DebugStalledReport): Promise<void> {
  const info = workflowInfo();
  const applied = (report.actions ?? []).flatMap((a) => {
    const finding = report.findings.find((f) => f.workflowId === a.workflowId && f.runId === a.runId);
    if (!a.applied || !finding) return [];
    const outcome = a.verified ? 'verified' : `not verified: ${a.detail}`;
    return [{ sighting: sightingOf(info.namespace, finding), remedy: a.remedy, outcome }];
  });
  if (applied.length === 0) return;
  await clusterActivities.recordRemedies.executeWithOptions(
    { ...shortOp, summary: `record ${applied.length} remedies on their incidents` },
    [{ sweep: `${info.workflowId}/${info.runId}`, atMs: Date.now(), applied }],
  );
}

/** Opens, counts and resolves the incidents of this sweep: keyed by this run, so a retry counts once. */
async function reportIncidents(
  ctx: RecipeContext<DebugStalledInput>,
  swept: SweepReport,
): Promise<IncidentReport> {
  const info = workflowInfo();
  return ctx.checklist.run(
    'incidents',
    () =>
      clusterActivities.reportIncidents.executeWithOptions(
        { ...waitOp(longSweepSeconds), summary: `report ${swept.findings.length} stalls to the incidents` },
        [
          {
            sweep: `${info.workflowId}/${info.runId}`,
            atMs: Date.now(),
            query: swept.query,
            sightings: swept.findings.map((f) => sightingOf(info.namespace, f)),
            truncated: swept.truncated,
            unswept: swept.errors.map((e) => e.workflowId),
            ...(ctx.input.notify?.length
              ? {
                  notify: {
                    sinks: sinksOf(ctx.input).map((s) => s.sink.id),
                    repeatMs: (ctx.input.notifyRepeatSeconds ?? DEFAULTS.notifyRepeatSeconds) * 1000,
                  },
                }
              : {}),
          },
        ],
      ),
    (r) => `${r.opened} opened, ${r.reopened} reopened, ${r.seenAgain} still open, ${r.resolved} resolved`,
  );
}

async function workflowMode(
  ctx: RecipeContext<DebugStalledInput>,
  workflowId: string,
  report: DebugStalledReport,
): Promise<void> {
  const { input, checklist } = ctx;
  checklist.mark('count', 'skipped', 'one workflow');
  const analysis = await checklist.run(
    'diagnose',
    () =>
      ctx.onHost.analyzeTarget.executeWithOptions({ ...shortOp, summary: `analyze ${workflowId}` }, [
        { workflowId, runId: input.runId, policy: input.policy },
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
export function DebugStalled(raw: unknown): Promise<DebugStalledReport> {
  return runRecipe<DebugStalledInput, DebugStalledReport>(
    {
      name: 'DebugStalled',
      parse: parseDebugStalledInput,
      steps: (input) => [
        ...STEPS.slice(0, 2),
        ...(input.incidents ? [INCIDENT_STEP] : []),
        ...(input.incidents && input.notify?.length ? [NOTIFY_STEP] : []),
        ...STEPS.slice(2),
        ...(input.act ? actSteps(input) : []),
      ],
      label: (input) => input.taskQueue ?? input.workflowId ?? 'all',
      // One workflow's analysis reads our worker logs on the host, act runs the project's worker
      // there, and a command sink runs there; a sweep alone only talks to Temporal.
      placement: (input) =>
        input.act
          ? { host: input.host, projectDir: input.projectDir }
          : input.workflowId || sinksOf(input).some((s) => s.sink.kind === 'command')
            ? { host: input.host }
            : null,
      initialReport: (input, steps) => ({
        recipe: 'DebugStalled',
        ok: false,
        mode: input.workflowId ? 'workflow' : 'sweep',
        scanned: 0,
        stalledCount: 0,
        counts: summarizeFindings([]),
        findings: [],
        truncated: false,
        remedies: [],
        steps,
      }),
      async body(ctx, report) {
        // The skeleton's approvals (one `approve` handler for the remedy plan and the replay gate);
        // the fix watch installed before the first await, so an early `codeFixed` finds its handler.
        const handlers = ctx.input.act ? { approvals: ctx.approvals(), watch: new FixWatch() } : undefined;
        try {
          if (ctx.input.workflowId) await workflowMode(ctx, ctx.input.workflowId, report);
          else await sweepMode(ctx, report);
        } catch (error) {
          // A workflow that does not exist is what the report says, not a failed recipe step.
          if (failureType(error) !== DebugStalledFailure.TargetNotFound) throw error;
          report.problem = failureMessage(error);
          return;
        }
        // Finding stalls is what the recipe is for, not a failed step: the report step is ok either way.
        ctx.checklist.mark('report', 'ok', summaryLine(report));
        if (!handlers) return;
        // Runs the sweep could not describe stay a problem, whatever the remedies of the others did.
        const unswept = report.problem;
        await actOnFindings(ctx, report, report.findings, handlers);
        if (ctx.input.incidents) await recordRemedies(report);
        if (unswept !== undefined) {
          report.ok = false;
          report.problem = report.problem === unswept ? unswept : `${unswept}; ${report.problem ?? ''}`;
        }
      },
      summary: summaryLine,
    },
    raw,
  );
}
