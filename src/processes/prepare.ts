// Checking a target project before touching processes: the directory exists, the commands can run.
import { basename } from 'node:path';
import { sanitizeProjectName } from '../config.js';
import { assertDirectory, assertRunnable } from './executable.js';
import { proveIdentity } from './identity.js';
import { readPidRecords } from './pid-file.js';

export interface PreparedProject {
  project: string;
  projectDir: string;
  workerCommand: string;
}

export interface ProjectInput {
  projectDir: string;
  workerCommand?: string;
  project?: string;
  /** A starter command to check as well. */
  starterCommand?: string;
  env?: Record<string, string>;
}

/** Throws InvalidInputError naming the field when the directory or a command's program is missing. */
export function prepareProject(input: ProjectInput, defaultWorkerCommand: string): PreparedProject {
  assertDirectory(input.projectDir, 'projectDir');
  const workerCommand = input.workerCommand ?? defaultWorkerCommand;
  const pathEnv = input.env?.PATH ?? process.env.PATH;
  const field = input.workerCommand ? 'workerCommand' : 'workerCommand (from TEMPORAL_WORKER_CMD)';
  assertRunnable(workerCommand, field, input.projectDir, pathEnv);
  if (input.starterCommand) assertRunnable(input.starterCommand, 'start.command', input.projectDir, pathEnv);
  const project = sanitizeProjectName(input.project ?? basename(input.projectDir));
  return { project, projectDir: input.projectDir, workerCommand };
}

/** True when `pid` is still a recorded worker of the project and proven ours (a retried start adopts it). */
export async function stillOurs(stateDir: string, project: string, pid: number): Promise<boolean> {
  const records = await readPidRecords(stateDir, { kind: 'worker', project });
  const record = records.find((r) => r.pid === pid);
  return record !== undefined && proveIdentity(record).ownership === 'ours';
}
