// Worker logs on disk: rotated by size (also while a worker writes), followed across a rotation,
// and read per worker start, so a failure's tail shows only that worker's lines.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WorkerNotReadyError } from '../../src/errors.js';
import { followLog } from '../../src/host/logs/log-follow.js';
import { rotateIfLarge, sectionTail, workerLogPath } from '../../src/host/logs/logs.js';
import { readProc } from '../../src/host/records/proc.js';
import { spawnDetached } from '../../src/host/workers/spawn.js';
import { ensureWorker } from '../../src/host/workers/workers.js';
import { fixturesDir, venvPython, waitFor } from '../helpers/processes.js';

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

  it('follows the lines a copy-then-truncate rotation moved to `.1` before it was read', async () => {
    const path = join(await scratch(), 'worker-z.log');
    await writeFile(path, '');
    const lines: string[] = [];
    const stop = new AbortController();
    const following = followLog(path, (line) => lines.push(line), {
      signal: stop.signal,
      intervalMs: 20,
      fromByte: 0,
    });
    try {
      await appendFile(path, 'seen before\n');
      await waitFor('the first line', () => lines.length === 1);
      await appendFile(path, 'written just before the rotation\n');
      assert.equal(await rotateIfLarge(path, { maxBytes: 10, keep: 2 }), true);
      await appendFile(path, 'after the rotation\n');
      await waitFor('three lines', () => lines.length === 3);
    } finally {
      stop.abort();
      await following;
    }
    assert.deepEqual(lines, ['seen before', 'written just before the rotation', 'after the rotation']);
  });

  it('caps the log of a running writer by copy then truncate: lines stay whole and in order', async () => {
    const path = join(await scratch(), 'worker-live.log');
    const spawned = await spawnDetached({
      command: `${venvPython} log_writer.py live --forever`,
      cwd: fixturesDir,
      env: {},
      logPath: path,
    });
    const policy = { maxBytes: 16 * 1024, keep: 100 };
    let rotations = 0;
    try {
      await waitFor('six rotations while it writes', async () => {
        if (await rotateIfLarge(path, policy)) rotations++;
        return rotations >= 6;
      });
    } finally {
      process.kill(-spawned.pgid, 'SIGKILL');
    }
    await waitFor('the writer to die', () => readProc(spawned.pid) === undefined);
    for (let i = 1; i <= rotations; i++)
      assert.ok((await stat(`${path}.${i}`)).size >= policy.maxBytes, `${path}.${i} holds a whole rotation`);
    let text = '';
    for (let i = rotations; i >= 1; i--) text += await readFile(`${path}.${i}`, 'utf8');
    text += await readFile(path, 'utf8');
    const body = text.split('\n').filter((l) => l !== '' && !l.startsWith('=== '));
    const numbers = body.flatMap((l) => /^live (\d+) x+$/.exec(l)?.slice(1).map(Number) ?? []);
    assert.equal(numbers[0], 0, 'the first line is kept');
    assert.ok(
      numbers.every((n, i) => i === 0 || n > numbers[i - 1]!),
      'each line once, in order',
    );
    // A line written in the instant between the last copy and the truncation is the only loss.
    const lost = numbers.at(-1)! + 1 - numbers.length + (body.length - numbers.length);
    assert.ok(lost <= rotations, `${lost} line(s) lost or cut over ${rotations} rotations`);
  });

  it('rotates once when two rotators race, and takes over a rotation lock its holder left behind', async () => {
    const path = join(await scratch(), 'worker-race.log');
    const policy = { maxBytes: 10, keep: 3 };
    await writeFile(path, 'one rotation only\n');
    const results = await Promise.all([rotateIfLarge(path, policy), rotateIfLarge(path, policy)]);
    assert.deepEqual(results.sort(), [false, true]);
    assert.equal(await readFile(`${path}.1`, 'utf8'), 'one rotation only\n');
    assert.equal(existsSync(`${path}.2`), false, 'not rotated twice');
    await writeFile(path, 'under a live lock\n');
    await mkdir(`${path}.rotating`);
    assert.equal(await rotateIfLarge(path, policy), false, 'a live rotator is left to finish');
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(`${path}.rotating`, old, old);
    assert.equal(await rotateIfLarge(path, policy), true, 'a dead rotator is taken over');
    assert.equal(await readFile(`${path}.1`, 'utf8'), 'under a live lock\n');
    assert.equal(await readFile(path, 'utf8'), '');
  });

  it("tails one worker's section of a shared log, across a rotation", async () => {
    const path = join(await scratch(), 'worker-sections.log');
    const run = (args: string) =>
      spawnDetached({
        command: `${venvPython} log_writer.py ${args}`,
        cwd: fixturesDir,
        env: {},
        logPath: path,
      });
    // Its exit event does not keep the loop alive (the child is unref'd): poll the process table.
    const ended = (pid: number) => waitFor(`${pid} to end`, () => readProc(pid) === undefined);
    const first = await run('first --crash');
    await ended(first.pid);
    const second = await run('second --lines 2');
    await ended(second.pid);
    const firstTail = await sectionTail({ logPath: path, logSection: first.logSection }, 50);
    assert.match(
      firstTail,
      /^=== .* temporal-ops starting: .*log_writer\.py first --crash .*\[section [\w-]+/,
    );
    assert.match(firstTail, /RuntimeError: first$/);
    assert.doesNotMatch(firstTail, /second/);
    const secondTail = await sectionTail({ logPath: path, logSection: second.logSection }, 50);
    assert.doesNotMatch(secondTail, /first|Traceback/, "the previous worker's traceback is not in it");
    assert.match(secondTail, /second 1 x+$/);
    assert.equal(await sectionTail({ logPath: path }, 50), secondTail, 'without a section: the latest one');
    await rotateIfLarge(path, { maxBytes: 10, keep: 3 });
    await appendFile(path, 'second, after the rotation\n');
    const across = await sectionTail({ logPath: path, logSection: second.logSection }, 50);
    assert.match(across, /^=== .*log_writer\.py second/);
    assert.match(across, /second 1 x+\nsecond, after the rotation$/);
  });

  it('gives a worker that exits before polling the log tail of its own start only', async () => {
    const stateDir = await scratch();
    const spec = (args: string) => ({
      stateDir,
      project: 'tails',
      projectDir: fixturesDir,
      command: `${venvPython} log_writer.py ${args}`,
      taskQueue: 'tails',
      env: {},
      graceMs: 1000,
    });
    const ready = { timeoutMs: 20_000, pollers: () => Promise.resolve([]) };
    const fail = (args: string) =>
      ensureWorker(spec(args), { ready }).then(
        () => assert.fail('it exits before polling'),
        (e: unknown) => e,
      );
    const crashed = await fail('first --crash');
    assert.ok(crashed instanceof WorkerNotReadyError);
    assert.match(crashed.logTail, /RuntimeError: first/);
    const exited = await fail('second --lines 2 --exit 3');
    assert.ok(exited instanceof WorkerNotReadyError);
    assert.deepEqual(exited.exit, { code: 3, signal: null });
    assert.match(exited.logTail, /second 1 x+$/);
    assert.doesNotMatch(exited.logTail, /first|Traceback/);
    assert.match(await readFile(workerLogPath(stateDir, 'tails'), 'utf8'), /RuntimeError: first/);
  });
});
