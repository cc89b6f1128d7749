// Checking that a command can be started before we try: the executable exists and is runnable.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { parseCommand } from './command.js';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where the command's program resolves, or undefined when it cannot be found. */
export function resolveExecutable(
  file: string,
  cwd: string,
  pathEnv: string | undefined,
): string | undefined {
  if (file.includes('/')) {
    const path = isAbsolute(file) ? file : resolve(cwd, file);
    return isExecutable(path) ? path : undefined;
  }
  for (const dir of (pathEnv ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, file);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Throws InvalidInputError naming `field` when the command's program is not found. */
export function assertRunnable(
  command: string,
  field: string,
  cwd: string,
  pathEnv: string | undefined,
): string {
  const parsed = parseCommand(command, field);
  const program = parsed.shell ? (parsed.file.trim().split(/\s+/)[0] ?? '') : parsed.file;
  if (parsed.shell && /^[A-Za-z_][A-Za-z0-9_]*=/.test(program)) return program; // env prefix: let the shell judge
  const found = resolveExecutable(program, cwd, pathEnv);
  if (!found)
    throw new InvalidInputError(
      field,
      command,
      `a command whose program "${program}" exists and is executable`,
    );
  return found;
}

/** Throws InvalidInputError when `dir` is not an existing directory. */
export function assertDirectory(dir: string, field: string): void {
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidInputError(field, dir, 'an existing directory');
}
