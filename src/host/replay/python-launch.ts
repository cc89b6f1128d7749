// How a check's hook says its Python was started (the interpreter, its options, what it ran, its
// directory and environment), so that a warm replay process can start that Python directly: `ps`
// then shows our warm program, never the project's worker command, and no wrapper (uv, make, a
// shell) runs again. What the wrappers did is in the recorded environment; the files that decide
// what they do are watched (launchFacts), and a change sends the next check back to a cold start.
import { readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseCommand } from '../projects/command.js';

const launchSchema = z.object({
  executable: z.string().refine(isAbsolute, 'an absolute path'),
  options: z.array(z.string()),
  target: z
    .object({
      kind: z.enum(['module', 'script', 'code']),
      value: z.string().min(1),
      args: z.array(z.string()),
    })
    .nullable(),
  cwd: z.string().refine(isAbsolute, 'an absolute path'),
  env: z.record(z.string(), z.string()),
});

/** A Python the hook ran in, as it recorded itself. */
export type PythonLaunch = z.infer<typeof launchSchema> & {
  target: NonNullable<z.infer<typeof launchSchema>['target']>;
};

/** The launch a check's hook recorded at `path` (then removed), if it can be started again. */
export async function takeLaunch(path: string): Promise<PythonLaunch | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  await rm(path, { force: true });
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = launchSchema.safeParse(raw);
  if (!parsed.success || parsed.data.target === null) return undefined;
  if (!optionsOnly(parsed.data.options)) return undefined;
  return parsed.data as PythonLaunch;
}

/** Options that take their value from the next word. */
const WITH_VALUE = new Set(['-W', '-X', '--check-hash-based-pycs']);

/** True when `words` are interpreter options only: no program (-m, -c, a file) hides among them. */
function optionsOnly(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (WITH_VALUE.has(word)) i++;
    else if (!/^-[^-mcWX]*$/.test(word) && !/^-[WX]./.test(word)) return false;
  }
  return true;
}

/** Files whose change can change what a worker command's wrappers do, beside the command's own. */
const WRAPPER_FILES = [
  'pyproject.toml',
  'uv.lock',
  'Makefile',
  'makefile',
  'GNUmakefile',
  'setup.cfg',
  'setup.py',
  '.python-version',
  '.env',
  'requirements.txt',
  'Pipfile',
  'Pipfile.lock',
  'poetry.lock',
  'pdm.lock',
];

/**
 * What must be unchanged for a warm process to stand for a cold start of `command` in `cwd`: the
 * size and change time of the wrappers' files and of every file the command names.
 */
export async function launchFacts(command: string, cwd: string): Promise<string> {
  const parsed = parseCommand(command);
  const words = parsed.shell ? parsed.file.split(/[\s;&|()'"=:]+/) : [parsed.file, ...parsed.args];
  const paths = new Set<string>([
    ...WRAPPER_FILES.map((f) => join(cwd, f)),
    ...words.filter((w) => w.length > 0 && !w.startsWith('-')).map((w) => resolve(cwd, w)),
  ]);
  const facts: string[] = [];
  for (const path of [...paths].sort()) {
    const s = await stat(path).catch(() => undefined);
    if (s?.isFile()) facts.push(`${path}\0${s.size}\0${s.mtimeMs}\0${s.ctimeMs}\0${s.ino}`);
  }
  return facts.join('\n');
}
