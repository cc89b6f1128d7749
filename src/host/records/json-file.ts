// Small JSON files of the state dir: read against a schema (errors name the file and field),
// written atomically so a reader or a kill -9 never sees half a file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nanoid } from 'nanoid';
import type { z } from 'zod';
import { InvalidInputError } from '../../errors.js';

/** The file parsed by `schema`; `fallback` when it does not exist. Throws InvalidInputError naming `path.field`. */
export async function readJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
  fallback: z.infer<S>,
  expected: string,
): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidInputError(path, text.slice(0, 80), `JSON: ${expected}`);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [path, ...(issue?.path ?? []).map(String)].join('.');
  throw new InvalidInputError(field, raw, `${expected} (${issue?.message ?? 'invalid'})`);
}

/** Writes `value` as JSON via a temporary file and rename. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${nanoid(8)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}
