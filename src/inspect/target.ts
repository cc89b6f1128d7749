// A target workflow's status and failure chain, as plain facts.
import type { Client } from '@temporalio/client';
import type { WorkflowStatusName } from '../contract/facts.js';

export interface ClosedTarget {
  workflowId: string;
  runId: string;
  status: WorkflowStatusName;
  result?: unknown;
  failure?: string;
}

/** Status of a run by its upper-case name (RUNNING, COMPLETED, ...), via describe. */
export async function describeStatus(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<WorkflowStatusName> {
  const description = await client.workflow.getHandle(workflowId, runId).describe();
  // The TS client spells it CANCELLED; Temporal's enum (and the CLI and UI) say CANCELED.
  const name = description.status.name === 'CANCELLED' ? 'CANCELED' : description.status.name;
  return name as WorkflowStatusName;
}

/** Failure chain of an error as one line: "message: cause message: ...". */
export function failureChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 6) {
    parts.push(current.message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.filter((p) => p !== '').join(': ');
}

/** Failure chain of an error with each application failure's type: "message: TypeError: cause message". */
export function typedFailureChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 6) {
    const type = (current as { type?: unknown }).type;
    const typed = typeof type === 'string' && type !== '' ? `${type}: ` : '';
    if (current.message !== '' || typed) parts.push(`${typed}${current.message}`);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(': ');
}

/** A failing workflow task as one line: "TypeError: message (WORKFLOW_WORKER_UNHANDLED_FAILURE)". */
export function workflowTaskFailureText(fact: { cause: string; message: string; failureType?: string }) {
  return `${fact.failureType ? `${fact.failureType}: ` : ''}${fact.message} (${fact.cause})`;
}
