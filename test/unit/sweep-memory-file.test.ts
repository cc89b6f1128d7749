// The sweep's memory on disk: one file per scope, replaced whole, and read back as a repeat sweep
// (or its retry) should use it; anything unusable makes a full sweep.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SweepMemory } from '../../src/contract/sweep-memory.js';
import {
  readSweepMemory,
  recallSweep,
  STALE_TEMPORARY_MS,
  sweepScope,
  writeSweepMemory,
} from '../../src/host/records/sweep-memory-file.js';

const scope = sweepScope('default', 'ExecutionStatus = "Running"', { noWorkerAfterMs: 2000 });
const memory = (writtenBy: string, sweeps: number): SweepMemory => ({
  version: 1,
  scope,
  sweeps,
  writtenBy,
  writtenAtMs: 1,
  listedFromMs: 1,
  queues: { q: 'live:1@h' },
  runs: {
    w: { runId: 'r', taskQueue: 'q', verdict: 'healthy-wait', stalled: false, kind: 'idle', problems: '' },
  },
});
const settings = { recheckEvery: 3, full: false };

describe('sweep memory file', () => {
  it('keys the scope by namespace, query and policy', () => {
    assert.notEqual(sweepScope('default', 'q', {}), sweepScope('other', 'q', {}));
    assert.notEqual(sweepScope('default', 'q', {}), sweepScope('default', 'q2', {}));
    assert.notEqual(sweepScope('default', 'q', {}), sweepScope('default', 'q', { retryStormAttempts: 5 }));
    assert.equal(sweepScope('default', 'q', undefined), sweepScope('default', 'q', {}));
  });

  it('reads back what was written, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-memory-'));
    await writeSweepMemory(dir, memory('DebugStalled/a', 4));
    assert.deepEqual(await readSweepMemory(dir, scope), memory('DebugStalled/a', 4));
    assert.deepEqual(await readdir(join(dir, 'sweeps')), [`${scope}.json`]);
  });

  it("removes the temporary files a killed writer left, once stale, and never another writer's fresh one", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-memory-'));
    await writeSweepMemory(dir, memory('a', 1));
    const sweeps = join(dir, 'sweeps');
    const killed = `${scope}.json.killed01.tmp`;
    const inFlight = `${scope}.json.writing1.tmp`;
    const otherScope = `${sweepScope('other', 'q', {})}.json.killed02.tmp`;
    for (const name of [killed, inFlight, otherScope]) await writeFile(join(sweeps, name), '{"vers');
    const old = new Date(Date.now() - STALE_TEMPORARY_MS - 60_000);
    await utimes(join(sweeps, killed), old, old);
    await utimes(join(sweeps, otherScope), old, old);
    await writeSweepMemory(dir, memory('b', 2));
    assert.deepEqual((await readdir(sweeps)).sort(), [`${scope}.json`, inFlight, otherScope].sort());
    assert.equal((await readSweepMemory(dir, scope))?.writtenBy, 'b');
  });

  it('has no memory for a scope never swept, a torn file, or a file of another version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-memory-'));
    assert.equal(await readSweepMemory(dir, scope), undefined);
    await writeSweepMemory(dir, memory('a', 1));
    await writeFile(join(dir, 'sweeps', `${scope}.json`), '{"version": 1, "sco');
    assert.equal(await readSweepMemory(dir, scope), undefined);
    await writeFile(join(dir, 'sweeps', `${scope}.json`), JSON.stringify({ ...memory('a', 1), version: 2 }));
    assert.equal(await readSweepMemory(dir, scope), undefined);
  });

  it('gives the next sweep the last memory, and a retry of the sweep that wrote it the same slot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-memory-'));
    assert.equal((await recallSweep(dir, scope, { ...settings, sweep: 'a' }, 10)).previous, undefined);
    await writeSweepMemory(dir, memory('a', 4));
    assert.equal((await recallSweep(dir, scope, { ...settings, sweep: 'b' }, 10)).previous?.sweeps, 4);
    // Sweep `a` wrote it: a retry of `a` uses it as the memory of sweep 3, so it checks the same slot and writes 4 again.
    assert.equal((await recallSweep(dir, scope, { ...settings, sweep: 'a' }, 10)).previous?.sweeps, 3);
  });

  it('forgets the memory when a full sweep is asked for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-memory-'));
    await writeSweepMemory(dir, memory('a', 4));
    const recall = await recallSweep(dir, scope, { ...settings, full: true, sweep: 'b' }, 10);
    assert.equal(recall.previous, undefined);
    assert.equal(recall.recheckEvery, 3);
  });
});
