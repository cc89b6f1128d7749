// Which input env a request may set, and what launched processes inherit, as pure tables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inheritedEnv, refusedEnv } from '../../src/host/projects/env-policy.js';

describe('input env allow-list', () => {
  const refused: [string, Record<string, string>, string][] = [
    ['LD_PRELOAD', { LD_PRELOAD: '/x.so' }, 'envDenied'],
    ['DYLD_INSERT_LIBRARIES', { DYLD_INSERT_LIBRARIES: '/x' }, 'envDenied'],
    ['PYTHONPATH', { PYTHONPATH: '/tmp' }, 'envDenied'],
    ['PYTHONWARNINGS', { PYTHONWARNINGS: 'ignore::antigravity.X' }, 'envDenied'],
    ['PYTHON (a wrapper runs $PYTHON)', { PYTHON: '/tmp/evil' }, 'envDenied'],
    ['PERL5OPT', { PERL5OPT: '-e1' }, 'envDenied'],
    ['BASH_ENV', { BASH_ENV: '/tmp/x' }, 'envDenied'],
    ['ENV', { ENV: '/tmp/x' }, 'envDenied'],
    ['NODE_OPTIONS', { NODE_OPTIONS: '--require x' }, 'envDenied'],
    ['BROWSER', { BROWSER: 'sh -c x' }, 'envDenied'],
    ['GIT_SSH_COMMAND', { GIT_SSH_COMMAND: 'x' }, 'envDenied'],
    ['PATH', { PATH: '/tmp' }, 'envDenied'],
    ['HOME', { HOME: '/tmp' }, 'envDenied'],
    ['UV_INDEX_URL', { UV_INDEX_URL: 'http://evil' }, 'envDenied'],
    ['MAKEFILES', { MAKEFILES: '/tmp/x.mk' }, 'envDenied'],
    ['OPENSSL_CONF', { OPENSSL_CONF: '/tmp/x' }, 'envDenied'],
    ['TEMPORAL_OPS_SPAWN_TOKEN', { TEMPORAL_OPS_SPAWN_TOKEN: 'x' }, 'envDenied'],
    ['a lower-case name', { ld_preload: '/x.so' }, 'envName'],
    ['a name with a dash', { 'A-B': 'x' }, 'envName'],
  ];
  for (const [what, env, rule] of refused) {
    it(`refuses ${what} (${rule})`, () => {
      const refusal = refusedEnv({ LOG_LEVEL: 'debug', ...env }, []);
      assert.equal(refusal?.rule, rule);
      assert.equal(refusal?.name, Object.keys(env)[0]);
    });
  }

  it('allows plain names, and the few hook-family names that only make a tool do less', () => {
    const env = { LOG_LEVEL: 'debug', FIXTURE_CODE_VERSION: '2', PYTHONUNBUFFERED: '1', UV_OFFLINE: '1' };
    assert.equal(refusedEnv(env, []), undefined);
  });

  it('lets a registration or the policy file widen the list by name or prefix', () => {
    assert.equal(refusedEnv({ PYTHONPATH: '/app' }, ['PYTHONPATH']), undefined);
    assert.equal(refusedEnv({ GIT_DIR: '.git' }, ['GIT_*']), undefined);
    assert.equal(refusedEnv({ GIT_DIR: '.git' }, ['PYTHONPATH'])?.name, 'GIT_DIR');
  });
});

describe('inherited environment', () => {
  it('drops connection secrets and our bookkeeping, keeps the rest, and passes named secrets', () => {
    const source = {
      PATH: '/usr/bin',
      HOME: '/root',
      TEMPORAL_ADDRESS: 'x:7233',
      TEMPORAL_API_KEY: 'k',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem',
      TEMPORAL_GRPC_META_AUTHORIZATION: 'Bearer k',
      TEMPORAL_OPS_STATE_DIR: '/state',
      UNSET: undefined,
    };
    assert.deepEqual(inheritedEnv(source), { PATH: '/usr/bin', HOME: '/root', TEMPORAL_ADDRESS: 'x:7233' });
    assert.equal(inheritedEnv(source, ['TEMPORAL_API_KEY']).TEMPORAL_API_KEY, 'k');
  });
});
