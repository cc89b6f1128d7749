// DebugStalled's verify step: watch each applied remedy until it verifies or verifySeconds pass.
import type { RemedyCheck } from '../../activities/remedy-activities.js';
import { defaultDiagnosisPolicy } from '../../src/contract/verdicts.js';
import { boundedWaitOp, clusterActivities, ranOutOfTime } from './activities.js';
import type { Act } from './remedy-report.js';

/** Verifies each applied remedy (see src/diagnosis/verify.ts) and writes the evidence on its action. */
export async function verify(
  act: Act,
  times: { appliedAtMs: number; restartAtMs: number },
  pollerIdentity: string | undefined,
): Promise<void> {
  const { ctx } = act;
  const { input } = ctx;
  const pollerFreshMs = input.policy?.pollerFreshMs ?? defaultDiagnosisPolicy.pollerFreshMs;
  const watched = act.pairs.filter((p) => p.action.applied);
  if (watched.length === 0) return ctx.checklist.mark('verify', 'skipped', 'nothing was applied');
  const checks = watched.map(({ planned, next }): RemedyCheck => {
    const run = { workflowId: planned.workflowId, runId: planned.runId };
    if (planned.remedy === 'restart-worker')
      return {
        run,
        goal: {
          kind: 'resumes',
          sinceMs: times.restartAtMs,
          ...(planned.activityId !== undefined && { activityId: planned.activityId }),
        },
      };
    if (planned.remedy === 'unpause')
      return {
        run,
        goal: {
          kind: 'activity-completes',
          sinceMs: times.appliedAtMs,
          activityId: planned.activityId ?? '',
        },
      };
    if (planned.remedy === 'start-worker')
      return { run, goal: { kind: 'picked-up', pollerIdentity, pollerFreshMs } };
    const how = planned.remedy === 'reset' ? 'reset' : 'terminate';
    return {
      run,
      ...(next && { next }),
      goal: {
        kind: 'replaced',
        how,
        sinceMs: times.appliedAtMs,
        expectNewRun: how === 'reset' || planned.rerun !== undefined,
      },
    };
  });
  const seconds = input.verifySeconds;
  const results = await ctx.checklist.run(
    'verify',
    () =>
      clusterActivities.watchRemedies
        .executeWithOptions({ ...boundedWaitOp(seconds), summary: `verify ${checks.length} remedies` }, [
          { checks, seconds, ...(pollerIdentity !== undefined && { worker: pollerIdentity }) },
        ])
        .catch((error: unknown) => {
          // The watch did not answer within the bound: nothing was seen to verify in time.
          if (!ranOutOfTime(error)) throw error;
          const evidence = `no answer from the watch within verifySeconds (${seconds} s)`;
          return checks.map(() => ({ verified: false, statusAfter: 'UNKNOWN', evidence }));
        }),
    (r) =>
      `${r.filter((v) => v.verified).length} of ${r.length} verified within verifySeconds (${seconds} s)`,
  );
  watched.forEach((p, i) => {
    const v = results[i]!;
    Object.assign(p.action, {
      verified: v.verified,
      statusAfter: v.statusAfter,
      detail: `${p.action.detail}; ${v.verified ? 'verified' : 'NOT verified'}: ${v.evidence}`,
    });
  });
}
