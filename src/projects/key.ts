// Project keys: the safe file-name strings that name a project's pid files, locks and logs.
import { sanitizeProjectName } from '../config.js';
import { InvalidInputError } from '../errors.js';

const KEY_FORMAT =
  'a project key (letters, digits, ".", "-", "_"; not starting with "." or "_"; at most 100)';

/** Returns `name` when it is already its own sanitised form; throws InvalidInputError naming `field` otherwise (`../../etc` is not `etc`). */
export function assertProjectKey(name: string, field = 'project'): string {
  if (name === '' || sanitizeProjectName(name) !== name) throw new InvalidInputError(field, name, KEY_FORMAT);
  return name;
}
