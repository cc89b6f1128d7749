// Which connection configs the light WorkflowService takes, and the channel it makes of them: port,
// TLS, server name override, API key, metadata and the namespace header, as the SDK's Connection does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectTarget } from '../../src/temporal/connection.js';
import { channelSettings } from '../../src/temporal/lite/channel.js';
import { liteUnsupported } from '../../src/temporal/lite/support.js';

function target(
  connectionOptions: Record<string, unknown>,
  address = 'temporal.example:7233',
): ConnectTarget {
  return {
    address,
    namespace: 'orders',
    connectionOptions: { address, ...connectionOptions } as ConnectTarget['connectionOptions'],
  };
}

const pem = new TextEncoder().encode('-----BEGIN CERTIFICATE-----');

describe('liteUnsupported', () => {
  const honoured: [string, Record<string, unknown>][] = [
    ['address alone', {}],
    ['TLS on', { tls: true }],
    ['TLS off', { tls: false }],
    [
      'a server name override and root CA',
      { tls: { serverNameOverride: 'ns.tmprl.cloud', serverRootCACertificate: pem } },
    ],
    ['a client cert pair', { tls: { clientCertPair: { crt: pem, key: pem } } }],
    ['an API key and metadata', { apiKey: 'secret', metadata: { 'x-team': 'payments' } }],
    ['options set to undefined', { proxy: undefined, tls: { serverNameOverride: undefined } }],
  ];
  for (const [what, options] of honoured)
    it(`takes ${what}`, () => assert.equal(liteUnsupported(target(options)), undefined));

  const refused: [Record<string, unknown>, string][] = [
    [{ channelArgs: { 'grpc.keepalive_time_ms': 1000 } }, 'connection option "channelArgs"'],
    [{ proxy: { type: 'http-connect', targetHost: 'proxy:8080' } }, 'connection option "proxy"'],
    [{ apiKey: () => 'rotating' }, 'an API key that is not a string'],
    [{ tls: { serverNameOverride: 'x', sniOverride: 'y' } }, 'TLS option "sniOverride"'],
  ];
  for (const [options, reason] of refused)
    it(`leaves ${reason} to the full client`, () => assert.equal(liteUnsupported(target(options)), reason));
});

describe('channelSettings', () => {
  it('adds the default port, and is plaintext without TLS or an API key', () => {
    const settings = channelSettings(target({}, 'temporal.example'));
    assert.equal(settings.address, 'temporal.example:7233');
    assert.equal(settings.credentials._isSecure(), false);
    assert.deepEqual(settings.metadata('orders').getMap(), { 'temporal-namespace': 'orders' });
  });

  it('sends the API key as a bearer token over TLS, with the config metadata', () => {
    const settings = channelSettings(target({ apiKey: 'secret', metadata: { 'x-team': 'payments' } }));
    assert.equal(settings.credentials._isSecure(), true);
    assert.deepEqual(settings.metadata('orders').getMap(), {
      'x-team': 'payments',
      authorization: 'Bearer secret',
      'temporal-namespace': 'orders',
    });
  });

  it('applies the server name override to TLS and the authority; TLS false wins over an API key', () => {
    const named = channelSettings(target({ tls: { serverNameOverride: 'ns.tmprl.cloud' } }));
    assert.equal(named.credentials._isSecure(), true);
    assert.equal(named.options['grpc.ssl_target_name_override'], 'ns.tmprl.cloud');
    assert.equal(named.options['grpc.default_authority'], 'ns.tmprl.cloud');
    assert.equal(channelSettings(target({ tls: false, apiKey: 'k' })).credentials._isSecure(), false);
  });

  it('rejects an address that is not host[:port], naming it', () => {
    assert.throws(
      () => channelSettings(target({}, 'http://temporal.example:7233')),
      /http:\/\/temporal\.example:7233/,
    );
  });
});
