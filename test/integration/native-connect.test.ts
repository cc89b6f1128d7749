// The Rust-core connection `workflows stalled` opens is bounded like the gRPC-js one: a port that
// accepts TCP but never answers gRPC gives a clear error within the bound, not a hang.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import {
  connectNativeClient,
  loadConnectTarget,
  NATIVE_CONNECT_TIMEOUT_MS,
} from '../../src/temporal/connection.js';

let silent: Server;
let address = '';
const sockets = new Set<Socket>();

before(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const bound = silent.address();
  assert.ok(bound && typeof bound === 'object');
  address = `127.0.0.1:${bound.port}`;
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('the Rust-core connection against a server that never answers', () => {
  it('rejects once its bound has passed, naming the bound', async () => {
    const started = Date.now();
    await assert.rejects(connectNativeClient(loadConnectTarget({ address, namespace: 'default' })), {
      message: `no answer within ${NATIVE_CONNECT_TIMEOUT_MS / 1000} s`,
    });
    const took = Date.now() - started;
    assert.ok(took >= NATIVE_CONNECT_TIMEOUT_MS - 100, `rejected after ${took} ms, before its bound`);
  });

  it('makes `workflows stalled` exit 3 naming the address', async () => {
    const run = await execa(
      process.execPath,
      [join(packageRoot, 'bin', 'temporal-ops.mjs'), 'workflows', 'stalled'],
      {
        env: { TEMPORAL_ADDRESS: address, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' },
        reject: false,
      },
    );
    assert.equal(run.exitCode, 3, run.stderr);
    assert.match(run.stderr, new RegExp(`cannot connect to ${address}: no answer within`));
  });
});
