// Checking that a command can be started before we try: the executable exists and is runnable.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from '../../config.js';
import { InvalidInputError } from '../../errors.js';
import { parseCommand, type ParsedCommand } from './command.js';

/** Where the setup (scripts/setup.mjs) installs its own tools. */
const setupBinDir = join(packageRoot, '.venv', 'bin');

/** Programs the setup installs, found in setupBinDir when PATH lacks them (as users of the runbook have uv). */
const SETUP_PROGRAMS: ReadonlySet<string> = new Set(['uv']);

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

/** Where a program resolves: on PATH (or as a path), else, for a program the setup installs, its own copy. */
export function resolveProgram(
  file: string,
  cwd: string,
  pathEnv: string | undefined,
  setupBin = setupBinDir,
): string | undefined {
  const found = resolveExecutable(file, cwd, pathEnv);
  if (found !== undefined || !SETUP_PROGRAMS.has(file)) return found;
  const own = join(setupBin, file);
  return isExecutable(own) ? own : undefined;
}

/**
 * The command to spawn: a program that PATH lacks but the setup installed is replaced by the setup's
 * copy; anything else is left for the spawn to resolve. A shell command resolves on PATH only.
 */
export function resolveCommand(command: string, cwd: string, pathEnv: string | undefined): ParsedCommand {
  const parsed = parseCommand(command);
  if (parsed.shell || resolveExecutable(parsed.file, cwd, pathEnv) !== undefined) return parsed;
  return { ...parsed, file: resolveProgram(parsed.file, cwd, pathEnv) ?? parsed.file };
}

function notFound(program: string, shell: boolean, pathEnv: string | undefined, setupBin: string): string {
  if (program.includes('/')) return `a command whose program "${program}" exists and is executable`;
  const where = `on PATH (${pathEnv ?? ''})`;
  if (!SETUP_PROGRAMS.has(program))
    return `a command whose program "${program}" exists and is executable ${where}`;
  const own = join(setupBin, program);
  if (shell)
    return `a command whose program "${program}" is ${where}: a shell command cannot use the setup's copy ${own}`;
  return `a command whose program "${program}" is ${where} or at ${own} (installed by \`node scripts/setup.mjs\`)`;
}

/** Throws InvalidInputError naming `field`, and every place looked in, when the command's program is not found. */
export function assertRunnable(
  command: string,
  field: string,
  cwd: string,
  pathEnv: string | undefined,
  setupBin = setupBinDir,
): string {
  const parsed = parseCommand(command, field);
  const program = parsed.shell ? (parsed.file.trim().split(/\s+/)[0] ?? '') : parsed.file;
  if (parsed.shell && /^[A-Za-z_][A-Za-z0-9_]*=/.test(program)) return program; // env prefix: let the shell judge
  const found = parsed.shell
    ? resolveExecutable(program, cwd, pathEnv)
    : resolveProgram(program, cwd, pathEnv, setupBin);
  if (!found) throw new InvalidInputError(field, command, notFound(program, parsed.shell, pathEnv, setupBin));
  return found;
}
