// Schemas of the nested JSON objects recipes take: result rule, diagnosis policy, replay gate.
import { z } from 'zod';
import type { ResultRule } from './result-rule.js';
import type { DiagnosisPolicy } from './verdicts.js';
import { numberIn, oneOf, strict, text } from './fields.js';
import { parseWith, type InputProblem } from './validate.js';
import { DEFAULTS } from '../defaults.js';

const keyList = (what: string) =>
  z
    .array(text('a non-empty string of at most 200 characters', 200), {
      error: 'an array of strings, such as ["status"]',
    })
    .max(100, { error: 'at most 100 strings' })
    .describe(what);

/** Overrides of the default result rule; each list replaces the default list. */
export const resultRuleSchema = strict(
  {
    statusKeys: keyList(
      'Keys whose string value, when in errorValues, marks an error (e.g. "status").',
    ).optional(),
    errorValues: keyList('Values of a status key that mean failure (case-insensitive).').optional(),
    errorKeys: keyList('Keys that mark an error when present with a truthy value (e.g. "error").').optional(),
    falseMeansError: keyList('Keys that mark an error when exactly false (e.g. "ok").').optional(),
    stringPrefixes: keyList(
      'Prefixes of a string result that read like an error (case-insensitive).',
    ).optional(),
  },
  'an object such as {"statusKeys": ["status"], "errorValues": ["error"]}',
).describe(
  'How to tell a COMPLETED result that reads like an error; each list replaces its default.',
) satisfies z.ZodType<Partial<ResultRule>>;

const yearMs = 365 * 24 * 3_600_000;

/** Overrides of the default diagnosis thresholds. */
export const policySchema = strict(
  {
    retryStormAttempts: numberIn(0, yearMs)
      .describe('A pending activity on this attempt or later, with a last failure, is a retry storm.')
      .optional(),
    noWorkerAfterMs: numberIn(0, yearMs)
      .describe('A workflow task scheduled this long (ms) with no live poller means no worker.')
      .optional(),
    pollerFreshMs: numberIn(0, yearMs)
      .describe('A poller whose last access is younger than this (ms) is live.')
      .optional(),
    workflowTaskTimeouts: numberIn(0, yearMs)
      .describe('This many workflow task timeouts since the last completed task is a timeout stall.')
      .optional(),
    historyWarnEvents: numberIn(0, yearMs)
      .describe("A history of this many events is near the limit (the server's limit.historyCount.warn).")
      .optional(),
    historyLimitEvents: numberIn(0, yearMs)
      .describe('The server terminates a run at this many history events (limit.historyCount.error).')
      .optional(),
    historyWarnBytes: numberIn(0, yearMs)
      .describe("A history of this many bytes is near the limit (the server's limit.historySize.warn).")
      .optional(),
    historyLimitBytes: numberIn(0, yearMs)
      .describe('The server terminates a run at this many bytes of history (limit.historySize.error).')
      .optional(),
  },
  'an object such as {"noWorkerAfterMs": 10000}',
).describe('Diagnosis thresholds overriding the defaults.') satisfies z.ZodType<Partial<DiagnosisPolicy>>;

/** What a recipe may do when the gate cannot give a verdict. */
const REPLAY_UNKNOWN_CHOICES = ['ask', 'keep-old-worker', 'restart-anyway'] as const;

const REPLAY_BREAK_CHOICES = [
  'ask',
  'keep-old-worker',
  'restart-anyway',
  'restart-and-terminate',
  'restart-and-reset',
] as const;

/** What to do when open histories do not replay against the new code (the replay gate). */
export const replayGateSchema = strict(
  {
    onBreak: oneOf(REPLAY_BREAK_CHOICES)
      .describe(
        'When a history breaks on the new code: ask for approval, keep the old worker, or restart (and terminate or reset the broken runs).',
      )
      .optional(),
    onUnknown: oneOf(REPLAY_UNKNOWN_CHOICES)
      .describe(
        'When the gate cannot run (its hook did not load, the replay crashed or timed out): ask for approval, keep the old worker, or restart without a prediction (default ask).',
      )
      .optional(),
    max: numberIn(1, 1000, { integer: true })
      .default(DEFAULTS.replayMax)
      .describe(`Replay at most this many open histories (default ${DEFAULTS.replayMax}).`),
    approvalTimeoutSeconds: numberIn(1, 7 * 86_400)
      .describe('With onBreak "ask": seconds to wait for the approve update.')
      .optional(),
  },
  'an object such as {"onBreak": "ask"}',
).describe('Replay open histories against the new code before restarting the worker.');

export type ReplayGate = z.output<typeof replayGateSchema>;

/** Checks a result rule given on its own (a CLI flag); problems are named under `field`. */
export function parseResultRule(
  raw: unknown,
  field = 'resultRule',
): { input?: z.output<typeof resultRuleSchema>; problems: InputProblem[] } {
  return parseWith(resultRuleSchema, raw, field);
}

/** Checks a diagnosis policy given on its own (a CLI flag); problems are named under `field`. */
export function parsePolicy(
  raw: unknown,
  field = 'policy',
): { input?: z.output<typeof policySchema>; problems: InputProblem[] } {
  return parseWith(policySchema, raw, field);
}
