import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { loadConnectTarget } from '../../src/temporal/connection.js';

const saved = { ...process.env };

afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('loadConnectTarget', () => {
  it('reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE like the Temporal CLI', () => {
    process.env.TEMPORAL_ADDRESS = 'temporal.internal:7233';
    process.env.TEMPORAL_NAMESPACE = 'payments';
    process.env.TEMPORAL_CONFIG_FILE = '/nonexistent/temporal.toml';
    const target = loadConnectTarget();
    assert.equal(target.address, 'temporal.internal:7233');
    assert.equal(target.namespace, 'payments');
  });

  it('reads a temporal.toml profile with an API key and TLS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envconfig-'));
    const file = join(dir, 'temporal.toml');
    await writeFile(
      file,
      '[profile.cloud]\naddress = "ns.acct.tmprl.cloud:7233"\nnamespace = "ns.acct"\napi_key = "secret"\n',
    );
    delete process.env.TEMPORAL_ADDRESS;
    delete process.env.TEMPORAL_NAMESPACE;
    process.env.TEMPORAL_CONFIG_FILE = file;
    process.env.TEMPORAL_PROFILE = 'cloud';
    const target = loadConnectTarget();
    assert.equal(target.address, 'ns.acct.tmprl.cloud:7233');
    assert.equal(target.namespace, 'ns.acct');
    assert.equal(target.connectionOptions.apiKey, 'secret');
    assert.ok(target.connectionOptions.tls, 'an API key turns TLS on');
  });

  it('lets explicit values override the environment', () => {
    process.env.TEMPORAL_ADDRESS = 'elsewhere:7233';
    const target = loadConnectTarget({ address: '127.0.0.1:9999', namespace: 'x' });
    assert.equal(target.address, '127.0.0.1:9999');
    assert.equal(target.connectionOptions.address, '127.0.0.1:9999');
  });

  it('takes the Codec Server from the profile, the environment over it, and a flag over both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envconfig-'));
    const file = join(dir, 'temporal.toml');
    await writeFile(
      file,
      '[profile.sealed]\naddress = "127.0.0.1:7233"\n[profile.sealed.codec]\nendpoint = "https://codec.internal/{namespace}"\nauth = "Bearer a"\n',
    );
    const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'sealed' };
    assert.deepEqual(loadConnectTarget({ env }).codec, {
      endpoint: 'https://codec.internal/{namespace}',
      auth: 'Bearer a',
    });
    assert.deepEqual(loadConnectTarget({ env: { ...env, TEMPORAL_CODEC_AUTH: 'Bearer b' } }).codec, {
      endpoint: 'https://codec.internal/{namespace}',
      auth: 'Bearer b',
    });
    assert.deepEqual(loadConnectTarget({ env, codecEndpoint: 'http://127.0.0.1:8081' }).codec, {
      endpoint: 'http://127.0.0.1:8081',
      auth: 'Bearer a',
    });
    assert.equal(
      loadConnectTarget({ env: { TEMPORAL_CONFIG_FILE: '/nonexistent/t.toml' } }).codec,
      undefined,
    );
    assert.throws(
      () => loadConnectTarget({ env, codecEndpoint: 'codec.internal' }),
      /codec endpoint.*not an http\(s\) URL/,
    );
  });
});
