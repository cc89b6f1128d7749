// Starting a target workflow and waiting for it to close, as plain facts.
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;
import type { WorkflowStatusName } from '../diagnosis/facts.js';
import { enumName } from './convert.js';

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

/**
 * Waits by long poll for the run to close, or until `timeoutMs`. Returns the final status and the
 * decoded result (COMPLETED) or failure chain (others). `onTick` is called every few seconds.
 */
export async function waitForClose(
  client: Client,
  workflowId: string,
  runId: string,
  timeoutMs: number,
  onTick: () => void = () => undefined,
  cancelSignal?: AbortSignal,
): Promise<ClosedTarget> {
  const handle = client.workflow.getHandle(workflowId, runId, { followRuns: false });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const ticker = setInterval(onTick, 2000);
  const cancel = () => controller.abort();
  cancelSignal?.addEventListener('abort', cancel, { once: true });
  try {
    const result = await client.withAbortSignal(controller.signal, () => handle.result());
    return { workflowId, runId, status: 'COMPLETED', result };
  } catch (error) {
    // A cancelled wait ends as cancelled, not as a status that looks like an answer.
    if (cancelSignal?.aborted) throw cancelSignal.reason ?? error;
    if (controller.signal.aborted)
      return { workflowId, runId, status: await describeStatus(client, workflowId, runId) };
    if (!(error instanceof WorkflowFailedError)) throw error;
    // Close status comes from describe; visibility may lag, describe does not.
    let status = await describeStatus(client, workflowId, runId);
    for (let i = 0; status === 'RUNNING' && i < 20; i++) {
      await sleep(100);
      status = await describeStatus(client, workflowId, runId);
    }
    return { workflowId, runId, status, failure: failureChain(error.cause ?? error) };
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
    cancelSignal?.removeEventListener('abort', cancel);
  }
}

export const statusNames = temporal.api.enums.v1.WorkflowExecutionStatus;

/** Maps a raw status enum number to its name. */
export function statusName(value: number | null | undefined): WorkflowStatusName {
  return enumName(
    statusNames as unknown as Record<string, unknown>,
    value,
    'WORKFLOW_EXECUTION_STATUS_',
  ) as WorkflowStatusName;
}
