// Project keys: the safe file-name strings that name a project's pid files, locks and logs.
import { sanitizeProjectName } from '../config.js';
import { InvalidInputError } from '../errors.js';

export const KEY_FORMAT =
  'a project key (letters, digits, ".", "-", "_"; not starting with "." or "_"; at most 100)';

/** True when `name` is already its own sanitised form, so using it as a file name changes nothing. */
export function isProjectKey(name: string): boolean {
  return name !== '' && sanitizeProjectName(name) === name;
}

/** Returns `name` when it is a valid key; throws InvalidInputError naming `field` otherwise (`../../etc` is not `etc`). */
export function assertProjectKey(name: string, field = 'project'): string {
  if (!isProjectKey(name)) throw new InvalidInputError(field, name, KEY_FORMAT);
  return name;
}
