// Reading what target workflows carry (results, update and query answers) as far as this host can:
// the SDK's default converter, plus protobuf JSON, which a Python worker writes for a protobuf
// message. A payload it cannot read (a codec's encoding such as binary/encrypted, binary protobuf,
// JSON with NaN) becomes an UnreadablePayload naming why. Thrown instead, the error would fail a
// command with exit 1, or fail an activity that a retry cannot mend.
import {
  defaultFailureConverter,
  defaultPayloadConverter,
  type LoadedDataConverter,
  type Payload,
  type PayloadCodec,
  type PayloadConverter,
  type SerializationContext,
} from '@temporalio/common';
import { payloadProblem } from '../contract/payload-problems.js';

/** What a target's payload holds in place of a value, when this host cannot read it. */
export class UnreadablePayload {
  constructor(
    /** Why, in words (e.g. `encoded as binary/encrypted, ...`). */
    readonly problem: string,
  ) {}

  toJSON(): string {
    return `(unreadable payload: ${this.problem})`;
  }
}

/** The encodings the default converter and protobuf JSON read. */
const READABLE = new Set(['binary/null', 'binary/plain', 'json/plain', 'json/protobuf']);

const text = new TextDecoder();
const metadataText = (payload: Payload, key: string): string => {
  const value = payload.metadata?.[key];
  return value ? text.decode(value) : '';
};

/** Whether the converter reads the payload's encoding (JSON, protobuf JSON, binary, null). */
export function readableEncoding(payload: Payload): boolean {
  return READABLE.has(metadataText(payload, 'encoding'));
}

function unreadable(payload: Payload, error: unknown): UnreadablePayload {
  const encoding = metadataText(payload, 'encoding');
  if (encoding === 'binary/protobuf') {
    const type = metadataText(payload, 'messageType');
    return new UnreadablePayload(
      `a binary protobuf${type ? ` (${type})` : ''}, whose schema temporal-ops does not have`,
    );
  }
  if (!READABLE.has(encoding))
    return new UnreadablePayload(
      `encoded as ${encoding || '(no encoding)'}: only the payload codec or converter that wrote it reads it (give temporal-ops its Codec Server: --codec-endpoint or TEMPORAL_CODEC_ENDPOINT)`,
    );
  return new UnreadablePayload(payloadProblem(error, payload));
}

class TargetPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T, context?: SerializationContext): Payload {
    return defaultPayloadConverter.toPayload(value, context);
  }

  fromPayload<T>(payload: Payload, context?: SerializationContext): T {
    try {
      // Proto3 JSON: the message's fields as a JSON object.
      if (metadataText(payload, 'encoding') === 'json/protobuf')
        return JSON.parse(text.decode(payload.data ?? new Uint8Array())) as T;
      return defaultPayloadConverter.fromPayload(payload, context);
    } catch (error) {
      return unreadable(payload, error) as T;
    }
  }
}

export const targetPayloadConverter: PayloadConverter = new TargetPayloadConverter();

/** The data converter of every client that reads target workflows: the codec decodes through the user's Codec Server. */
export function targetDataConverter(codec?: PayloadCodec): LoadedDataConverter {
  return {
    payloadConverter: targetPayloadConverter,
    failureConverter: defaultFailureConverter,
    payloadCodecs: codec ? [codec] : [],
  };
}

/** Payloads run through `codecs` as the SDK decodes: the last codec first. */
export async function decodeWithCodecs(
  codecs: readonly { decode(payloads: Payload[]): Promise<Payload[]> }[],
  payloads: Payload[],
): Promise<Payload[]> {
  let decoded = payloads;
  for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
  return decoded;
}
