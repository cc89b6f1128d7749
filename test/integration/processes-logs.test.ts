// Worker logs on disk: rotated by size without losing a line, followed across a rotation.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { followLog } from '../../src/processes/log-follow.js';
import { rotateIfLarge } from '../../src/processes/logs.js';
import { waitFor } from '../helpers/processes.js';

async function scratch(): Promise<string> {
  return mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'logs-'));
}

describe('worker logs', () => {
  it('rotates by size into numbered files, keeping every byte and at most `keep` files', async () => {
    const path = join(await scratch(), 'worker-x.log');
    const policy = { maxBytes: 10, keep: 2 };
    for (const run of ['first run output\n', 'second run output\n', 'third run output\n']) {
      await rotateIfLarge(path, policy);
      await appendFile(path, run);
    }
    assert.equal(await rotateIfLarge(path, { maxBytes: 1000, keep: 2 }), false, 'small logs are left alone');
    assert.equal(await readFile(path, 'utf8'), 'third run output\n');
    assert.equal(await readFile(`${path}.1`, 'utf8'), 'second run output\n');
    assert.equal(await readFile(`${path}.2`, 'utf8'), 'first run output\n');
    await rotateIfLarge(path, policy);
    assert.equal(
      await readFile(`${path}.2`, 'utf8'),
      'second run output\n',
      'the oldest file beyond `keep` is dropped',
    );
  });

  it('follows appended lines across a rotation until aborted', async () => {
    const path = join(await scratch(), 'worker-y.log');
    await writeFile(path, 'before following\n');
    const lines: string[] = [];
    const stop = new AbortController();
    const following = followLog(path, (line) => lines.push(line), {
      signal: stop.signal,
      intervalMs: 20,
      fromByte: 'before following\n'.length,
    });
    try {
      await appendFile(path, 'one\ntwo');
      await waitFor('two lines', () => lines.length === 1);
      await appendFile(path, ' halves\n');
      await waitFor('the joined line', () => lines.length === 2);
      await appendFile(path, 'last line of the old file\n');
      await rename(path, `${path}.1`);
      await writeFile(path, 'first line of the new file\n');
      await waitFor('the new file', () => lines.length === 4);
    } finally {
      stop.abort();
      await following;
    }
    assert.deepEqual(lines, ['one', 'two halves', 'last line of the old file', 'first line of the new file']);
  });
});
