// CheckRecentResults: the runbook's "Recipe 5". List the target workflows that closed in the last
// `minutes` and check each result: COMPLETED but reading like an error, FAILED, TIMED_OUT,
// TERMINATED, CANCELED. Ops workflows are never listed.
import type { CheckedRun } from '../activities/recent-activities.js';
import type { WorkflowStatusName } from '../src/contract/facts.js';
import { parseCheckRecentInput, type CheckRecentInput } from '../src/contract/check-recent-input.js';
import { clusterActivities, waitOp } from './lib/activities.js';
import { runRecipe, type RecipeReport } from './lib/recipe.js';

export interface CheckRecentReport extends RecipeReport {
  recipe: 'CheckRecentResults';
  minutes: number;
  /** Start and end of the window (epoch ms). */
  window: { fromMs: number; toMs: number };
  workflows: CheckedRun[];
  counts: {
    checked: number;
    ok: number;
    failing: number;
    byStatus: Partial<Record<WorkflowStatusName, number>>;
  };
  /** True when more runs closed than maxWorkflows (the newest were checked). */
  truncated: boolean;
}

function summary(report: CheckRecentReport): string {
  if (report.problem && report.counts.checked === 0) return report.problem;
  const { checked, failing } = report.counts;
  if (checked === 0) return `no target workflows closed in the last ${report.minutes} min`;
  const first = report.workflows.find((w) => !w.resultOk);
  return failing === 0
    ? `${checked} closed in the last ${report.minutes} min, all ok`
    : `${failing} of ${checked} closed in the last ${report.minutes} min not ok; first: ${first?.workflowId}: ${first?.reason}`;
}

/** Runs the check-recent recipe; bad input fails the workflow, failing results end in a report with ok=false. */
export function CheckRecentResults(raw: unknown): Promise<CheckRecentReport> {
  return runRecipe<CheckRecentInput, CheckRecentReport>(
    {
      name: 'CheckRecentResults',
      parse: parseCheckRecentInput,
      steps: () => [
        ['check', 'List the target workflows closed in the window and check each result'],
        ['report', 'Count the results'],
      ],
      label: (input) => input.taskQueue ?? 'all',
      placement: () => null,
      initialReport: (input, steps) => ({
        recipe: 'CheckRecentResults',
        ok: false,
        minutes: input.minutes,
        window: { fromMs: 0, toMs: 0 },
        workflows: [],
        counts: { checked: 0, ok: 0, failing: 0, byStatus: {} },
        truncated: false,
        steps,
      }),
      async body(ctx, report) {
        const { input, checklist } = ctx;
        // Decided here, so a retried activity checks the same window.
        const nowMs = Date.now();
        report.window = { fromMs: nowMs - input.minutes * 60_000, toMs: nowMs };
        const checked = await checklist.run(
          'check',
          () =>
            clusterActivities.checkClosedTargets.executeWithOptions(
              { ...waitOp(300), summary: `check workflows closed in the last ${input.minutes} min` },
              [
                {
                  minutes: input.minutes,
                  nowMs,
                  taskQueue: input.taskQueue,
                  query: input.query,
                  workflowTypes: input.workflowTypes,
                  resultRule: input.resultRule,
                  maxWorkflows: input.maxWorkflows,
                },
              ],
            ),
          (c) => `${c.runs.length} closed runs checked`,
        );
        report.workflows = checked.runs;
        report.truncated = checked.truncated;
        const byStatus: Partial<Record<WorkflowStatusName, number>> = {};
        for (const w of checked.runs) byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
        const ok = checked.runs.filter((w) => w.resultOk).length;
        report.counts = { checked: checked.runs.length, ok, failing: checked.runs.length - ok, byStatus };
        report.ok = report.counts.failing === 0;
        if (!report.ok) report.problem = summary(report);
        checklist.mark('report', 'ok', `${ok} ok, ${report.counts.failing} not ok`);
      },
      summary,
    },
    raw,
  );
}
