// Decoding target payloads through the user's Codec Server, as the Temporal CLI and Web UI do
// (--codec-endpoint, TEMPORAL_CODEC_ENDPOINT, or the profile's [codec]): POST {endpoint}/decode with
// the payloads as proto3 JSON, X-Namespace, and the Authorization header when one is configured.
// Only payloads this host cannot read are sent. temporal-ops writes plain JSON: encode is the identity,
// so a recipe's own input and signals stay readable to the recipes.
import type { Payload, PayloadCodec } from '@temporalio/common';
import { CodecServerError } from '../errors.js';
import { readableEncoding } from './target-payloads.js';

/** A Codec Server: its endpoint (`{namespace}` is replaced, as the Temporal CLI does) and Authorization header. */
export interface CodecServer {
  endpoint: string;
  auth?: string;
}

const CODEC_TIMEOUT_MS = 10_000;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const base64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
const bytes = (text: unknown) => new Uint8Array(Buffer.from(typeof text === 'string' ? text : '', 'base64'));

function toJson(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = base64(value);
  return { metadata, data: base64(payload.data) };
}

function fromJson(json: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(json.metadata ?? {})) metadata[key] = bytes(value);
  return { metadata, data: bytes(json.data) };
}

/** The URL of an endpoint's route, `{namespace}` filled in. */
function codecUrl(server: CodecServer, namespace: string, route: 'decode'): string {
  const base = server.endpoint.replaceAll('{namespace}', encodeURIComponent(namespace)).replace(/\/+$/, '');
  return `${base}/${route}`;
}

export class CodecServerDecoder implements PayloadCodec {
  constructor(
    private readonly server: CodecServer,
    private readonly namespace: string,
    private readonly timeoutMs = CODEC_TIMEOUT_MS,
  ) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    const sealed = payloads.flatMap((payload, i) => (readableEncoding(payload) ? [] : [i]));
    if (sealed.length === 0) return payloads;
    const url = codecUrl(this.server, this.namespace, 'decode');
    const where = `the codec server ${new URL(url).origin}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Namespace': this.namespace,
          ...(this.server.auth && { Authorization: this.server.auth }),
        },
        body: JSON.stringify({ payloads: sealed.map((i) => toJson(payloads[i] as Payload)) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      throw new CodecServerError(`${where} did not answer: ${cause ?? (error as Error).message}`);
    }
    if (!response.ok) throw new CodecServerError(`${where} answered HTTP ${response.status}`);
    const body = (await response.json().catch(() => undefined)) as { payloads?: unknown } | undefined;
    const decoded = body?.payloads;
    if (!Array.isArray(decoded) || decoded.length !== sealed.length)
      throw new CodecServerError(`${where} answered without ${sealed.length} payloads`);
    const out = [...payloads];
    sealed.forEach((index, k) => (out[index] = fromJson(decoded[k] as JsonPayload)));
    return out;
  }
}
