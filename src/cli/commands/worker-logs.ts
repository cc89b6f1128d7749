// `temporal-ops worker logs [--follow]`: the end of a project's worker log, then new lines until Ctrl-C.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { sanitizeProjectName } from '../../config.js';
import { ExitError } from '../../errors.js';
import { followLog } from '../../host/logs/log-follow.js';
import { tailLog, workerLogPath } from '../../host/logs/logs.js';
import { readPidRecords } from '../../host/records/pid-file.js';
import type { CliContext, CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface LogsOptions {
  /** The project (default: the only one recorded, else the current directory's). */
  project?: string;
  /** How many lines of the end to print first. */
  lines: number;
  /** Keep printing appended lines until Ctrl-C. */
  follow: boolean;
}

/** The log to show: the given project's, the only project's, or the current directory's. */
async function resolveLog(
  ctx: CliContext,
  project: string | undefined,
): Promise<{ project: string; logPath: string }> {
  const records = await readPidRecords(ctx.settings.stateDir, { kind: 'worker' });
  const projects = [...new Set(records.map((r) => r.project))];
  const chosen = project ?? (projects.length === 1 ? projects[0]! : sanitizeProjectName(basename(ctx.cwd)));
  const logPath =
    records.filter((r) => r.project === chosen).pop()?.logPath ??
    workerLogPath(ctx.settings.stateDir, chosen);
  if (!existsSync(logPath)) {
    const known = projects.length > 0 ? `; recorded projects: ${projects.join(', ')}` : '';
    throw new ExitError(`no worker log for project "${chosen}" (${logPath})${known}`, ExitCode.usage);
  }
  return { project: chosen, logPath };
}

/** Prints the last `lines` lines; with `follow`, keeps printing appended lines until Ctrl-C (exit 0). */
export async function workerLogs(options: LogsOptions, ctx: CommandContext): Promise<number> {
  const { out } = ctx;
  const { project, logPath } = await resolveLog(ctx, options.project);
  // Following starts where the tail ended, so a line written in between is printed, not lost.
  const { size } = await stat(logPath);
  const tail = options.lines > 0 ? await tailLog(logPath, options.lines) : '';
  if (!options.follow) {
    out.result({ project, logPath, lines: tail === '' ? [] : tail.split('\n') }, () => tail);
    return ExitCode.ok;
  }
  // Followed lines stream: one JSON object per line with --json.
  const print = (line: string) =>
    out.write(out.json ? `${JSON.stringify({ project, line })}\n` : `${line}\n`);
  if (tail) tail.split('\n').forEach(print);
  out.info(`following ${logPath}; Ctrl-C to stop`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await followLog(logPath, print, { signal: stop.signal, fromByte: size });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return ExitCode.ok;
}
