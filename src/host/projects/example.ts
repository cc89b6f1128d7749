// The bundled example project as a CleanStart target: what `npm start` runs when no target is set.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../config.js';
import { keyForDir } from '../projects/key.js';
import type { CleanStartInput } from '../../contract/clean-start-input.js';

export const exampleProjectDir = join(packageRoot, 'examples', 'orders');
export const venvBin = join(packageRoot, '.venv', 'bin');
export const venvPython = join(venvBin, 'python');

/** The example's project name, unique to this checkout: two clones on one machine never share it. */
export function exampleProjectName(): string {
  let dir = exampleProjectDir;
  try {
    dir = realpathSync(exampleProjectDir);
  } catch {
    // an installed package without the example: the name is never used
  }
  return keyForDir('orders', dir);
}

/** CleanStart input for the example, run as the runbook does (`uv run worker`), offline, with the venv's uv. */
export function exampleCleanStartInput(taskQueue = 'orders'): CleanStartInput {
  return {
    projectDir: exampleProjectDir,
    project: exampleProjectName(),
    taskQueue,
    workerCommand: `${join(venvBin, 'uv')} run worker`,
    start: { command: `${join(venvBin, 'uv')} run starter` },
    env: { UV_OFFLINE: '1' },
  };
}
