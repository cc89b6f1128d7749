// The outcome of a closed run: its decoded result (checked against the "reads like an error" rule)
// or how it failed, from describe plus the close event.
import type { RunHeader, WorkflowStatusName } from '../contract/facts.js';
import { checkResult, type ResultCheck } from '../diagnosis/result-check.js';
import { type ResultRule } from '../contract/result-rule.js';
import type { WorkflowReadClient } from '../temporal/lite/read-client.js';
import { CodecServerError } from '../errors.js';
import { decodeWithCodecs, UnreadablePayload } from '../temporal/target-payloads.js';
import { executionSummary } from './describe-facts.js';
import { closeEventFact, readCloseEvent, type CloseEventFact, type HistoryEvent } from './history.js';

export interface RunOutcome extends RunHeader {
  /** COMPLETED: the decoded result (null when the workflow returned nothing). */
  result?: unknown;
  /** COMPLETED: whether the result reads like an error. */
  resultCheck?: ResultCheck;
  /** Closed but not COMPLETED: failure chain, terminate reason, retry state, next run. */
  close?: CloseEventFact;
}

/**
 * The decoded result payload of a WorkflowExecutionCompleted event (null when empty): codecs, then the
 * converter; an UnreadablePayload when the converter cannot read it.
 */
async function decodeCompletedResult(client: WorkflowReadClient, event: HistoryEvent): Promise<unknown> {
  let payloads = event.workflowExecutionCompletedEventAttributes?.result?.payloads;
  if (!payloads?.length) return null;
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  // The SDK's own helper for this loads the whole API descriptor: the same steps, without it.
  try {
    payloads = await decodeWithCodecs(payloadCodecs, payloads);
  } catch (error) {
    if (error instanceof CodecServerError) return new UnreadablePayload(error.message);
    throw error;
  }
  const [first] = payloads;
  return first ? (payloadConverter.fromPayload(first) ?? null) : null;
}

/** Reads how a known run closed: result and check for COMPLETED, the close facts otherwise. */
export async function outcomeOfRun(
  client: WorkflowReadClient,
  run: { workflowId: string; runId: string; status: WorkflowStatusName },
  rule?: Partial<ResultRule>,
): Promise<Pick<RunOutcome, 'result' | 'resultCheck' | 'close'>> {
  if (run.status === 'RUNNING') return {};
  const event = await readCloseEvent(client, run);
  if (!event) return {};
  if (run.status !== 'COMPLETED') {
    const close = closeEventFact(event);
    return close ? { close } : {};
  }
  const result = await decodeCompletedResult(client, event);
  if (result instanceof UnreadablePayload)
    return { resultCheck: { looksLikeError: false, reason: '', unreadable: result.problem } };
  return { result, resultCheck: checkResult(result, rule) };
}

/** Describes the run (latest when runId is omitted) and, when closed, reads its outcome. Throws not-found as the server does. */
export async function readRunOutcome(
  client: WorkflowReadClient,
  execution: { workflowId: string; runId?: string },
  rule?: Partial<ResultRule>,
): Promise<RunOutcome> {
  const described = await client.workflowService.describeWorkflowExecution({
    namespace: client.options.namespace,
    execution: { workflowId: execution.workflowId, runId: execution.runId ?? '' },
  });
  const run = executionSummary(described.workflowExecutionInfo);
  const outcome: RunOutcome = {
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: run.workflowType,
    taskQueue: run.taskQueue,
    status: run.status,
    startTimeMs: run.startTimeMs,
    ...(run.closeTimeMs !== undefined && { closeTimeMs: run.closeTimeMs }),
    ...(await outcomeOfRun(client, run, rule)),
  };
  return outcome;
}
