// What the recipe matrix needs of each project shape beyond the shape table: how such a project
// starts its workflow (its own starter, or the worker program itself), the argument, the result;
// and a fresh copy of its fixture, ready to run as its users run it.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { eventTypeName } from '../../src/inspect/history.js';
import type { Shape, shapes } from '../integration/replay-shapes-fixture.js';
import { testTarget } from '../helpers/harness.js';
import { scratchDir, venvPython } from '../helpers/processes.js';

export type ShapeName = keyof typeof shapes;

export interface RecipeShape {
  /** The project's starter command in `dir`; absent: the worker program starts its own run. */
  starter?(dir: string): string;
  /** The workflow's argument (as the starter passes it) and the result it then returns. */
  arg: string;
  result: unknown;
}

export const recipeShapes: Record<ShapeName, RecipeShape> = {
  uvRun: {
    starter: () => 'uv run python -m ledger.starter',
    arg: 'acme',
    result: { account: 'acme', balance: 100 },
  },
  srcModule: {
    starter: () => '.venv/bin/python -m ledger.starter',
    arg: 'acme',
    result: { account: 'acme', balance: 100 },
  },
  envPythonPath: {
    starter: (dir) => `env PYTHONPATH=${dir} ${venvPython} -m app.starter`,
    arg: 'acme',
    result: 'invoice for acme',
  },
  binWrapper: { starter: () => `${venvPython} start.py`, arg: 'express', result: 20 },
  pythonFile: { starter: () => `${venvPython} start.py`, arg: 'express', result: 20 },
  make: { starter: () => 'make start', arg: 'acme', result: 'sent to acme' },
  singleFile: { arg: 'World', result: 'Hello, World!' },
};

/** A fresh copy of the shape's fixture, ready to run as its users run it. */
export async function copyShape(shape: Shape): Promise<string> {
  const dir = await scratchDir(`${shape.fixture}-${nanoid(4)}`);
  await cp(join(packageRoot, 'test', 'fixtures', shape.fixture), dir, { recursive: true });
  if (shape.fixture === 'shape-single-file') {
    // The file hard-codes localhost:7233: make it the server of this test.
    const file = join(dir, shape.workflowFile);
    await writeFile(file, (await readFile(file, 'utf8')).replace('localhost:7233', testTarget().address));
  }
  if (shape.fixture === 'shape-src-layout')
    await execa(
      join(packageRoot, '.venv', 'bin', 'uv'),
      ['sync', '--locked', '--offline', '--quiet', '--python', venvPython],
      {
        cwd: dir,
        env: { UV_OFFLINE: '1', UV_PYTHON_DOWNLOADS: 'never' },
      },
    );
  return dir;
}

/** True once the run completed its activity and then a workflow task: it waits for its signal. */
export async function waitsForSignal(handle: WorkflowHandle): Promise<boolean> {
  const history = await handle.fetchHistory().catch(() => undefined);
  const types = (history?.events ?? []).map(eventTypeName);
  const done = types.indexOf('ActivityTaskCompleted');
  return done > 0 && types.lastIndexOf('WorkflowTaskCompleted') > done;
}
