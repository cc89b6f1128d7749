// The replay process's command and environment: the hook directory merged into a PYTHONPATH the
// command sets itself, argv that survive the command parser, and every connection setting at the gate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { parseCommand } from '../../src/host/projects/command.js';
import { gateConfigFile, hookEnv, hookedArgv, launchOf } from '../../src/host/replay/hook-command.js';

const HOOK = '/opt/temporal-ops/src/host/replay/python';

describe('hookedArgv', () => {
  const cases: [string, string[]][] = [
    ['uv run worker', ['uv', 'run', 'worker']],
    ['python -m pkg.worker', ['python', '-m', 'pkg.worker']],
    [
      'env PYTHONPATH=/app python -m app.worker',
      ['env', `PYTHONPATH=${HOOK}:/app`, 'python', '-m', 'app.worker'],
    ],
    [
      'env -u DEBUG LOG_LEVEL=info PYTHONPATH=/app:/lib python -m app.worker PYTHONPATH=arg',
      [
        'env',
        '-u',
        'DEBUG',
        'LOG_LEVEL=info',
        `PYTHONPATH=${HOOK}:/app:/lib`,
        'python',
        '-m',
        'app.worker',
        'PYTHONPATH=arg',
      ],
    ],
    ['/usr/bin/env PYTHONPATH= python w.py', ['/usr/bin/env', `PYTHONPATH=${HOOK}:`, 'python', 'w.py']],
    ['python worker.py PYTHONPATH=/x', ['python', 'worker.py', 'PYTHONPATH=/x']],
    [
      'PYTHONPATH=$PWD/src python -m pkg.worker',
      ['/bin/sh', '-c', `PYTHONPATH=${HOOK}:$PWD/src python -m pkg.worker`],
    ],
    [
      'cd app && export PYTHONPATH="$PWD" && exec python -m app.worker',
      ['/bin/sh', '-c', `cd app && export PYTHONPATH=${HOOK}:"$PWD" && exec python -m app.worker`],
    ],
    ['MYPYTHONPATH=x; python w.py', ['/bin/sh', '-c', 'MYPYTHONPATH=x; python w.py']],
  ];
  for (const [command, argv] of cases)
    it(`${command} -> ${JSON.stringify(argv)}`, () => {
      assert.deepEqual(hookedArgv(command, HOOK), argv);
    });

  it('quotes a hook directory with spaces for the shell', () => {
    assert.deepEqual(hookedArgv('PYTHONPATH=src python -m w; true', '/my dir/hook'), [
      '/bin/sh',
      '-c',
      "PYTHONPATH='/my dir/hook':src python -m w; true",
    ]);
  });
});

describe('launchOf', () => {
  const argvs: string[][] = [
    ['unshare', '--net', '--', '/bin/sh', '-c', 'cd x && PYTHONPATH=/h:"$PWD" python -m w | cat'],
    ['env', 'A=b c', '', '"', '$HOME', '*', '~', 'a;b'],
  ];
  for (const argv of argvs)
    it(`spells ${JSON.stringify(argv)} as a command that parses back to it, never as shell syntax`, () => {
      const launch = launchOf(argv);
      const parsed = parseCommand(launch.command);
      assert.equal(parsed.shell, false);
      assert.deepEqual([parsed.file, ...parsed.args], argv);
      assert.deepEqual(launch.env, {});
    });

  it('passes an argv with a single quote through the environment, for sh to exec', async () => {
    const argv = ['printf', '%s|', "it's", `a'b"c`, "'", '$HOME', ''];
    const launch = launchOf(argv);
    const parsed = parseCommand(launch.command);
    assert.equal(parsed.shell, false);
    const run = await execa(parsed.file, parsed.args, { env: launch.env });
    assert.equal(run.stdout, `it's|a'b"c|'|$HOME||`);
  });

  it('leaves plain words bare', () => {
    assert.equal(launchOf(['make', 'worker']).command, 'make worker');
  });
});

describe('hookEnv', () => {
  const base = {
    hookDir: HOOK,
    specPath: '/state/replay/check-1/spec.json',
    gateAddress: '127.0.0.1:40001',
    configFilePath: '/state/replay/check-1/temporal.toml',
  };

  it('points every connection setting at the gate and arms the hook', () => {
    const env = hookEnv({
      ...base,
      env: {
        TEMPORAL_ADDRESS: 'prod.example:7233',
        TEMPORAL_NAMESPACE: 'orders',
        TEMPORAL_TASK_QUEUE: 'orders',
        ORDERS_SERVER: 'grpc://prod.example:7233/x',
        PYTHONPATH: '/app',
      },
      inherited: { TEMPORAL_HOST_URL: 'other:7233', TEMPORAL_API_KEY: 'secret', HOME: '/root' },
    });
    assert.equal(env.TEMPORAL_ADDRESS, '127.0.0.1:40001');
    assert.equal(env.TEMPORAL_HOST_URL, '127.0.0.1:40001');
    assert.equal(env.ORDERS_SERVER, 'grpc://127.0.0.1:40001/x');
    assert.equal(env.TEMPORAL_API_KEY, '');
    assert.equal(env.TEMPORAL_CONFIG_FILE, base.configFilePath);
    assert.equal(env.TEMPORAL_NAMESPACE, 'orders');
    assert.equal(env.TEMPORAL_TASK_QUEUE, 'orders');
    assert.equal(env.PYTHONPATH, `${HOOK}:/app`);
    assert.equal(env.TEMPORAL_OPS_REPLAY, base.specPath);
    assert.equal(env.HOME, undefined, 'inherited names are overridden, not copied');
  });

  it('puts the hook alone on PYTHONPATH when nothing sets one', () => {
    assert.equal(hookEnv({ ...base, env: {}, inherited: {} }).PYTHONPATH, HOOK);
  });

  it('names the gate in the profile the process would load', () => {
    assert.equal(
      gateConfigFile('127.0.0.1:40001', 'prod'),
      '[profile."prod"]\naddress = "127.0.0.1:40001"\n',
    );
  });
});
