// Loopback by address, not by name: a table of server addresses and what their hosts resolve to,
// then the system resolver itself, the policy defaults and the dev-server decision that use the rule.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSettings } from '../../src/config.js';
import { loadPolicy } from '../../src/host/projects/load-policy.js';
import { ensureServer } from '../../src/host/server/ensure.js';
import {
  grpcEndpoint,
  isLoopbackAddress,
  isLoopbackIp,
  type ResolveHost,
} from '../../src/temporal/address.js';
import { loadConnectTarget } from '../../src/temporal/connection.js';

/** A resolver that knows only `hosts` (anything else resolves nowhere) and records what it was asked. */
function resolverOf(hosts: Record<string, string[]>): ResolveHost & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    const found = hosts[host];
    if (found === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };
  return Object.assign(resolve, { asked });
}

const hosts: Record<string, string[]> = {
  localhost: ['127.0.0.1', '::1'],
  '127.1': ['127.0.0.1'],
  devbox: ['127.0.1.1'],
  'elsewhere.localhost': ['203.0.113.7'],
  'pinned.localhost': ['127.0.0.1'],
  'split.example': ['127.0.0.1', '192.168.1.5'],
  'my-ns.a1b2c.tmprl.cloud': ['52.1.2.3'],
  'no-records.example': [],
};

describe('loopback by resolved address', () => {
  /** address, expected, the host the resolver must be asked (none for an IP literal). */
  const table: [string | undefined, boolean, string | undefined][] = [
    [undefined, true, 'localhost'],
    ['', true, 'localhost'],
    ['localhost:7233', true, 'localhost'],
    ['LOCALHOST:7233', true, 'localhost'],
    ['127.1:7233', true, '127.1'],
    ['devbox:7233', true, 'devbox'],
    ['pinned.localhost:7233', true, 'pinned.localhost'],
    ['foo.localhost:7233', false, 'foo.localhost'],
    ['elsewhere.localhost:7233', false, 'elsewhere.localhost'],
    ['split.example:7233', false, 'split.example'],
    ['no-records.example:7233', false, 'no-records.example'],
    ['127.0.0.1.example.com:7233', false, '127.0.0.1.example.com'],
    ['my-ns.a1b2c.tmprl.cloud:7233', false, 'my-ns.a1b2c.tmprl.cloud'],
    ['127.0.0.1:7233', true, undefined],
    ['127.1.2.3', true, undefined],
    ['[::1]:7233', true, undefined],
    ['::1', true, undefined],
    ['[::ffff:127.0.0.1]:7233', true, undefined],
    ['0.0.0.0:7233', false, undefined],
    ['[::]:7233', false, undefined],
    ['10.0.0.5:7233', false, undefined],
    ['1.1.1.1:7233', false, undefined],
    ['[2606:4700:4700::1111]:7233', false, undefined],
  ];
  for (const [address, expected, resolved] of table)
    it(`${JSON.stringify(address)} is ${expected ? '' : 'not '}loopback`, async () => {
      const resolve = resolverOf(hosts);
      assert.equal(await isLoopbackAddress(address, resolve), expected);
      assert.deepEqual(resolve.asked, resolved === undefined ? [] : [resolved]);
    });

  it('classifies IP addresses: 127.0.0.0/8, ::1 and 127.x mapped into IPv6 only', () => {
    const ips: [string, boolean][] = [
      ['127.0.0.1', true],
      ['127.255.255.254', true],
      ['::1', true],
      ['0:0:0:0:0:0:0:1', true],
      ['::ffff:7f00:1', true],
      ['128.0.0.1', false],
      ['126.255.255.255', false],
      ['::ffff:10.0.0.1', false],
      ['::2', false],
      ['0.0.0.0', false],
      ['localhost', false],
    ];
    assert.deepEqual(
      ips.map(([ip]) => [ip, isLoopbackIp(ip)]),
      ips,
    );
  });
});

describe('loopback through the system resolver', () => {
  it('reads IPv4 shorthand and localhost as loopback, and a name that resolves nowhere as not', async () => {
    assert.equal(await isLoopbackAddress('127.1:7233'), true);
    assert.equal(await isLoopbackAddress('localhost:7233'), true);
    assert.equal(await isLoopbackAddress('temporal-ops-test.invalid:7233'), false);
  });

  it('gives the policy its loopback defaults by the same rule', async () => {
    const state = await mkdtemp(join(tmpdir(), 'loopback-policy-'));
    assert.equal((await loadPolicy(state, {}, '127.1:7233')).defaults, 'loopback');
    assert.equal((await loadPolicy(state, {}, 'temporal-ops-test.invalid:7233')).defaults, 'remote');
  });

  it('starts no dev server for an address that is not loopback', async () => {
    const target = loadConnectTarget({ address: 'temporal-ops-test.invalid:7233', namespace: 'default' });
    const settings = { ...loadSettings(), stateDir: await mkdtemp(join(tmpdir(), 'loopback-ensure-')) };
    await assert.rejects(
      ensureServer(target, settings, () => undefined),
      /not a loopback address/,
    );
  });
});

describe('grpcEndpoint', () => {
  it('adds the default port only when the address names none, and keeps IPv6 brackets', () => {
    assert.equal(grpcEndpoint('localhost', 7233), 'localhost:7233');
    assert.equal(grpcEndpoint('my.host:80', 7233), 'my.host:80');
    assert.equal(grpcEndpoint('127.0.0.1', 7233), '127.0.0.1:7233');
    assert.equal(grpcEndpoint('[::1]', 7233), '[::1]:7233');
    assert.equal(grpcEndpoint('[::1]:9', 7233), '[::1]:9');
  });

  it('refuses a scheme, a bare IPv6 address and a port that is not a number, naming the address', () => {
    for (const address of ['http://x:1', '::1', 'host:port'])
      assert.throws(
        () => grpcEndpoint(address, 7233),
        new RegExp(`got '${address.replace(/[.:/]/g, '\\$&')}'`),
      );
  });
});
