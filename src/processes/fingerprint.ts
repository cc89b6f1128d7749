// Code fingerprint of a project: git commit plus a hash of uncommitted changes, so a worker
// started from older code can be told apart from one running the working tree.
import { createHash } from 'node:crypto';
import { execa } from 'execa';

/** `<commit>` or `<commit>+<dirty-hash>`; `nogit` when the directory is not a git work tree. */
export async function codeFingerprint(dir: string): Promise<string> {
  const git = (args: string[]) => execa('git', args, { cwd: dir, reject: false, timeout: 10_000 });
  const head = await git(['rev-parse', '--short=12', 'HEAD']);
  if (head.exitCode !== 0) return 'nogit';
  const [diff, untracked] = await Promise.all([
    git(['diff', 'HEAD', '--', '.']),
    git(['ls-files', '--others', '--exclude-standard', '-z', '--', '.']),
  ]);
  const dirty = String(diff.stdout) + String(untracked.stdout);
  if (dirty === '') return head.stdout;
  return `${head.stdout}+${createHash('sha256').update(dirty).digest('hex').slice(0, 8)}`;
}
