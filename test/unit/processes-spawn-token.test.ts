import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshToken, tokenFor, tokenOfProcess } from '../../src/host/records/spawn-token.js';
import { SPAWN_TOKEN_ENV } from '../../src/host/records/token-name.js';

describe('spawn tokens', () => {
  it('every attempt of one step gets the same token', () => {
    assert.equal(tokenFor(['wf', 'run', '3']), tokenFor(['wf', 'run', '3']));
  });

  it('another activity, run or workflow gets another token, also when the parts only shift', () => {
    const tokens = [
      tokenFor(['wf', 'run', '3']),
      tokenFor(['wf', 'run', '4']),
      tokenFor(['wf', 'run2', '3']),
      tokenFor(['wf2', 'run', '3']),
      tokenFor(['wf', 'ru', 'n3']),
    ];
    assert.equal(new Set(tokens).size, tokens.length);
  });

  it('fresh tokens never repeat and never look like a step token', () => {
    const fresh = Array.from({ length: 100 }, freshToken);
    assert.equal(new Set(fresh).size, 100);
    assert.ok(fresh.every((t) => !/^[0-9a-f]{24}$/.test(t)));
  });

  it('reads no token from a process started without one', async () => {
    assert.equal(process.env[SPAWN_TOKEN_ENV], undefined);
    const stateDir = await mkdtemp(join(tmpdir(), 'spawn-token-'));
    assert.equal(tokenOfProcess(stateDir, process.pid), undefined);
  });
});
