// Relationships: a run waiting on a stalled child is blocked by it (transitively), and a stalled
// run names the runs above it that wait on it. Pure: the gatherer diagnosed the children.
import type { RunRef, WorkflowFacts } from '../contract/facts.js';
import type { Rule } from './stall-rules.js';

// Rule 7: a pending child, or the workflow behind a pending Nexus operation, is stalled (or itself
// blocked): the run waits on a root cause elsewhere. So, inferred (medium confidence: the server
// records no link), is a run waiting for a signal after it signalled a workflow that is stalled.
// After the run's own problems, which need their own fix first.
export const blockedRule: Rule = (ctx) => {
  const b = ctx.facts.blockers?.[0];
  if (!b) return undefined;
  const root = b.rootCause;
  const via = root.chain.length > 1 ? ` through ${root.chain.join(' -> ')}` : '';
  const more =
    (ctx.facts.blockers?.length ?? 1) > 1
      ? ` (and ${(ctx.facts.blockers?.length ?? 1) - 1} more stalled runs it waits on)`
      : '';
  const signalled = b.relation === 'signalled-workflow';
  const what =
    b.relation === 'nexus-operation'
      ? `Waiting on Nexus operation ${b.via ?? ''}, whose workflow ${b.workflowId} (run ${b.runId})`
      : signalled
        ? `Waiting for a signal or an update since it signalled workflow ${b.workflowId} (run ${b.runId}) last ` +
          `(${b.via ?? 'a signal'}), most likely for its answer (the server records no link); that workflow`
        : `Waiting on child workflow ${b.workflowId} (run ${b.runId}), which`;
  return {
    verdict: 'blocked',
    confidence: signalled ? 'medium' : 'high',
    evidence: {
      summary:
        `${what} is ${b.verdict}${more}; ` +
        `root cause${via}: ${root.workflowId} (run ${root.runId}) is ${root.verdict}: ${root.summary}`,
      waitingOn: b.relation === 'signalled-workflow' ? 'signal-or-update' : b.relation,
      blockedBy: {
        workflowId: b.workflowId,
        runId: b.runId,
        workflowType: b.workflowType,
        relation: b.relation,
        ...(b.via !== undefined && { via: b.via }),
        verdict: b.verdict,
        summary: b.summary,
        rootCause: {
          workflowId: root.workflowId,
          runId: root.runId,
          workflowType: root.workflowType,
          verdict: root.verdict,
          summary: root.summary,
          chain: root.chain,
          remedy: root.remedy,
        },
      },
    },
  };
};

/** The runs above a run (its parent, then the root of its tree; Nexus callers), which wait on it while it stalls. */
export function waitingAbove(facts: WorkflowFacts): RunRef[] {
  const above: RunRef[] = [...(facts.nexusCallers ?? [])];
  if (facts.parent) above.push(facts.parent);
  if (facts.root && facts.root.runId !== facts.parent?.runId && facts.root.runId !== facts.runId)
    above.push(facts.root);
  return above;
}
