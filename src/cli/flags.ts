// Flag parsing shared by the command groups: strict parseArgs with usage errors, KEY=VALUE pairs.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Strict parseArgs; an unknown or malformed flag becomes the caller's usage error. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usageError: (message: string) => Error,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

/** `--env KEY=VALUE` pairs as an object; the value may itself contain '='. */
export function envPairs(
  pairs: string[] | undefined,
  usageError: (message: string) => Error,
): Record<string, string> | undefined {
  if (!pairs) return undefined;
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw usageError(`--env: expected KEY=VALUE, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
