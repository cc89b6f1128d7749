// Recipe input checks: a zod schema's issues as problems that name the field path and quote the
// value. Pure, no Node built-ins: imported by workflow code and the CLI alike.
import type { z } from 'zod';

/** One bad field: its dotted path, the value seen (long values shortened), what was expected. */
export interface InputProblem {
  field: string;
  value: unknown;
  expected: string;
}

/** `field: expected X, got V`, with V as JSON (or "nothing" when the field is missing). */
export function describeProblem(p: InputProblem): string {
  const shown = p.value === undefined ? 'nothing' : JSON.stringify(p.value);
  return `${p.field}: expected ${p.expected}, got ${shown}`;
}

/** `start.command`, `interactions[2].signal`; the value itself is `root`. */
function fieldOf(path: readonly PropertyKey[], root: string): string {
  let field = root === 'input' ? '' : root;
  for (const key of path) {
    if (typeof key === 'number') field += `[${key}]`;
    else field += field ? `.${String(key)}` : String(key);
  }
  return field || root;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const previewChars = 60;

/**
 * A value short enough to quote in a failure message and its details: a 1 MiB string must not
 * travel back in the failure that refuses it.
 */
function preview(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length <= 200 ? value : `${value.slice(0, previewChars)}… (${value.length} characters)`;
  }
  const json = value === undefined ? undefined : JSON.stringify(value);
  if (json === undefined || json.length <= 500) return value;
  return `${json.slice(0, previewChars)}… (${json.length} characters of JSON)`;
}

/** One problem per field (the first issue wins); an unknown key is a problem of its own. */
function problemsOf(issues: readonly z.core.$ZodIssue[], raw: unknown, root = 'input'): InputProblem[] {
  const problems: InputProblem[] = [];
  const seen = new Set<string>();
  const add = (path: readonly PropertyKey[], expected: string, value = valueAt(raw, path)) => {
    const field = fieldOf(path, root);
    if (seen.has(field)) return;
    seen.add(field);
    problems.push({ field, value: preview(value), expected });
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key], issue.message);
    } else if (issue.code === 'invalid_key') {
      add(issue.path, issue.message, issue.path[issue.path.length - 1]);
    } else {
      add(issue.path, issue.message);
    }
  }
  return problems;
}

/** Readable text for an issue whose schema set no message of its own. */
function fallbackMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `a value of type ${issue.expected}`;
    case 'too_small':
      return `at least ${String(issue.minimum)}`;
    case 'too_big':
      return `at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return 'a valid value';
  }
}

/**
 * Parses untrusted input with a schema; returns the typed input or every problem found, with
 * field paths under `root` (`input` names the recipe input itself and is left out of paths).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  root = 'input',
): { input?: z.output<S>; problems: InputProblem[] } {
  const result = schema.safeParse(raw, { error: fallbackMessage });
  if (result.success) return { input: result.data, problems: [] };
  return { problems: problemsOf(result.error.issues, raw, root) };
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
