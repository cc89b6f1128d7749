// The bundled example project as a CleanStart target: what `npm start` runs when no target is set.
import { join } from 'node:path';
import { packageRoot } from '../config.js';
import type { CleanStartInput } from './clean-start-input.js';

export const exampleProjectDir = join(packageRoot, 'examples', 'orders');
export const venvPython = join(packageRoot, '.venv', 'bin', 'python');

/** CleanStart input for the example: its worker and starter run with the project venv's Python. */
export function exampleCleanStartInput(taskQueue = 'orders'): CleanStartInput {
  return {
    projectDir: exampleProjectDir,
    taskQueue,
    workerCommand: `${venvPython} worker.py`,
    start: { command: `${venvPython} starter.py` },
  };
}
