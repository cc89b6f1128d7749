// A workflow ID pattern from input is an RE2 pattern: it compiles to an automaton matched in time
// linear in the text, never by the backtracking RegExp. Pure, no Node built-ins: the recipe schemas
// check patterns with it inside the workflow bundle.
import { RE2JS, RE2JSException } from 're2js';

/** The longest pattern accepted (the recipe field's limit too). */
export const MAX_PATTERN_LENGTH = 1000;

/** The most RE2 instructions a pattern may compile to; matching costs up to this many steps per character. */
export const MAX_PATTERN_INSTRUCTIONS = 1000;

/** What a pattern must be, in the words of a refusal. */
export const PATTERN_EXPECTED = 'a regular expression in RE2 syntax with a capture group';

/** Why `pattern` cannot pick a workflow ID out of a starter's output (RE2's own words), or undefined when it can. */
export function idPatternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  let compiled: RE2JS;
  try {
    // Without the case-insensitive flag the matcher adds: RE2 would quote it as `(?i)` in its message.
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    if (error instanceof RE2JSException) return error.message;
    throw error;
  }
  if (compiled.groupCount() < 1) return 'no capture group: the first group picks the workflow ID';
  const size = compiled.programSize();
  if (size > MAX_PATTERN_INSTRUCTIONS)
    return `too large: ${size} RE2 instructions, at most ${MAX_PATTERN_INSTRUCTIONS}`;
  return undefined;
}
