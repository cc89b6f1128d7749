// Field schemas shared by the recipe inputs. Each field carries one `expected` text (every way it
// can be wrong reads the same) and a description that shows in the JSON Schema.
import { z } from 'zod';

/** A strict object: an unknown key is a problem naming the key and listing the known ones. */
export function strict<Shape extends z.ZodRawShape>(shape: Shape, expected = 'an object') {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `no such field (known: ${known})` : expected),
  });
}

/** The top level of a recipe input. */
export function recipeObject<Shape extends z.ZodRawShape>(shape: Shape) {
  return strict(shape, 'one JSON object');
}

/** No control characters (U+0000 to U+001F, U+007F); a regex, so the JSON Schema shows it too. */
const noControlChars = /^[^\u0000-\u001f\u007f]*$/;

/** A string that is not blank, at most `max` characters, optionally without control characters. */
export function text(expected: string, max: number, opts: { controlChars?: boolean } = {}) {
  const schema = z.string({ error: expected }).max(max, { error: expected }).regex(/\S/, { error: expected });
  return opts.controlChars ? schema : schema.regex(noControlChars, { error: expected });
}

/** A finite number in [min, max]; `integer` also refuses fractions. */
export function numberIn(min: number, max: number, opts: { integer?: boolean } = {}) {
  const expected = `${opts.integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  const schema = z.number({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
  return opts.integer ? schema.int({ error: expected }) : schema;
}

/** true or false, nothing else (no "yes", no 1). */
export function flag() {
  return z.boolean({ error: 'true or false' });
}

/** One of a fixed list of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, expected?: string) {
  return z.enum(values, { error: expected ?? `one of ${values.join(', ')}` });
}

/** Temporal refuses task queue names over 1000 characters; a huge one also broke spawn (E2BIG). */
export const taskQueueField = text('a task queue name: 1 to 1000 characters, no control characters', 1000);

export const projectDirField = text('an absolute path', 4096).regex(/^\//, { error: 'an absolute path' });

/** A name that is its own sanitised form (pid and log files are named after it): never rewritten. */
export const projectField = z
  .string({ error: 'a project name: a letter or digit, then up to 99 letters, digits, ".", "_" or "-"' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
    error: 'a project name: a letter or digit, then up to 99 letters, digits, ".", "_" or "-"',
  });

/** A command line; it may contain tabs or newlines for a shell, never a NUL byte. */
export const commandField = text('a non-empty command of at most 8192 characters, no NUL byte', 8192, {
  controlChars: true,
}).regex(/^[^\u0000]*$/, { error: 'a non-empty command of at most 8192 characters, no NUL byte' });

const hostLabel = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const hostExpected = 'a host name such as "build-01" or "db.example.com" (labels of letters, digits and "-")';

/** Process activities go to `<ops queue>@<host>`: the host must be a plausible host name. */
export const hostField = z
  .string({ error: hostExpected })
  .max(253, { error: hostExpected })
  .regex(new RegExp(`^${hostLabel}(?:\\.${hostLabel})*$`), { error: hostExpected })
  .describe('Route the host-bound activities to the control worker of this host (default: this machine).');

const envExpected = 'an object of string values, such as {"LOG_LEVEL": "debug"}';

export const envField = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    z
      .string({ error: 'a string value' })
      .max(32_768, { error: 'a string value of at most 32768 characters' })
      .regex(/^[^\u0000]*$/, { error: 'a string value without a NUL byte' }),
    {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? 'an environment variable name (letters, digits and "_", not starting with a digit)'
          : envExpected,
    },
  )
  .describe('Extra environment for the target worker and starter (string values only).');

export const visibilityQueryField = text('a non-empty visibility query of at most 10000 characters', 10_000);

export const workflowIdField = text('a workflow ID: 1 to 1000 characters, no control characters', 1000);

export const approvalTimeoutField = numberIn(1, 7 * 86_400).describe(
  'Seconds to wait for the approve update before giving up (1 to 604800).',
);
