// The replay gate: before a worker restarts onto changed code, replay the project's open
// histories against that code (on the project's host, with the worker's own registrations). When
// any would break, `onBreak` decides — by default a person, through the `approve` update — and the
// old worker keeps serving until then.
import { isCancellation, uuid4 } from '@temporalio/workflow';
import type { CodeFingerprints } from '../../activities/gate-activities.js';
import type { PreparedProject } from '../../activities/process-activities.js';
import type { ClearResult } from '../../activities/clear-activities.js';
import type { ReplayReport, ReplayResult } from '../../src/host/replay/report-types.js';
import type { WorkerFields } from '../../src/contract/clean-start-input.js';
import type { ReplayGate } from '../../src/contract/rule-schemas.js';
import { DEFAULTS } from '../../src/defaults.js';
import { clusterActivities, shortOp, waitOp } from './activities.js';
import type { Approvals } from './approval.js';
import { FailureType } from '../../src/contract/failure-types.js';
import { failureMessage, failureType } from './checklist.js';
import type { RecipeContext } from './recipe.js';

export const GATE_STEP: [string, string] = ['replay-gate', 'Replay open workflows against the new code'];

/** What the recipe may do after the gate, and what a person or the input chose. */
type GateChoice = 'keep-old-worker' | 'restart-anyway' | 'restart-and-terminate' | 'restart-and-reset';

const CHOICES: GateChoice[] = [
  'keep-old-worker',
  'restart-anyway',
  'restart-and-terminate',
  'restart-and-reset',
];

export interface GateReport {
  /**
   * `skipped`: the code did not change (or nothing runs); `passed`: every history replays;
   * `unknown`: the gate could not run (the reason says why), so `onUnknown` decided.
   */
  verdict: 'skipped' | 'passed' | 'would-break' | 'unknown';
  reason: string;
  fingerprints?: CodeFingerprints;
  replay?: Omit<ReplayReport, 'results'> & { broken: ReplayResult[] };
  choice?: GateChoice;
  chosenBy?: string;
  /** Runs ended or reset by the choice. */
  terminated?: ClearResult[];
  reset?: ResetResult[];
}

interface ResetResult {
  workflowId: string;
  runId: string;
  result: 'reset' | 'failed';
  /** The new run the reset started. */
  newRunId?: string;
  resetToEventId?: number;
  error?: string;
}

function renderBroken(report: ReplayReport): string {
  const lines = report.results
    .filter((r) => r.outcome === 'would-break')
    .slice(0, 20)
    .map((r) => {
      const d = r.divergence;
      const where = d?.eventId ? ` at event ${d.eventId} ${d.eventType ?? ''}` : '';
      const what = d?.produced
        ? `: new code produces ${d.produced}${d.recorded ? ` where history has ${d.recorded}` : ''}`
        : '';
      return `- \`${r.workflowId}\` (${r.workflowType})${where}${what}`;
    });
  const types = Object.entries(report.byType)
    .filter(([, n]) => n.wouldBreak > 0)
    .map(([type, n]) => `${type}: ${n.wouldBreak} of ${n.wouldBreak + n.replays}`)
    .join(', ');
  return [
    `**${report.wouldBreak} of ${report.checked} open workflows would break on the new code** (${types}).`,
    ...lines,
    '',
    `Choices: ${CHOICES.map((c) => `\`${c}\``).join(', ')}. The old worker keeps serving until you choose.`,
  ].join('\n');
}

/** The gate could not run: `onUnknown` (default: ask a person) decides whether to restart anyway. */
async function gateUnknown(
  gate: ReplayGate | undefined,
  fingerprints: CodeFingerprints,
  why: string,
  approvals: () => Approvals,
): Promise<GateReport> {
  const base: GateReport = { verdict: 'unknown', reason: `the gate could not run: ${why}`, fingerprints };
  const onUnknown = gate?.onUnknown ?? 'ask';
  if (onUnknown !== 'ask') return { ...base, choice: onUnknown, chosenBy: 'input' };
  const decision = await approvals().ask({
    kind: 'replay-gate',
    actions: 0,
    markdown: [
      `**The replay gate could not run**, so nobody knows whether the open workflows replay on the new code.`,
      '',
      `Why: ${why}`,
      '',
      'Choices: `keep-old-worker`, `restart-anyway`. The old worker keeps serving until you choose.',
    ].join('\n'),
    choices: ['keep-old-worker', 'restart-anyway'],
    timeoutSeconds: gate?.approvalTimeoutSeconds ?? DEFAULTS.approvalTimeoutSeconds,
  });
  const choice: GateChoice =
    decision.approved && decision.choice === 'restart-anyway' ? 'restart-anyway' : 'keep-old-worker';
  return { ...base, choice, chosenBy: decision.timedOut ? 'timeout' : decision.by };
}

/**
 * Runs step `replay-gate`. Returns the choice: `restart-*` lets the caller restart the worker
 * (terminate-choices have already ended the broken runs; resets happen after the restart through
 * `resetAfterRestart`); `keep-old-worker` means do not restart.
 */
export async function replayGateStep(
  ctx: RecipeContext<unknown>,
  input: WorkerFields & { replayGate?: ReplayGate },
  prepared: PreparedProject,
  approvals: () => Approvals,
): Promise<GateReport> {
  const gate = input.replayGate;
  const report = await ctx.checklist.run(
    'replay-gate',
    async (): Promise<GateReport> => {
      const fingerprints = await ctx.onHost.codeFingerprints.executeWithOptions(
        { ...shortOp, summary: `code of ${prepared.project}` },
        [{ project: prepared.project, projectDir: prepared.projectDir, taskQueue: input.taskQueue }],
      );
      const changed = fingerprints.running.filter((w) => w.fingerprint !== fingerprints.current);
      if (fingerprints.running.length === 0)
        return { verdict: 'skipped', reason: 'no worker runs: nothing to protect', fingerprints };
      if (changed.length === 0)
        return { verdict: 'skipped', reason: `code unchanged (${fingerprints.current})`, fingerprints };
      let replay: ReplayReport;
      try {
        replay = await ctx.onHost.replayOpenWorkflows.executeWithOptions(
          { ...waitOp(180), summary: `replay open workflows of ${input.taskQueue}` },
          [{ ...prepared, taskQueue: input.taskQueue, env: input.env, max: gate?.max, timeoutSeconds: 150 }],
        );
      } catch (error) {
        if (isCancellation(error) || failureType(error) !== FailureType.ReplayCheckFailed) throw error;
        return await gateUnknown(gate, fingerprints, failureMessage(error), approvals);
      }
      const { results, ...counts } = replay;
      const summary = { ...counts, broken: results.filter((r) => r.outcome === 'would-break').slice(0, 50) };
      if (replay.wouldBreak === 0)
        return {
          verdict: 'passed',
          reason: `${replay.checked} open workflows replay`,
          fingerprints,
          replay: summary,
        };
      const base: GateReport = {
        verdict: 'would-break',
        reason: `${replay.wouldBreak} of ${replay.checked} open workflows would break`,
        fingerprints,
        replay: summary,
      };
      const onBreak = gate?.onBreak ?? 'ask';
      if (onBreak !== 'ask') return { ...base, choice: onBreak, chosenBy: 'input' };
      const decision = await approvals().ask({
        kind: 'replay-gate',
        actions: replay.wouldBreak,
        markdown: renderBroken(replay),
        choices: CHOICES,
        timeoutSeconds: gate?.approvalTimeoutSeconds ?? DEFAULTS.approvalTimeoutSeconds,
      });
      const choice: GateChoice =
        decision.approved && decision.choice ? (decision.choice as GateChoice) : 'keep-old-worker';
      return { ...base, choice, chosenBy: decision.timedOut ? 'timeout' : decision.by };
    },
    (g) => (g.choice ? `${g.reason}; ${g.choice} (${g.chosenBy})` : g.reason),
  );
  if (report.choice === 'restart-and-terminate' && report.replay) {
    report.terminated = await clusterActivities.clearTargets.executeWithOptions(
      { ...waitOp(120), summary: `terminate ${report.replay.broken.length} runs that would break` },
      [
        {
          actions: report.replay.broken.map((r) => ({
            workflowId: r.workflowId,
            runId: r.runId,
            workflowType: r.workflowType,
            taskQueue: input.taskQueue,
            verdict: 'non-determinism' as const,
            action: 'terminate' as const,
            why: r.divergence?.message ?? 'would break on the new code',
          })),
          reason: 'temporal-ops replay gate: would break on the new code',
        },
      ],
    );
  }
  return report;
}

/** With `restart-and-reset`: resets each broken run to its last workflow task before the divergence. */
export async function resetAfterRestart(report: GateReport): Promise<void> {
  if (report.choice !== 'restart-and-reset' || !report.replay) return;
  report.reset = [];
  for (const r of report.replay.broken) {
    // Decided here, so a retried reset is the same reset.
    const requestId = uuid4();
    const base = { workflowId: r.workflowId, runId: r.runId };
    try {
      const done = await clusterActivities.resetRun.executeWithOptions(
        { ...shortOp, summary: `reset ${r.workflowId} to before event ${r.divergence?.eventId ?? '?'}` },
        [
          {
            ...base,
            requestId,
            divergenceEventId: r.divergence?.eventId,
            reason: 'temporal-ops replay gate: reset onto the new code',
          },
        ],
      );
      report.reset.push({ ...base, result: 'reset', newRunId: done.newRunId, resetToEventId: done.eventId });
    } catch (error) {
      if (isCancellation(error)) throw error;
      report.reset.push({ ...base, result: 'failed', error: failureMessage(error) });
    }
  }
}
