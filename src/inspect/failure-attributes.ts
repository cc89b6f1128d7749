// Failures whose message and stack trace a worker's failure converter moved into encoded attributes
// (Python's DefaultFailureConverterWithEncodedAttributes, usually beside an encrypting codec): the
// server then shows only "Encoded failure". They are decoded here with the client's codecs (a Codec
// Server, when one is configured) and converter, so close facts and diagnosis read the real message.
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { WorkflowReadClient } from '../temporal/lite/read-client.js';
import { decodeWithCodecs, UnreadablePayload } from '../temporal/target-payloads.js';

type Failure = temporal.api.failure.v1.IFailure;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The failures an event carries (its attributes' failure, an update outcome's failure), with their causes. */
function failuresOf(event: HistoryEvent): Failure[] {
  const found: Failure[] = [];
  for (const [key, attributes] of Object.entries(event)) {
    if (!key.endsWith('EventAttributes') || !attributes || typeof attributes !== 'object') continue;
    const a = attributes as { failure?: Failure | null; outcome?: { failure?: Failure | null } | null };
    for (let f = a.failure ?? a.outcome?.failure; f; f = f.cause) found.push(f);
  }
  return found;
}

/** The message and stack trace of decoded attributes, or why there are none. */
function attributesOf(value: unknown): { message: string; stackTrace?: string } | string {
  if (value instanceof UnreadablePayload) return value.problem;
  const v = value as { message?: unknown; stack_trace?: unknown } | null;
  if (typeof v?.message !== 'string') return 'they hold no message';
  return { message: v.message, ...(typeof v.stack_trace === 'string' && { stackTrace: v.stack_trace }) };
}

type Described = temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;

/**
 * Decodes the encoded last failures of a describe's pending activities and Nexus operations, in place;
 * undefined (nothing to await) when none is encoded, as for most runs of a sweep.
 */
export function decodeDescribedFailures(
  client: WorkflowReadClient,
  described: Described,
): Promise<void> | undefined {
  const failures: Failure[] = [];
  for (const a of described.pendingActivities ?? [])
    for (let f = a.lastFailure; f; f = f.cause) failures.push(f);
  for (const o of described.pendingNexusOperations ?? [])
    for (let f = o.lastAttemptFailure; f; f = f.cause) failures.push(f);
  return failures.some((f) => f.encodedAttributes) ? decodeFailures(client, failures) : undefined;
}

/** Decodes the encoded failures the events carry, in the events themselves (see decodeFailures). */
export function decodeFailureAttributes(client: WorkflowReadClient, events: HistoryEvent[]): Promise<void> {
  return decodeFailures(client, events.flatMap(failuresOf));
}

/**
 * Puts each encoded failure's own message and stack trace back in place. A failure whose attributes
 * cannot be read keeps its message, with why appended.
 */
async function decodeFailures(client: WorkflowReadClient, failures: Failure[]): Promise<void> {
  const encoded = failures.filter((f) => f.encodedAttributes);
  if (encoded.length === 0) return;
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  const unread = (failure: Failure, why: string) =>
    (failure.message = `${failure.message ?? ''} (its encoded attributes could not be read here: ${why})`);
  let payloads = encoded.map((f) => f.encodedAttributes as Payload);
  try {
    payloads = await decodeWithCodecs(payloadCodecs, payloads);
  } catch (error) {
    for (const failure of encoded) unread(failure, (error as Error).message);
    return;
  }
  encoded.forEach((failure, i) => {
    let decoded: ReturnType<typeof attributesOf>;
    try {
      decoded = attributesOf(payloadConverter.fromPayload(payloads[i] as Payload));
    } catch (error) {
      decoded = (error as Error).message;
    }
    if (typeof decoded === 'string') return unread(failure, decoded);
    failure.message = decoded.message;
    if (decoded.stackTrace !== undefined) failure.stackTrace = decoded.stackTrace;
  });
}
