// Spawn intents: what is kept, what is dropped, and that an intent that cannot be read now is never dropped.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readIntents, writeIntent, type SpawnIntent } from '../../src/host/records/intent.js';

function intent(project: string, spawnToken: string): SpawnIntent {
  return {
    kind: 'worker',
    project,
    taskQueue: 'q',
    cwd: '/p',
    logPath: '/p/log',
    fingerprint: 'f',
    command: 'python worker.py',
    startedAt: new Date(0).toISOString(),
    host: 'h',
    spawnToken,
  };
}

describe('readIntents', () => {
  it("returns the project's sealed intents and drops files that are not JSON or not sealed by this host", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'intents-'));
    await writeIntent(stateDir, intent('a', 'ta'));
    await writeIntent(stateDir, intent('b', 'tb'));
    const dir = join(stateDir, 'intents');
    await writeFile(join(dir, 'garbled.json'), '{"kind": "wor');
    await writeFile(
      join(dir, 'foreign.json'),
      JSON.stringify({ ...intent('a', 'tf'), seal: '0'.repeat(64) }),
    );
    assert.deepEqual(
      (await readIntents(stateDir, 'a')).map((i) => i.spawnToken),
      ['ta'],
    );
    assert.deepEqual((await readdir(dir)).sort(), ['ta.json', 'tb.json']);
  });

  it('throws, and keeps the intent, when an intent cannot be read now', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'intents-'));
    await writeIntent(stateDir, intent('a', 'ta'));
    // A read that fails for another reason than a missing file (here ELOOP).
    const unreadable = join(stateDir, 'intents', 'unreadable.json');
    await symlink(unreadable, unreadable);
    await assert.rejects(
      readIntents(stateDir, 'a'),
      (error: NodeJS.ErrnoException) => error.code === 'ELOOP',
    );
    assert.deepEqual((await readdir(join(stateDir, 'intents'))).sort(), ['ta.json', 'unreadable.json']);
  });

  it('reads no intents from a state dir that has none', async () => {
    assert.deepEqual(await readIntents(join(tmpdir(), `none-${process.pid}-${Date.now()}`)), []);
  });
});
