// The CLI run in this process, on a harness's settings and client: for tests of what it prints.
import { runCli } from '../../src/cli/run-cli.js';
import { testTarget, type Harness } from './harness.js';

/** Runs the CLI in-process on `h`'s settings; its exit code and what it printed. */
export async function cliIn(
  h: Harness,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const printed = { out: '', err: '' };
  const code = await runCli(argv, {
    env: { USER: 'cli-user' },
    sink: { stdout: (t) => (printed.out += t), stderr: (t) => (printed.err += t) },
    context: {
      settings: h.settings,
      target: testTarget(),
      cwd: process.cwd(),
      client: () => Promise.resolve(h.client),
    },
  });
  return { code, ...printed };
}
