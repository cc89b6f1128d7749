// `temporal-ops --version`: dispatched alone on the line, and the Temporal CLI it names, found as the
// runbook found it (TEMPORAL_CLI, then PATH, then the setup's copy).
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, it } from 'node:test';
import { findTemporalCli, packageRoot } from '../../src/config.js';
import type { Call } from '../../src/cli/program.js';
import { runCli } from '../../src/cli/run-cli.js';

async function parse(argv: string[]) {
  const calls: Call[] = [];
  let out = '';
  const code = await runCli(argv, {
    cwd: packageRoot,
    env: {},
    sink: { stdout: (t) => (out += t), stderr: () => undefined },
    invoke: async (call) => {
      calls.push(call);
    },
  });
  return { code, paths: calls.map((c) => c.path), out };
}

/** A directory holding a file named `temporal`, executable or not. */
async function binDir(executable: boolean): Promise<string> {
  const dir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'temporal-cli-'));
  await writeFile(join(dir, 'temporal'), '#!/bin/sh\n');
  await chmod(join(dir, 'temporal'), executable ? 0o755 : 0o644);
  return dir;
}

describe('--version', () => {
  it('alone on the line runs the version command; the help lists it', async () => {
    assert.deepEqual(await parse(['--version']), { code: 0, paths: ['version'], out: '' });
    assert.deepEqual((await parse(['-V'])).paths, ['version']);
    const help = await parse(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /-V, --version +print the versions of temporal-ops/);
  });

  it('finds the Temporal CLI: TEMPORAL_CLI, else the first executable on PATH, else the setup copy', async () => {
    const [plain, good, later] = await Promise.all([binDir(false), binDir(true), binDir(true)]);
    const empty = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'temporal-cli-'));
    await mkdir(join(empty, 'temporal')); // a directory of that name is no program
    const PATH = [empty, plain, good, later].join(delimiter);
    assert.deepEqual(findTemporalCli({ TEMPORAL_CLI: '/opt/t/temporal', PATH }), {
      path: '/opt/t/temporal',
      source: 'TEMPORAL_CLI',
    });
    assert.deepEqual(findTemporalCli({ PATH }), { path: join(good, 'temporal'), source: 'PATH' });
    assert.deepEqual(findTemporalCli({ PATH: plain }), {
      path: join(packageRoot, '.venv', 'bin', 'temporal'),
      source: 'setup',
    });
  });
});
