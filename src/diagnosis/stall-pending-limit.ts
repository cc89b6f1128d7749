// The server's per-workflow limits on pending operations: a workflow task whose commands would pass
// one is failed by the server with a cause naming the limit, and keeps failing while the code asks for
// as many. Read from the failure's cause (an enum), never its text. Pure.
import type { WorkflowFacts, WorkflowTaskFailureFact } from '../contract/facts.js';
import type { PendingLimitEvidence, PendingLimitKind } from '../contract/verdicts.js';

// The server's dynamic config keys, and their defaults (also the dev server's).
const LIMITS: Readonly<Record<string, { kind: PendingLimitKind; setting: string; defaultLimit: number }>> = {
  PENDING_ACTIVITIES_LIMIT_EXCEEDED: {
    kind: 'activities',
    setting: 'limit.numPendingActivities.error',
    defaultLimit: 2000,
  },
  PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED: {
    kind: 'child-workflows',
    setting: 'limit.numPendingChildExecutions.error',
    defaultLimit: 2000,
  },
  PENDING_SIGNALS_LIMIT_EXCEEDED: {
    kind: 'signals',
    setting: 'limit.numPendingSignals.error',
    defaultLimit: 2000,
  },
  PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED: {
    kind: 'cancel-requests',
    setting: 'limit.numPendingCancelRequests.error',
    defaultLimit: 2000,
  },
  PENDING_NEXUS_OPERATIONS_LIMIT_EXCEEDED: {
    kind: 'nexus-operations',
    setting: 'component.nexusoperations.limit.operation.concurrency',
    defaultLimit: 30,
  },
};

/** True when the cause (without its enum prefix) is a per-workflow pending-operation limit. */
export const isPendingLimitCause = (cause: string): boolean => cause in LIMITS;

/** The limit a workflow task failure hit, with what describe says the run has pending of that kind. */
export function pendingLimitOf(
  failure: WorkflowTaskFailureFact,
  facts: WorkflowFacts,
): PendingLimitEvidence | undefined {
  const cause = failure.cause.toUpperCase().replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '');
  const limit = LIMITS[cause];
  if (!limit) return undefined;
  const pending =
    limit.kind === 'activities'
      ? facts.pendingActivities.length
      : limit.kind === 'child-workflows'
        ? facts.pendingChildWorkflows
        : undefined;
  // The figure is for the evidence only: the verdict rests on the cause.
  const stated = /\blimit of (\d+)\b/.exec(failure.message)?.[1];
  return {
    ...limit,
    cause,
    ...(stated !== undefined && { limit: Number(stated) }),
    ...(pending !== undefined && { pending }),
  };
}

/** The figures in words, for the evidence summary. */
export function pendingLimitText(p: PendingLimitEvidence): string {
  const now = p.pending !== undefined ? `; ${p.pending} pending now` : '';
  const value = p.limit !== undefined ? ` = ${p.limit} on this server` : `, ${p.defaultLimit} by default`;
  return `the server refuses more pending ${p.kind} for this workflow (${p.setting}${value}${now})`;
}
