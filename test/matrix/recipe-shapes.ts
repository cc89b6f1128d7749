// What the recipe matrix needs of each project shape beyond the shape table: how such a project
// starts its workflow (its own starter, or the worker program itself), the argument, the result.
import { type shapes } from '../integration/replay-shapes-fixture.js';
import { venvPython } from '../helpers/processes.js';

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
