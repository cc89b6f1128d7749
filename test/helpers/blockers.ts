// A stalled CodeBug run as the blocker of a run that waits on it, for the diagnosis's unit tests.
import type { BlockerFact, Relation } from '../../src/diagnosis/index.js';

/** `workflowId`/`runId`, a CodeBug stalled with summary "boom" and remedy "Fix CodeBug.", as a blocker by `relation`. */
export function codeBugBlocker(
  workflowId: string,
  runId: string,
  relation: Relation,
  via: string,
): BlockerFact {
  const remedy = { action: 'fix-code-restart-worker' as const, text: 'Fix CodeBug.', autoRecovers: true };
  const run = {
    workflowId,
    runId,
    workflowType: 'CodeBug',
    verdict: 'workflow-code-bug' as const,
    summary: 'boom',
  };
  return { ...run, relation, via, rootCause: { ...run, remedy, chain: [workflowId] } };
}
