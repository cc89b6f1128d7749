// The bundled example project as a CleanStart target: what `npm start` runs when no target is set.
import { join } from 'node:path';
import { packageRoot } from '../config.js';
import type { CleanStartInput } from './clean-start-input.js';

export const exampleProjectDir = join(packageRoot, 'examples', 'orders');
export const venvBin = join(packageRoot, '.venv', 'bin');
export const venvPython = join(venvBin, 'python');

/** CleanStart input for the example, run as the runbook does (`uv run worker`), offline, with the venv's uv. */
export function exampleCleanStartInput(taskQueue = 'orders'): CleanStartInput {
  return {
    projectDir: exampleProjectDir,
    taskQueue,
    workerCommand: `${join(venvBin, 'uv')} run worker`,
    start: { command: `${join(venvBin, 'uv')} run starter` },
    env: { UV_OFFLINE: '1' },
  };
}
