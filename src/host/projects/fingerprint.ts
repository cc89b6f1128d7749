// Code fingerprint of a project: git commit plus a hash of uncommitted changes (outside git: a
// hash of the source files' names, sizes and mtimes), so a worker started from older code can be
// told apart from one running the working tree.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** Names, sizes and mtimes of untracked files: an edit to one changes the fingerprint without reading it. */
async function untrackedState(dir: string, names: string[]): Promise<string> {
  const stats = await Promise.all(
    names.map((name) =>
      stat(join(dir, name)).then(
        (s) => `${name}:${s.size}:${s.mtimeMs}`,
        () => name,
      ),
    ),
  );
  return stats.join('\0');
}

// Directories that hold no source, or that the worker itself writes (bytecode caches).
const skippedDirs = new Set(['node_modules', '__pycache__', 'venv', 'dist', 'build', 'target']);
const maxFiles = 20_000;

/** Names, sizes and mtimes of the files under `dir` (dot entries, caches and `.pyc` left out), sorted. */
async function sourceState(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (found.length >= maxFiles || entry.name.startsWith('.')) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skippedDirs.has(entry.name)) await walk(path);
      } else if (entry.isFile() && !entry.name.endsWith('.pyc')) {
        const s = await stat(join(dir, path)).catch(() => undefined);
        if (s) found.push(`${path}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  await walk('');
  return found;
}

/** `files:<hash>` of the source files' names, sizes and mtimes under `dir`: a fingerprint without git. */
async function sourceFingerprint(dir: string): Promise<string> {
  const state = await sourceState(dir);
  return `files:${createHash('sha256').update(state.join('\0')).digest('hex').slice(0, 12)}`;
}

/**
 * `<commit>` or `<commit>+<dirty-hash>`, both scoped to the project directory (the last commit
 * that touched it, so a commit elsewhere in a monorepo does not make its workers look stale);
 * `files:<hash>` (see sourceFingerprint) when the directory is not in a git work tree.
 */
export async function codeFingerprint(dir: string): Promise<string> {
  const git = (args: string[]) => execa('git', args, { cwd: dir, reject: false, timeout: 10_000 });
  const [head, last, diff, untracked] = await Promise.all([
    git(['rev-parse', '--short=12', 'HEAD']),
    git(['log', '-1', '--format=%h', '--abbrev=12', '--', '.']),
    git(['diff', 'HEAD', '--', '.']),
    git(['ls-files', '--others', '--exclude-standard', '-z', '--', '.']),
  ]);
  if (head.exitCode !== 0) return sourceFingerprint(dir);
  const commit = last.exitCode === 0 && last.stdout !== '' ? last.stdout : head.stdout;
  const dirty =
    String(diff.stdout) + (await untrackedState(dir, String(untracked.stdout).split('\0').filter(Boolean)));
  if (dirty === '') return commit;
  return `${commit}+${createHash('sha256').update(dirty).digest('hex').slice(0, 8)}`;
}
