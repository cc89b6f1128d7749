// The ops workflows' payload converter: the SDK's default, except for what is sent *to* a recipe
// (its input, signals, updates, queries). A payload there that cannot be decoded (truncated JSON,
// NaN or Infinity, an unknown encoding) or that nests deeper than MAX_INPUT_DEPTH becomes an
// UndecodablePayload, which the recipe skeleton turns into a non-retryable InvalidInput. Thrown
// instead, the error would fail the workflow task, and the recipe would retry that task for ever.
import {
  defaultPayloadConverter,
  type Payload,
  type PayloadConverter,
  type SerializationContext,
} from '@temporalio/common';
import { payloadProblem } from '../../src/contract/payload-problems.js';

/** Deeper input is refused: checking or re-encoding it would overflow the stack. */
export const MAX_INPUT_DEPTH = 100;

/** What a recipe receives in place of a value its payload could not give. */
export class UndecodablePayload {
  constructor(
    /** What is wrong with the payload, in words (e.g. `not valid JSON: Unexpected end of JSON input`). */
    readonly problem: string,
  ) {}

  toJSON(): string {
    return `(undecodable payload: ${this.problem})`;
  }
}

/** How deep `value` nests (0 for a scalar), counted without recursion; stops past `limit`. */
export function nestingDepth(value: unknown, limit = MAX_INPUT_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

class RecipePayloadConverter implements PayloadConverter {
  toPayload<T>(value: T, context?: SerializationContext): Payload {
    return defaultPayloadConverter.toPayload(value, context);
  }

  fromPayload<T>(payload: Payload, context?: SerializationContext): T {
    // Activity results come from our own activities: a failure there is a bug to see, not input.
    if (context?.type !== 'workflow') return defaultPayloadConverter.fromPayload(payload, context);
    let value: unknown;
    try {
      value = defaultPayloadConverter.fromPayload(payload, context);
    } catch (error) {
      return new UndecodablePayload(payloadProblem(error, payload)) as T;
    }
    if (nestingDepth(value) > MAX_INPUT_DEPTH)
      return new UndecodablePayload(`nested more than ${MAX_INPUT_DEPTH} levels deep`) as T;
    return value as T;
  }
}

export const payloadConverter: PayloadConverter = new RecipePayloadConverter();
