// DebugStalled's gates before anything is touched: the approval of the remedy plan, and the wait
// for the code fix that some remedies need.
import { renderRemedyPlan } from '../../src/diagnosis/remedy-plan.js';
import { DEFAULTS } from '../../src/defaults.js';
import type { Approvals } from './approval.js';
import type { FixWatch } from './remedy-fix-wait.js';
import type { Act } from './remedy-report.js';

/** Waits for the approval of the plan (unless autoApprove); a refusal or timeout throws, nothing touched. */
export async function approve(act: Act, approvals: Approvals): Promise<void> {
  const { ctx, report, plan } = act;
  const { input, checklist } = ctx;
  const planned = act.pairs.filter((p) => p.go).length;
  await checklist.run(
    'approval',
    async () => {
      const answer = input.autoApprove
        ? { approved: true, by: 'autoApprove', timedOut: false, planId: 'auto' }
        : await approvals.ask({
            kind: 'remedies',
            actions: planned,
            markdown: renderRemedyPlan(plan, input),
            timeoutSeconds: input.approvalTimeoutSeconds ?? DEFAULTS.approvalTimeoutSeconds,
          });
      report.approval = { by: answer.by, approved: answer.approved, planId: answer.planId };
      if (!answer.approved || answer.timedOut) {
        const why = answer.timedOut
          ? `no approval within approvalTimeoutSeconds (${input.approvalTimeoutSeconds ?? DEFAULTS.approvalTimeoutSeconds} s)`
          : `plan rejected by ${answer.by}`;
        for (const p of act.pairs) if (p.go) p.action.detail = `not applied: ${why}`;
        throw new Error(`${why}; nothing was touched`);
      }
      return answer;
    },
    (d) => `approved by ${d.by}`,
  );
}

/** Waits for the code fix when a remedy needs one; without a change in time, those remedies are dropped. */
export async function waitForFix(
  act: Act,
  watch: FixWatch,
  baseline: string | undefined,
  projectDir: string,
): Promise<void> {
  const { ctx, report } = act;
  const { input, checklist } = ctx;
  const fixing = act.pairs.filter((p) => p.go && p.planned.needsCodeFix);
  if (fixing.length === 0 || baseline === undefined) {
    checklist.mark(
      'wait-fix',
      'skipped',
      fixing.length ? 'waitForFixSeconds 0: the code is fixed' : 'no code fix needed',
    );
    return;
  }
  checklist.setNote(
    `**Waiting for a code change in ${projectDir}** (up to ${input.waitForFixSeconds} s), or the \`codeFixed\` update or signal.`,
    `Waiting for a code change in ${projectDir}`,
  );
  ctx.outcome.record('running', `waiting for a code change in ${projectDir}`);
  try {
    report.fixWait = await checklist.run(
      'wait-fix',
      () => watch.wait(ctx, projectDir, baseline, input.waitForFixSeconds),
      (w) =>
        w.how === 'timeout'
          ? `no code change within waitForFixSeconds (${input.waitForFixSeconds} s)`
          : w.how === 'codeFixed'
            ? `codeFixed by ${w.by}`
            : `code changed (${w.fingerprint})`,
    );
  } finally {
    checklist.setNote('');
  }
  if (report.fixWait.how !== 'timeout') return;
  for (const p of fixing) {
    p.go = false;
    p.action.detail = `not applied: no code change in ${projectDir} within waitForFixSeconds (${input.waitForFixSeconds} s) (restarting on the same code would not help)`;
  }
}
