// Project keys: the safe file-name strings that name a project's pid files, locks and logs.
import { createHash } from 'node:crypto';
import { sanitizeProjectName } from '../../config.js';
import { InvalidInputError } from '../../errors.js';

const KEY_FORMAT =
  'a project key (letters, digits, ".", "-", "_"; not starting with "." or "_"; at most 100)';

/** Returns `name` when it is already its own sanitised form; throws InvalidInputError naming `field` otherwise (`../../etc` is not `etc`). */
export function assertProjectKey(name: string, field = 'project'): string {
  if (name === '' || sanitizeProjectName(name) !== name) throw new InvalidInputError(field, name, KEY_FORMAT);
  return name;
}

/** A key that only `realDir` gets: `name` with a short hash of the path, e.g. `orders-3f9a1c`. */
export function keyForDir(name: string, realDir: string): string {
  const hash = createHash('sha256').update(realDir).digest('hex').slice(0, 6);
  return `${sanitizeProjectName(name).slice(0, 93)}-${hash}`;
}
