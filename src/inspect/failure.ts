// A Temporal Failure (and its causes) as a flat, plain chain: what analyze and result print.
import type { temporal } from '@temporalio/proto';
import { stackExcerpt } from '../diagnosis/stall-workflow-task.js';
import { enums } from '../temporal/lite/enums.js';
import { enumNameCached } from './convert.js';

type ProtoFailure = temporal.api.failure.v1.IFailure;

/** One link of a failure chain, outermost first. */
export interface FailureLink {
  /** application | timeout | canceled | terminated | server | activity | child-workflow | reset | nexus | unknown */
  kind: string;
  message: string;
  /** The application error type, the timeout type, the failed activity's or child's type. */
  type?: string;
  nonRetryable?: boolean;
  stackExcerpt?: string;
}

function kindAndType(f: ProtoFailure): { kind: string; type?: string; nonRetryable?: boolean } {
  if (f.applicationFailureInfo) {
    return {
      kind: 'application',
      type: f.applicationFailureInfo.type || undefined,
      nonRetryable: f.applicationFailureInfo.nonRetryable || undefined,
    };
  }
  if (f.timeoutFailureInfo)
    return {
      kind: 'timeout',
      type: enumNameCached(enums.TimeoutType, f.timeoutFailureInfo.timeoutType, 'TIMEOUT_TYPE_'),
    };
  if (f.canceledFailureInfo) return { kind: 'canceled' };
  if (f.terminatedFailureInfo) return { kind: 'terminated' };
  if (f.serverFailureInfo)
    return { kind: 'server', nonRetryable: f.serverFailureInfo.nonRetryable || undefined };
  if (f.activityFailureInfo)
    return { kind: 'activity', type: f.activityFailureInfo.activityType?.name || undefined };
  if (f.childWorkflowExecutionFailureInfo) {
    return {
      kind: 'child-workflow',
      type: f.childWorkflowExecutionFailureInfo.workflowType?.name || undefined,
    };
  }
  if (f.resetWorkflowFailureInfo) return { kind: 'reset' };
  if (f.nexusOperationExecutionFailureInfo || f.nexusHandlerFailureInfo) return { kind: 'nexus' };
  return { kind: 'unknown' };
}

/** Flattens a failure and its causes (at most `depth` links) into plain links. */
export function failureChain(failure: ProtoFailure | null | undefined, depth = 8): FailureLink[] {
  const links: FailureLink[] = [];
  for (let f = failure; f && links.length < depth; f = f.cause) {
    const { kind, type, nonRetryable } = kindAndType(f);
    const link: FailureLink = { kind, message: f.message ?? '' };
    if (type) link.type = type;
    if (nonRetryable) link.nonRetryable = true;
    const stack = stackExcerpt(f.stackTrace ?? undefined);
    if (stack) link.stackExcerpt = stack;
    links.push(link);
  }
  return links;
}

/** The chain on one line: "message (type): cause message (type): ...". */
export function formatFailureChain(links: readonly FailureLink[]): string {
  return links.map((l) => `${l.message || l.kind}${l.type ? ` (${l.type})` : ''}`).join(': ');
}
