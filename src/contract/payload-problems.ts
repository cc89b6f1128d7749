// Why a payload could not be decoded, in words: shared by the recipes' own converter (input sent to a
// recipe) and the reader of target workflows' payloads (results, update and query answers).
import type { Payload } from '@temporalio/common';

/** The payload's bytes as Latin-1 text: JSON's structure (quotes, escapes, tokens) is ASCII. */
function latin1(data: Uint8Array): string {
  let text = '';
  for (let i = 0; i < data.length; i += 8192)
    text += String.fromCharCode(...data.subarray(i, Math.min(i + 8192, data.length)));
  return text;
}

/** The non-finite number token outside strings (`NaN`, `Infinity`, `-Infinity`), if any. */
function nonFiniteToken(data: Uint8Array | null | undefined): string | undefined {
  if (!data) return undefined;
  const outsideStrings = latin1(data).replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return /(?:^|[[,:\s])(-?Infinity|NaN)(?=$|[\],}\s])/.exec(outsideStrings)?.[1];
}

/** What is wrong with `payload`, given the error its decoding threw. */
export function payloadProblem(error: unknown, payload: Payload): string {
  const token = nonFiniteToken(payload.data);
  if (token) return `the number ${token}, which JSON does not allow (only finite numbers)`;
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof SyntaxError ? `not valid JSON: ${message}` : message;
}
