// The worker command last launched for each (project, task queue) on this host. Pid records go
// when their worker is stopped; this note stays, so "the worker recorded for the directory" still
// names the project's own command when its worker is down. Sealed like the pid records.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { openSealed, sealJson } from './seal.js';

interface LastCommand {
  project: string;
  taskQueue: string;
  command: string;
  /** When it was launched (ISO time). */
  at: string;
}

function notesDir(stateDir: string): string {
  return join(stateDir, 'last-worker');
}

function notePath(stateDir: string, project: string, taskQueue: string): string {
  const queue = createHash('sha256').update(taskQueue).digest('hex').slice(0, 16);
  return join(notesDir(stateDir), `${project}-${queue}.json`);
}

/** Notes that `command` was launched for the project's `taskQueue` (atomically: temporary file, rename). */
export async function rememberWorkerCommand(stateDir: string, note: Omit<LastCommand, 'at'>): Promise<void> {
  await mkdir(notesDir(stateDir), { recursive: true });
  const path = notePath(stateDir, note.project, note.taskQueue);
  const tmp = `${path}.${nanoid(6)}.tmp`;
  await writeFile(tmp, await sealJson(stateDir, { ...note, at: new Date().toISOString() }), { mode: 0o600 });
  await rename(tmp, path);
}

/** The command last launched for the project (on `taskQueue` when given); undefined when none was. */
export async function lastWorkerCommand(
  stateDir: string,
  project: string,
  taskQueue?: string,
): Promise<string | undefined> {
  const names = await readdir(notesDir(stateDir)).catch(() => [] as string[]);
  const notes: LastCommand[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && n.startsWith(`${project}-`))) {
    const note = await readFile(join(notesDir(stateDir), name), 'utf8')
      .then((text) => openSealed<LastCommand>(stateDir, text))
      .catch(() => undefined);
    if (note?.project === project && (taskQueue === undefined || note.taskQueue === taskQueue))
      notes.push(note);
  }
  return notes.sort((a, b) => a.at.localeCompare(b.at)).at(-1)?.command;
}
