// How a warm replay process starts the Python a check's hook ran in: the hook splits that Python's
// arguments into options and what it ran, the launch it records is checked before it is used, and
// the recorded environment is armed again for another spec and gate.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { venvPython } from '../../src/host/projects/example.js';
import { rehookEnv } from '../../src/host/replay/hook-command.js';
import { takeLaunch } from '../../src/host/replay/python-launch.js';

const hookDir = join(packageRoot, 'src', 'host', 'replay', 'python');

/** The hook's own split of an interpreter's arguments (after argv[0]). */
async function targetOf(words: string[]): Promise<unknown> {
  const code = 'import json, sys, temporal_ops_replay as r; print(json.dumps(r._target_of(sys.argv[1:])))';
  const { stdout } = await execa(venvPython, ['-c', code, ...words], { env: { PYTHONPATH: hookDir } });
  return JSON.parse(stdout);
}

describe("the hook's split of its Python's arguments", () => {
  const cases: [string[], unknown][] = [
    [
      ['-m', 'app.worker', '--queue', 'q'],
      [[], { kind: 'module', value: 'app.worker', args: ['--queue', 'q'] }],
    ],
    [
      ['-u', '-X', 'dev', '-mapp.worker'],
      [['-u', '-X', 'dev'], { kind: 'module', value: 'app.worker', args: [] }],
    ],
    [
      ['-Wignore', 'worker.py', '-m', 'x'],
      [['-Wignore'], { kind: 'script', value: 'worker.py', args: ['-m', 'x'] }],
    ],
    [
      ['-c', 'print(1)', 'a'],
      [[], { kind: 'code', value: 'print(1)', args: ['a'] }],
    ],
    [
      ['--', '-odd.py'],
      [[], { kind: 'script', value: '-odd.py', args: [] }],
    ],
    [['-'], [[], null]],
    [
      ['-um', 'app'],
      [[], null],
    ],
    [['--version'], [[], null]],
    [[], [[], null]],
  ];
  for (const [words, expected] of cases)
    it(`${JSON.stringify(words)} -> ${JSON.stringify(expected)}`, async () => {
      assert.deepEqual(await targetOf(words), expected);
    });
});

describe('takeLaunch', () => {
  const good = {
    executable: '/usr/bin/python3',
    options: ['-u', '-X', 'dev'],
    target: { kind: 'module', value: 'app.worker', args: [] },
    cwd: '/srv/app',
    env: { PATH: '/usr/bin' },
  };
  const recorded = async (launch: unknown) => {
    const path = join(await mkdtemp(join(tmpdir(), 'launch-')), 'launch.json');
    await writeFile(path, typeof launch === 'string' ? launch : JSON.stringify(launch));
    return path;
  };

  it('takes a well-formed launch, once', async () => {
    const path = await recorded(good);
    assert.deepEqual(await takeLaunch(path), good);
    assert.equal(await takeLaunch(path), undefined, 'the file is gone');
  });

  const refused: [string, unknown][] = [
    ['a program hidden among the options', { ...good, options: ['-c', 'import os'] }],
    ['a program folded into a cluster', { ...good, options: ['-um'] }],
    ['a word that is no option', { ...good, options: ['worker.py'] }],
    ['a relative interpreter', { ...good, executable: 'python' }],
    ['nothing to run', { ...good, target: null }],
    ['an environment that is not strings', { ...good, env: { A: 1 } }],
    ['no JSON', '{"executable": '],
  ];
  for (const [what, launch] of refused)
    it(`refuses ${what}`, async () => {
      assert.equal(await takeLaunch(await recorded(launch)), undefined);
    });
});

describe('rehookEnv', () => {
  const recorded = {
    PATH: '/usr/bin',
    PYTHONPATH: `${hookDir}:/srv/app`,
    TEMPORAL_ADDRESS: '127.0.0.1:4001',
    MY_URL: 'http://127.0.0.1:4001/x',
    TEMPORAL_OPS_REPLAY: '/old/spec.json',
    TEMPORAL_OPS_REPLAY_WAIT: '/old/ready.jsonl',
    TEMPORAL_OPS_SPAWN_TOKEN: 'old-token',
  };
  const env = rehookEnv(recorded, {
    hookDir,
    specPath: '/new/spec.json',
    gateAddress: '127.0.0.1:4002',
    configFilePath: '/new/temporal.toml',
  });

  it('names the new spec, gate and config file wherever the old gate was', () => {
    assert.equal(env.TEMPORAL_OPS_REPLAY, '/new/spec.json');
    assert.equal(env.TEMPORAL_ADDRESS, '127.0.0.1:4002');
    assert.equal(env.MY_URL, 'http://127.0.0.1:4002/x');
    assert.equal(env.TEMPORAL_CONFIG_FILE, '/new/temporal.toml');
  });

  it('puts the hook on PYTHONPATH once, and drops the old wait and spawn token', () => {
    assert.equal(env.PYTHONPATH, `${hookDir}:/srv/app`);
    assert.equal(env.TEMPORAL_OPS_REPLAY_WAIT, undefined);
    assert.equal(env.TEMPORAL_OPS_SPAWN_TOKEN, undefined);
    assert.equal(env.PATH, '/usr/bin');
  });
});
