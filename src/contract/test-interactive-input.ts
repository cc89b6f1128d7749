// TestInteractive's input: a worker, a target workflow, and the signals, updates and queries to
// drive it through, each with an optional expectation.
import { z } from 'zod';
import { flag, numberIn, oneOf, recipeObject, strict, text } from './fields.js';
import { resultRuleSchema } from './rule-schemas.js';
import { parseWith, type InputProblem } from './validate.js';
import { startSchema, workerFieldsShape } from './worker-fields.js';
import { DEFAULTS } from '../defaults.js';

export type InteractionKind = 'signal' | 'update' | 'query';

export interface Interaction {
  kind: InteractionKind;
  name: string;
  args: unknown[];
  /** Partial match on the update result or query answer. */
  expect?: unknown;
  /** The update must be rejected with a message containing this text (e.g. a validator). */
  expectError?: string;
}

const KINDS: readonly InteractionKind[] = ['signal', 'update', 'query'];
const handlerName = (kind: InteractionKind) =>
  text('a handler name: 1 to 1000 characters, no control characters', 1000)
    .describe(`Name of the ${kind} to send.`)
    .optional();

/** What each kind may carry besides its name and args. */
const extras: Record<InteractionKind, readonly string[]> = {
  signal: [],
  update: ['expect', 'expectError'],
  query: ['expect'],
};

const interactionSchema = strict(
  {
    signal: handlerName('signal'),
    update: handlerName('update'),
    query: handlerName('query'),
    args: z.array(z.unknown(), { error: 'an array' }).describe('Arguments (default []).').optional(),
    expect: z.unknown().describe('update or query: partial match on the result or answer.').optional(),
    expectError: text('a non-empty string of at most 1000 characters', 1000)
      .describe('update: it must be rejected with a message containing this text.')
      .optional(),
  },
  'an object such as {"signal": "approve", "args": [...]}',
)
  .superRefine((item, ctx) => {
    const kinds = KINDS.filter((kind) => item[kind] !== undefined);
    const kind = kinds[0];
    if (kinds.length !== 1 || !kind) {
      ctx.addIssue({ code: 'custom', path: [], message: 'exactly one of "signal", "update" or "query"' });
      return;
    }
    for (const key of ['expect', 'expectError'] as const) {
      if (key in item && !extras[kind].includes(key)) {
        const known = [kind, 'args', ...extras[kind]].join(', ');
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `no such field in a ${kind} (known: ${known})`,
        });
      }
    }
  })
  .transform((item): Interaction => {
    const kind = KINDS.find((k) => item[k] !== undefined) ?? 'signal';
    return {
      kind,
      name: item[kind] ?? '',
      args: item.args ?? [],
      ...('expect' in item ? { expect: item.expect } : {}),
      ...(item.expectError !== undefined ? { expectError: item.expectError } : {}),
    };
  })
  .describe(
    'One step: {"signal"|"update"|"query": name, "args": [...], "expect": ..., "expectError": "..."}.',
  );

export const testInteractiveInputSchema = recipeObject({
  ...workerFieldsShape,
  start: startSchema,
  interactions: z
    .array(interactionSchema, { error: 'a non-empty array of signals, updates and queries' })
    .min(1, { error: 'a non-empty array of signals, updates and queries' })
    .max(1000, { error: 'at most 1000 interactions' })
    .describe('Signals, updates and queries sent in order, each checked against its expectation.'),
  expectResult: z.unknown().describe('Partial match on the final result.').optional(),
  resultTimeoutSeconds: numberIn(1, 86_400)
    .describe(
      `Seconds to wait for the target workflow to close (default ${DEFAULTS.interactiveResultTimeoutSeconds}).`,
    )
    .optional(),
  resultRule: resultRuleSchema.optional(),
  cleanupTarget: oneOf(['terminate', 'leave'])
    .describe(
      'When the test fails with the target still running: terminate it (default) or leave it running to inspect.',
    )
    .optional(),
  stopWorkerAfter: flag()
    .describe(
      `Stop the worker when done, as the runbook's cleanup says (default ${DEFAULTS.stopWorkerAfter}).`,
    )
    .optional(),
}).describe(
  'TestInteractive: start a worker and the target workflow, drive it through signals, updates and queries, check each answer and the result.',
);

export type TestInteractiveInput = z.output<typeof testInteractiveInputSchema>;

/** Parses raw input; returns every problem found, or the typed input. */
export function parseTestInteractiveInput(raw: unknown): {
  input?: TestInteractiveInput;
  problems: InputProblem[];
} {
  return parseWith(testInteractiveInputSchema, raw);
}
