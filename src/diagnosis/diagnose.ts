// Facts about one target workflow run -> a verdict with evidence and a remedy.
// Pure and deterministic (`now` is passed in): recipes import it from workflow code.

import type { PollerFact, WorkflowFacts } from '../contract/facts.js';
import { judgePoller } from './poller-liveness.js';
import { waitingAbove } from './stall-blocked.js';
import { healthyWait } from './stall-healthy-wait.js';
import { remedyFor } from './remedy-for.js';
import { RULES } from './rules.js';
import { currentFailureRule, type Conclusion, type Context } from './stall-rules.js';
import {
  resolveDiagnosisPolicy,
  type DiagnosisPolicy,
  type Evidence,
  type Finding,
  type PollerEvidence,
} from '../contract/verdicts.js';

function judgePollers(
  pollers: readonly PollerFact[],
  now: number,
  policy: DiagnosisPolicy,
): PollerEvidence[] {
  return pollers.map((p) => {
    const { liveness, why } = judgePoller(p, now, policy.pollerFreshMs);
    return {
      identity: p.identity,
      lastAccessAgeMs: Math.max(0, now - p.lastAccessTimeMs),
      live: liveness === 'live',
      liveness,
      why,
      ...(p.version && { version: p.version }),
    };
  });
}

function context(facts: WorkflowFacts, now: number, policy: DiagnosisPolicy): Context {
  const ctx: Context = {
    facts,
    now,
    policy,
    reported: facts.reportedProblems ?? [],
    attempt: facts.pendingWorkflowTask?.attempt ?? 0,
  };
  if (facts.workflowPollers) ctx.pollers = judgePollers(facts.workflowPollers, now, policy);
  for (const op of facts.pendingNexusOperations ?? [])
    if (op.endpointTarget && op.handlerPollers)
      (ctx.nexusPollers ??= {})[op.endpointTarget.taskQueue] = judgePollers(op.handlerPollers, now, policy);
  if (facts.activityPollers) {
    ctx.activityPollers = Object.fromEntries(
      Object.entries(facts.activityPollers).map(([queue, list]) => [queue, judgePollers(list, now, policy)]),
    );
  }
  return ctx;
}

function conclude(ctx: Context): Conclusion {
  // Only a RUNNING run can stall; a closed run keeps just its last current failure as the story.
  if (ctx.facts.status !== 'RUNNING') {
    const failed = currentFailureRule(ctx);
    const summary =
      `Run is ${ctx.facts.status}, so it is not stalled. ${failed?.evidence.summary ?? ''}`.trim();
    return failed
      ? { ...failed, evidence: { ...failed.evidence, summary } }
      : { verdict: 'healthy-wait', confidence: 'high', evidence: { summary } };
  }
  for (const rule of RULES) {
    const found = rule(ctx);
    if (found) return found;
  }
  return healthyWait(ctx);
}

/**
 * Diagnoses one target workflow run from its facts at time `now` (epoch ms). Throws RangeError for a
 * policy value that is not a non-negative number. Runs that are not RUNNING are never stalled: their
 * verdict comes from a current workflow task failure if any, else healthy-wait, with remedy none.
 */
export function diagnose(facts: WorkflowFacts, now: number, policy: Partial<DiagnosisPolicy> = {}): Finding {
  const ctx = context(facts, now, resolved(policy));
  const { verdict, confidence, evidence } = conclude(ctx);
  const running = facts.status === 'RUNNING';
  const stalled = running && verdict !== 'healthy-wait';
  const above = stalled ? waitingAbove(facts) : [];
  const { summary, ...found } = stripUndefined(evidence);
  const full: Evidence = {
    summary:
      above.length > 0 ? `${summary}; waited on by ${above.map((r) => r.workflowId).join(', ')}` : summary,
    eventIds: [],
    ...(facts.pendingWorkflowTask && { workflowTaskAttempt: facts.pendingWorkflowTask.attempt }),
    ...(ctx.pollers && { pollers: ctx.pollers }),
    ...(ctx.reported.length > 0 && { reportedProblems: [...ctx.reported] }),
    ...found,
    ...(above.length > 0 && { waitedOnBy: above }),
  };
  return {
    workflowId: facts.workflowId,
    runId: facts.runId,
    workflowType: facts.workflowType,
    taskQueue: facts.taskQueue,
    verdict,
    stalled,
    confidence,
    evidence: full,
    remedy: running
      ? remedyFor(verdict, facts, evidence)
      : {
          action: 'none',
          text: `Run is ${facts.status}: nothing resumes it, so there is nothing to fix in this run.`,
          autoRecovers: false,
        },
  };
}

// Findings go into JSON reports and workflow results: keep absent fields absent, not `undefined`.
function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) if (value !== undefined) out[key] = value;
  return out as T;
}

const resolvedPolicies = new WeakMap<Partial<DiagnosisPolicy>, DiagnosisPolicy>();

/** The policy with its defaults, resolved once per policy object (a sweep passes one for every run). */
function resolved(policy: Partial<DiagnosisPolicy>): DiagnosisPolicy {
  let full = resolvedPolicies.get(policy);
  if (!full) {
    full = resolveDiagnosisPolicy(policy);
    resolvedPolicies.set(policy, full);
  }
  return full;
}
