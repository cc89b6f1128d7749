// The Temporal CLI's global flags: argv -> flags on every command, flag > env > profile through the
// one resolution (envconfig), -o / --json / --time-format / --color -> the output, and completion.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { completionScript } from '../../src/cli/completion.js';
import { connectOptions, outputStyle, type GlobalFlags } from '../../src/cli/global-flags.js';
import { formatFinding } from '../../src/cli/commands/workflows-format.js';
import { createOutput, formatTime } from '../../src/cli/output.js';
import type { Finding } from '../../src/contract/verdicts.js';
import { buildProgram, type Call } from '../../src/cli/program.js';
import { runCli } from '../../src/cli/run-cli.js';
import { ConnectConfigError } from '../../src/errors.js';
import { loadConnectTarget } from '../../src/temporal/connection.js';

const where = { cwd: tmpdir(), env: {} };

async function parse(argv: string[]): Promise<{ code: number; call?: Call; err: string }> {
  let call: Call | undefined;
  let err = '';
  const code = await runCli(argv, {
    ...where,
    sink: { stdout: () => undefined, stderr: (t) => (err += t) },
    invoke: async (c) => {
      call = c;
    },
  });
  return { code, call, err };
}

describe('global flags on every command', () => {
  const table: [string[], string, GlobalFlags][] = [
    [
      ['workflows', 'recent', '--address', 'a:1', '-n', 'ns', '-o', 'jsonl'],
      'workflows recent',
      { address: 'a:1', namespace: 'ns', output: 'jsonl' },
    ],
    [
      ['--address', 'a:1', '--namespace', 'ns', 'worker', 'list', '--time-format', 'iso'],
      'worker list',
      { address: 'a:1', namespace: 'ns', timeFormat: 'iso' },
    ],
    [
      ['run', 'clean-start', '--api-key', 'k', '--tls', '--tls-ca-path', '/ca.pem', '--tls-server-name', 's'],
      'run clean-start',
      { apiKey: 'k', tls: true, tlsCaPath: '/ca.pem', tlsServerName: 's' },
    ],
    [
      ['--tls-cert-path', '/c.pem', '--tls-key-path', '/k.pem', 'workflows', 'stalled'],
      'workflows stalled',
      { tlsCertPath: '/c.pem', tlsKeyPath: '/k.pem' },
    ],
    [
      ['serve', '--profile', 'cloud', '--config-file', '/t.toml', '--log-level', 'warn'],
      'serve',
      { profile: 'cloud', configFile: '/t.toml', logLevel: 'warn' },
    ],
    [
      ['workflows', 'wait', '-w', 'x', '--command-timeout', '1m30s', '--color', 'never'],
      'workflows wait',
      { commandTimeout: 90_000, color: 'never' },
    ],
    [
      ['schedule', 'stall-sweep', '--tls-disable-host-verification'],
      'schedule stall-sweep',
      { tlsDisableHostVerification: true },
    ],
  ];
  for (const [argv, path, globals] of table)
    it(`temporal-ops ${argv.join(' ')}`, async () => {
      const { code, call, err } = await parse(argv);
      assert.equal(code, 0, err);
      assert.equal(call?.path, path);
      assert.deepEqual({ ...call?.globals }, globals);
    });

  it('--json stays an alias of -o json, and -o wins when both are given', () => {
    const tty = { isTTY: false, env: {} };
    assert.equal(outputStyle({}, true, tty).format, 'json');
    assert.equal(outputStyle({ output: 'json' }, false, tty).format, 'json');
    assert.equal(outputStyle({ output: 'jsonl' }, true, tty).format, 'jsonl');
    assert.equal(outputStyle({}, false, tty).format, 'text');
  });

  it('--color: auto colours a terminal without NO_COLOR only; always and never are absolute', () => {
    assert.equal(outputStyle({}, false, { isTTY: true, env: {} }).color, true);
    assert.equal(outputStyle({}, false, { isTTY: true, env: { NO_COLOR: '1' } }).color, false);
    assert.equal(outputStyle({}, false, { isTTY: false, env: {} }).color, false);
    assert.equal(outputStyle({ color: 'always' }, false, { isTTY: false, env: {} }).color, true);
    assert.equal(outputStyle({ color: 'never' }, false, { isTTY: true, env: {} }).color, false);
  });
});

describe('connection precedence: flag > environment > profile', () => {
  async function profileFile(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'flags-'));
    const file = join(dir, 'temporal.toml');
    await writeFile(
      file,
      [
        '[profile.default]',
        'address = "profile-default:7233"',
        'namespace = "from-default-profile"',
        '[profile.cloud]',
        'address = "profile-cloud:7233"',
        'namespace = "from-cloud-profile"',
        'api_key = "profile-key"',
        '',
      ].join('\n'),
    );
    return file;
  }
  const target = (flags: GlobalFlags, env: NodeJS.ProcessEnv) =>
    loadConnectTarget(connectOptions(flags, env));

  it('the profile alone, then the environment over it, then the flag over both', async () => {
    const file = await profileFile();
    const env = { TEMPORAL_CONFIG_FILE: file };
    assert.equal(target({}, env).address, 'profile-default:7233');
    assert.equal(target({}, { ...env, TEMPORAL_ADDRESS: 'env:7233' }).address, 'env:7233');
    const both = target(
      { address: 'flag:7233', namespace: 'flag-ns' },
      { ...env, TEMPORAL_ADDRESS: 'env:7233', TEMPORAL_NAMESPACE: 'env-ns' },
    );
    assert.equal(both.address, 'flag:7233');
    assert.equal(both.connectionOptions.address, 'flag:7233');
    assert.equal(both.namespace, 'flag-ns');
  });

  it('--profile wins over TEMPORAL_PROFILE, --config-file over TEMPORAL_CONFIG_FILE', async () => {
    const file = await profileFile();
    const env = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', TEMPORAL_PROFILE: 'missing' };
    const cloud = target({ profile: 'cloud', configFile: file }, env);
    assert.equal(cloud.address, 'profile-cloud:7233');
    assert.equal(cloud.namespace, 'from-cloud-profile');
    assert.equal(cloud.connectionOptions.apiKey, 'profile-key');
    assert.ok(cloud.connectionOptions.tls, 'an API key turns TLS on');
    const key = target(
      { profile: 'cloud', configFile: file, apiKey: 'flag-key' },
      { TEMPORAL_API_KEY: 'env-key' },
    );
    assert.equal(key.connectionOptions.apiKey, 'flag-key');
  });

  it('--tls and the --tls-* paths become the TLS options; a --tls-* path alone turns TLS on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tls-'));
    const [ca, cert, key] = ['ca.pem', 'cert.pem', 'key.pem'].map((name) => join(dir, name));
    for (const file of [ca!, cert!, key!]) await writeFile(file, `contents of ${file}`);
    const env = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };
    assert.equal(target({}, env).connectionOptions.tls, undefined);
    assert.ok(target({ tls: true }, env).connectionOptions.tls);
    const tls = target({ tlsCaPath: ca, tlsCertPath: cert, tlsKeyPath: key, tlsServerName: 'srv' }, env)
      .connectionOptions.tls;
    assert.ok(tls && typeof tls === 'object');
    assert.equal(tls.serverNameOverride, 'srv');
    assert.equal(Buffer.from(tls.serverRootCACertificate ?? []).toString(), `contents of ${ca}`);
    assert.equal(Buffer.from(tls.clientCertPair?.crt ?? []).toString(), `contents of ${cert}`);
    assert.equal(Buffer.from(tls.clientCertPair?.key ?? []).toString(), `contents of ${key}`);
  });

  it('a missing profile, an unreadable file or --tls-disable-host-verification is a ConnectConfigError', async () => {
    const file = await profileFile();
    const env = { TEMPORAL_CONFIG_FILE: file };
    assert.throws(() => target({ profile: 'nope' }, env), ConnectConfigError);
    assert.throws(() => target({ tlsCaPath: '/nonexistent/ca.pem' }, env), ConnectConfigError);
    assert.throws(() => target({ tlsDisableHostVerification: true }, env), ConnectConfigError);
    assert.throws(
      () => target({}, { ...env, TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }),
      ConnectConfigError,
    );
  });

  it('bad connection settings exit 2 naming the setting, before anything connects', async () => {
    let err = '';
    const code = await runCli(
      ['workflows', 'recent', '--profile', 'nope', '--config-file', '/nonexistent/t.toml'],
      {
        ...where,
        sink: { stdout: () => undefined, stderr: (t) => (err += t) },
      },
    );
    assert.equal(code, 2);
    assert.match(err, /connection settings \(profile nope\)/);
  });
});

describe('output: -o jsonl and --time-format', () => {
  it('jsonl prints a list one item per line and any other result on one line', () => {
    let out = '';
    const output = createOutput(
      { stdout: (t) => (out += t), stderr: () => undefined },
      {
        format: 'jsonl',
        timeFormat: 'iso',
        color: false,
      },
    );
    output.result([{ a: 1 }, { b: [2, 3] }], () => 'text');
    output.result({ c: true }, () => 'text');
    assert.equal(out, '{"a":1}\n{"b":[2,3]}\n{"c":true}\n');
  });

  it('relative, iso and raw times as the Temporal CLI prints them', () => {
    const ms = Date.UTC(2026, 11, 4, 20, 9, 19, 123);
    const table: [number, 'relative' | 'iso' | 'raw', string][] = [
      [ms + 4000, 'relative', '4 seconds ago'],
      [ms + 60_000, 'relative', '1 minute ago'],
      [ms + 3 * 3_600_000, 'relative', '3 hours ago'],
      [ms + 2 * 86_400_000, 'relative', '2 days ago'],
      [ms - 120_000, 'relative', 'in 2 minutes'],
      [ms, 'iso', '2026-12-04T20:09:19.123Z'],
      [ms, 'raw', '2026-12-04 20:09:19.123 +0000 UTC'],
    ];
    for (const [now, format, text] of table)
      assert.equal(formatTime(ms, format, now), text, `${format} at ${now}`);
    assert.equal(formatTime(undefined, 'iso', ms), '-');
  });
});

describe('--color on findings', () => {
  const finding = {
    workflowId: 'w',
    runId: 'r',
    workflowType: 'T',
    taskQueue: 'q',
    verdict: 'no-worker',
    stalled: true,
    confidence: 'high',
    evidence: { summary: 'nobody polls q' },
    remedy: { action: 'start-worker', text: 'start a worker' },
  } as unknown as Finding;

  it('marks STALLED red only when colour is on', () => {
    assert.match(formatFinding(finding, true), /^\x1b\[31mSTALLED/);
    assert.doesNotMatch(formatFinding(finding, false), /\x1b/);
  });
});

describe('shell completion from the command tree', () => {
  const program = buildProgram(() => Promise.reject(new Error('never run')), where);

  /** What bash completes for `words` (the last one being completed) with the generated script loaded. */
  async function bashCompletes(words: string[]): Promise<string[]> {
    const dir = await mkdtemp(join(tmpdir(), 'completion-'));
    const script = join(dir, 'temporal-ops.bash');
    await writeFile(script, completionScript('bash', program));
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const { stdout } = await execa('bash', [
      '-c',
      `source ${script}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _temporal_ops; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ]);
    return stdout.split('\n').filter(Boolean);
  }

  it('bash: loads, completes subcommands, their flags, global flags anywhere and flag values', async () => {
    assert.deepEqual(await bashCompletes(['temporal-ops', 'wor']), ['worker', 'workflows']);
    assert.deepEqual(await bashCompletes(['temporal-ops', '-n', 'ns', 'workflows', 'st']), ['stalled']);
    assert.deepEqual(await bashCompletes(['temporal-ops', 'workflows', 'stalled', '--explain']), [
      '--explain-waits',
    ]);
    assert.deepEqual(await bashCompletes(['temporal-ops', 'worker', 'list', '--addr']), ['--address']);
    assert.deepEqual(await bashCompletes(['temporal-ops', 'workflows', 'recent', '-o', '']), [
      'text',
      'json',
      'jsonl',
    ]);
    // A flag's value is not read as a command: `--project worker` stays in `worker logs`.
    assert.deepEqual(await bashCompletes(['temporal-ops', 'worker', 'logs', '--project', 'worker', '--li']), [
      '--lines',
    ]);
  });

  it('zsh and fish scripts name every command path and the global flags', () => {
    const zsh = completionScript('zsh', program);
    const fish = completionScript('fish', program);
    assert.match(zsh, /^#compdef temporal-ops\n/);
    assert.match(zsh, /bashcompinit/);
    assert.match(fish, /complete -c temporal-ops -f -a '\(__temporal_ops_complete\)'/);
    for (const path of [
      'worker',
      'workflows',
      'run',
      'project',
      'schedule',
      'workflows stalled',
      'run clean-start',
    ]) {
      assert.ok(zsh.includes(`'${path}')`), `zsh: ${path}`);
      assert.ok(fish.includes(`case '${path}'`), `fish: ${path}`);
    }
    for (const flag of ['--address', '--namespace', '-n', '--api-key', '--output', '--command-timeout'])
      assert.ok(fish.includes(` ${flag} `) || fish.includes(` ${flag}\n`), `fish: ${flag}`);
  });
});
