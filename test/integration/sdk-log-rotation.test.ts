// The control worker's own log (SDK lines, <state>/logs/control-worker.log) is rotated while the
// process writes to it: capped near 10 MiB, older parts kept as .1, .2, .3, no line lost.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { defaultLogPolicy } from '../../src/host/logs/logs.js';
import { scratchDir, waitFor } from '../helpers/processes.js';

const writer = join(packageRoot, 'test', 'helpers', 'sdk-log-writer-main.ts');

/** The numbers of the `line <n>` entries in `paths` (a missing file holds none). */
async function lineNumbers(paths: string[]): Promise<Set<number>> {
  const seen = new Set<number>();
  for (const path of paths) {
    const text = await readFile(path, 'utf8').catch(() => '');
    for (const match of text.matchAll(/\] line (\d+) /g)) seen.add(Number(match[1]));
  }
  return seen;
}

describe('control worker log', () => {
  it('rotates past 10 MiB while the process keeps writing, losing no line', async () => {
    const stateDir = await scratchDir('sdk-log');
    const child = execa(process.execPath, ['--import', 'tsx', writer, stateDir], {
      cwd: packageRoot,
      env: { TEMPORAL_OPS_LOG_LEVEL: 'WARN' },
      reject: false,
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const written = await waitFor(
        'the writer to see its log rotated',
        () => {
          if (child.exitCode !== null) throw new Error(`the writer exited with ${child.exitCode}`);
          const count = /^(\d+)\n/.exec(out);
          return count ? Number(count[1]) : undefined;
        },
        120_000,
      );
      const log = join(stateDir, 'logs', 'control-worker.log');
      const files = [log, `${log}.1`, `${log}.2`, `${log}.3`];
      const seen = await waitFor(
        `all ${written} lines in ${log} and its rotated parts`,
        async () => {
          const numbers = await lineNumbers(files);
          return numbers.size >= written && numbers;
        },
        30_000,
        { intervalMs: 200 },
      );
      for (let n = 0; n < written; n++) assert.ok(seen.has(n), `line ${n} is in the log or a rotated part`);
      const rotated = await stat(`${log}.1`);
      assert.ok(
        rotated.size >= defaultLogPolicy.maxBytes,
        `${log}.1 holds the full part: ${rotated.size} bytes`,
      );
      assert.ok((await stat(log)).size < rotated.size, 'the live log started again after the rotation');
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });
});
