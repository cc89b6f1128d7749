import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { assertRunnable, resolveProgram } from '../../src/host/projects/executable.js';

let root: string;
let onPath: string;
let setupBin: string;
let empty: string;

async function executable(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, '#!/bin/sh\nexit 0\n');
  await chmod(path, 0o755);
  return path;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'executable-'));
  const dir = (name: string) => mkdtemp(join(root, `${name}-`));
  onPath = await dir('path');
  setupBin = await dir('setup');
  empty = await dir('empty');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("finding a command's program", () => {
  it("prefers uv on PATH to the setup's copy", async () => {
    const mine = await executable(onPath, 'uv');
    await executable(setupBin, 'uv');
    assert.equal(resolveProgram('uv', root, onPath, setupBin), mine);
    await rm(mine);
  });

  it("uses the setup's copy of uv when PATH lacks it", async () => {
    const own = await executable(setupBin, 'uv');
    assert.equal(resolveProgram('uv', root, empty, setupBin), own);
    assert.equal(assertRunnable('uv run worker', 'workerCommand', root, empty, setupBin), own);
  });

  it("never takes another program from the setup's directory", async () => {
    await executable(setupBin, 'python');
    assert.equal(resolveProgram('python', root, empty, setupBin), undefined);
  });

  it("names PATH and the setup's location when uv is in neither", () => {
    assert.throws(
      () => assertRunnable('uv run worker', 'workerCommand', root, empty, empty),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.field === 'workerCommand' &&
        error.message.includes(`on PATH (${empty})`) &&
        error.message.includes(join(empty, 'uv')),
    );
  });

  it('names PATH when any other program is missing', () => {
    assert.throws(
      () => assertRunnable('no-such-program --flag', 'start.command', root, empty, setupBin),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.field === 'start.command' &&
        error.message.includes(`"no-such-program" exists and is executable on PATH (${empty})`),
    );
  });
});
