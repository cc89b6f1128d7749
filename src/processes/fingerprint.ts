// Code fingerprint of a project: git commit plus a hash of uncommitted changes, so a worker
// started from older code can be told apart from one running the working tree.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
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

/**
 * `<commit>` or `<commit>+<dirty-hash>`, both scoped to the project directory (the last commit
 * that touched it, so a commit elsewhere in a monorepo does not make its workers look stale);
 * `nogit` when the directory is not in a git work tree.
 */
export async function codeFingerprint(dir: string): Promise<string> {
  const git = (args: string[]) => execa('git', args, { cwd: dir, reject: false, timeout: 10_000 });
  const [head, last, diff, untracked] = await Promise.all([
    git(['rev-parse', '--short=12', 'HEAD']),
    git(['log', '-1', '--format=%h', '--abbrev=12', '--', '.']),
    git(['diff', 'HEAD', '--', '.']),
    git(['ls-files', '--others', '--exclude-standard', '-z', '--', '.']),
  ]);
  if (head.exitCode !== 0) return 'nogit';
  const commit = last.exitCode === 0 && last.stdout !== '' ? last.stdout : head.stdout;
  const dirty =
    String(diff.stdout) + (await untrackedState(dir, String(untracked.stdout).split('\0').filter(Boolean)));
  if (dirty === '') return commit;
  return `${commit}+${createHash('sha256').update(dirty).digest('hex').slice(0, 8)}`;
}
