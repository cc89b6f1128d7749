// A Nexus operation the server cannot start: each start request fails (the handler raises, or no
// handler answers in time) and the server retries it, or holds it back behind an open circuit
// breaker. Describe shows the attempts and the last failure; history shows only the scheduled event,
// so the run looks like a wait. Pure.
import type { PendingNexusOperationFact } from '../contract/facts.js';
import type { NexusOperationEvidence, PollerEvidence } from '../contract/verdicts.js';
import { formatAge } from './poller-liveness.js';
import { pollerSummary, type Rule } from './stall-rules.js';

const firstLine = (text: string): string => text.split('\n', 1)[0] ?? '';

/** The operation as `<service>.<operation> on endpoint <endpoint>`, as every report names it. */
export const nexusOperationName = (op: { service: string; operation: string; endpoint: string }): string =>
  `${op.service}.${op.operation} on endpoint ${op.endpoint}`;

/** The last attempt's failure in one line: handler error type, message, and what the handler raised. */
function nexusFailureText(e: NexusOperationEvidence): string {
  const cause = e.cause ? `: ${e.cause.type ? `${e.cause.type}: ` : ''}${firstLine(e.cause.message)}` : '';
  const type = e.handlerErrorType ? `${e.handlerErrorType}: ` : '';
  return `${type}${firstLine(e.lastFailureMessage ?? '')}${cause}`;
}

function evidenceOf(
  op: PendingNexusOperationFact,
  pollers: PollerEvidence[] | undefined,
): NexusOperationEvidence {
  return {
    endpoint: op.endpoint,
    service: op.service,
    operation: op.operation,
    state: op.state,
    attempt: op.attempt,
    ...(op.lastAttemptFailureMessage !== undefined && { lastFailureMessage: op.lastAttemptFailureMessage }),
    ...(op.lastAttemptHandlerErrorType !== undefined && { handlerErrorType: op.lastAttemptHandlerErrorType }),
    ...(op.lastAttemptCause !== undefined && { cause: op.lastAttemptCause }),
    ...(op.nextAttemptScheduleTimeMs !== undefined && { nextAttemptAtMs: op.nextAttemptScheduleTimeMs }),
    ...(op.blockedReason !== undefined && { blockedReason: op.blockedReason }),
    ...(op.endpointTarget !== undefined && { target: op.endpointTarget }),
    ...(pollers !== undefined && { handlerPollers: pollers }),
  };
}

/** Where the endpoint routes the operation, and who polls there, in words. */
function targetText(e: NexusOperationEvidence): string {
  if (!e.target) return '';
  const where = `; the endpoint routes it to task queue "${e.target.taskQueue}" in namespace ${e.target.namespace}`;
  if (!e.handlerPollers) return where;
  const live = e.handlerPollers.filter((p) => p.live);
  return live.length > 0
    ? `${where}, polled for Nexus tasks by ${live.map((p) => p.identity).join(', ')}`
    : `${where}, where no worker polls for Nexus tasks (${pollerSummary(e.handlerPollers)})`;
}

const failed = (op: PendingNexusOperationFact): boolean =>
  op.lastAttemptFailureMessage !== undefined || op.lastAttemptHandlerErrorType !== undefined;

// Rule 5c: a pending Nexus operation not started yet, held back by the server (state blocked), or whose
// start requests keep failing (attempt >= retryStormAttempts with a last failure). A started
// operation is the handler's workflow running: the blocked rule judges that one.
export const nexusOperationFailingRule: Rule = (ctx) => {
  const failing = (ctx.facts.pendingNexusOperations ?? []).filter(
    (op) =>
      op.state !== 'started' &&
      (op.state === 'blocked' || (op.attempt >= ctx.policy.retryStormAttempts && failed(op))),
  );
  const op = failing.sort((a, b) => b.attempt - a.attempt)[0];
  if (!op) return undefined;
  const e = evidenceOf(op, op.endpointTarget && ctx.nexusPollers?.[op.endpointTarget.taskQueue]);
  const last = failed(op) ? `last failure: ${nexusFailureText(e)}` : 'no failure recorded';
  const next =
    op.nextAttemptScheduleTimeMs !== undefined
      ? `; next attempt in ${formatAge(Math.max(0, op.nextAttemptScheduleTimeMs - ctx.now))}`
      : '';
  const how =
    op.state === 'blocked'
      ? `is held back by the server (${op.blockedReason ?? 'blocked'}), attempt ${op.attempt}, ${last}`
      : `cannot start: attempt ${op.attempt} (${op.state}), ${last}${next}`;
  return {
    verdict: 'nexus-operation-failing',
    confidence: 'high',
    evidence: {
      summary: `Nexus operation ${nexusOperationName(op)} ${how}${targetText(e)}`,
      nexusOperation: e,
      ...(e.lastFailureMessage !== undefined && { failureMessage: e.lastFailureMessage }),
      waitingOn: 'nexus-operation',
    },
  };
};
