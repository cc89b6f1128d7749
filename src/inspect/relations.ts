// Runs that other runs wait on (a parent's pending children, transitively), diagnosed once per
// sweep or analysis: memoized, so a child both listed by the sweep and asked for by its parent
// costs one describe, and runs without pending children cost nothing more.
import type { BlockerFact, RunRef, WorkflowFacts } from '../contract/facts.js';
import type { Finding } from '../contract/verdicts.js';
import { mapLimit } from './pool.js';

/** Children of one run looked at, at most (a fan-out parent is judged by its first children), and in flight. */
const MAX_CHILDREN = 100;
const CHILDREN_IN_FLIGHT = 8;

/** Gathers and diagnoses one run; undefined when it is closed or gone. */
export type DiagnoseRun = (run: RunRef) => Promise<Finding | undefined>;

const keyOf = (run: RunRef): string => `${run.workflowId}\u0000${run.runId}`;

/** Memoized findings of the runs others wait on, for one sweep or analysis. */
export class RunFindings {
  private readonly memo = new Map<string, Promise<Finding | undefined>>();

  constructor(private readonly diagnoseRun: DiagnoseRun) {}

  /** The run's finding, diagnosed on first ask (a rejection is the gather's error). */
  of(run: RunRef): Promise<Finding | undefined> {
    const key = keyOf(run);
    let found = this.memo.get(key);
    if (!found) {
      found = this.diagnoseRun(run);
      found.catch(() => undefined);
      this.memo.set(key, found);
    }
    return found;
  }
}

/** The root cause a stalled finding stands for: itself, or the end of the chain it is blocked by. */
function rootCauseOf(f: Finding): BlockerFact['rootCause'] {
  const inner = f.evidence.blockedBy?.rootCause;
  if (inner) return { ...inner, chain: [f.workflowId, ...inner.chain] };
  return {
    workflowId: f.workflowId,
    runId: f.runId,
    workflowType: f.workflowType,
    verdict: f.verdict,
    summary: f.evidence.summary,
    remedy: f.remedy,
    chain: [f.workflowId],
  };
}

/** The stalled ones among the run's pending children, each with its root cause; children that cannot be read are left out. */
export async function blockersOf(facts: WorkflowFacts, findings: RunFindings): Promise<BlockerFact[]> {
  const children = (facts.pendingChildren ?? []).filter((c) => c.runId).slice(0, MAX_CHILDREN);
  const found = await mapLimit(children, CHILDREN_IN_FLIGHT, (c) => findings.of(c).catch(() => undefined));
  return found
    .filter((f): f is Finding => f?.stalled === true)
    .map((f) => ({
      workflowId: f.workflowId,
      runId: f.runId,
      workflowType: f.workflowType,
      relation: 'child-workflow' as const,
      verdict: f.verdict,
      summary: f.evidence.summary,
      rootCause: rootCauseOf(f),
    }));
}
