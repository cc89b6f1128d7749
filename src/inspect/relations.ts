// Runs that other runs wait on (a parent's pending children, the workflows behind a caller's Nexus
// operations, transitively), diagnosed once per sweep or analysis: memoized, so a child both listed by
// the sweep and asked for by its parent costs one describe, and runs waiting on none cost nothing more.
import type { BlockerFact, Relation, RunRef, WorkflowFacts } from '../contract/facts.js';
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

interface Waited {
  run: RunRef;
  relation: Relation;
  via?: string;
}

/** What the run waits on that the server can name: its pending children, and the workflows behind its Nexus operations. */
function waitedOn(facts: WorkflowFacts, namespace: string): Waited[] {
  const children = (facts.pendingChildren ?? [])
    .filter((c) => c.runId)
    .map((c): Waited => ({ run: c, relation: 'child-workflow' }));
  // A handler workflow in another namespace is out of this client's reach.
  const nexus = (facts.pendingNexusOperations ?? [])
    .filter((op) => op.handler && (op.handler.namespace === '' || op.handler.namespace === namespace))
    .map((op): Waited => ({
      run: { workflowId: op.handler!.workflowId, runId: '' },
      relation: 'nexus-operation',
      via: `${op.service}.${op.operation} on endpoint ${op.endpoint}`,
    }));
  return [...children, ...nexus].slice(0, MAX_CHILDREN);
}

/** True when the run waits on runs the server names (children, Nexus handler workflows). */
export function waitsOnRuns(facts: WorkflowFacts): boolean {
  return Boolean(facts.pendingChildren?.length || facts.pendingNexusOperations?.some((op) => op.handler));
}

/**
 * The stalled ones among the runs this run waits on (its pending children, the workflows its Nexus
 * operations started in `namespace`), each with its root cause; runs that cannot be read are left out.
 */
export async function blockersOf(
  facts: WorkflowFacts,
  findings: RunFindings,
  namespace: string,
): Promise<BlockerFact[]> {
  const waited = waitedOn(facts, namespace);
  const found = await mapLimit(waited, CHILDREN_IN_FLIGHT, (w) => findings.of(w.run).catch(() => undefined));
  const blockers: BlockerFact[] = [];
  found.forEach((f, i) => {
    const w = waited[i]!;
    if (f?.stalled === true) blockers.push(blockerFrom(f, w.relation, w.via));
  });
  return blockers;
}

/** The stalled run `f` as the blocker of a run that waits on it by `relation` (`via`: how, when it says). */
export function blockerFrom(f: Finding, relation: Relation, via?: string): BlockerFact {
  return {
    workflowId: f.workflowId,
    runId: f.runId,
    workflowType: f.workflowType,
    relation,
    ...(via !== undefined && { via }),
    verdict: f.verdict,
    summary: f.evidence.summary,
    rootCause: rootCauseOf(f),
  };
}
