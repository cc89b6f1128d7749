// Launching one target worker we own: rotate its log, spawn it detached, record its identity,
// and note how it ends (the spawning process is the only one that can see its exit status).
import { hostname } from 'node:os';
import { SpawnFailedError, WorkerNotReadyError } from '../../errors.js';
import { failpoint } from '../records/failpoint.js';
import { removeIntent, writeIntent } from '../records/intent.js';
import { withWorkerLock } from '../records/lock.js';
import { rotateIfLarge, sectionTail, workerLogPath, type LogPolicy } from '../logs/logs.js';
import { updatePidRecord, writePidRecord, type ExitInfo, type PidRecord } from '../records/pid-file.js';
import { rememberWorkerCommand } from '../records/last-command.js';
import { identityOf, spawnDetached } from './spawn.js';
import { tokenFile } from '../records/spawn-token.js';
import { SPAWN_TOKEN_ENV } from '../records/token-name.js';
import { tokenProcesses } from './escaped.js';

/** What to run for a project, where, and how long a stop may wait before SIGKILL. */
export interface WorkerSpec {
  stateDir: string;
  project: string;
  projectDir: string;
  command: string;
  taskQueue: string;
  /** Environment given for this worker; kept in the record so a restart reuses it. */
  env: Record<string, string>;
  /** Connection env of this host (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE); not part of the spec. */
  baseEnv?: Record<string, string>;
  /** Connection secrets of ours the project's registration passes on (by name). */
  passEnv?: readonly string[];
  graceMs: number;
}

const exits = new Map<number, ExitInfo>();

/** Exit code or signal of a worker this process spawned and saw die. */
export function exitOf(pid: number): ExitInfo | undefined {
  return exits.get(pid);
}

/**
 * A worker that exits before we could even read its start time still gets a record (it cannot be
 * proven ours, so it is never signalled) that says how it ended, and a WorkerNotReadyError. When
 * processes carrying its token live on (`setsid -f worker`: it daemonised at once), the record is
 * returned instead, for the ready check to follow them.
 */
async function recordExitedAtOnce(
  spec: WorkerSpec,
  base: Omit<PidRecord, 'kind' | 'pid' | 'pgid' | 'startTime' | 'cmdline'>,
  error: SpawnFailedError,
): Promise<{ record: PidRecord; exited: Promise<ExitInfo> }> {
  const { pid, code, signal } = error.exited!;
  const exit: ExitInfo = { code, signal, atMs: Date.now(), note: 'exited at once' };
  const record: PidRecord = { kind: 'worker', pid, pgid: pid, startTime: '', cmdline: [], ...base };
  if (tokenProcesses(spec.stateDir, record).length > 0) {
    await writePidRecord(spec.stateDir, record);
    return { record, exited: Promise.resolve(exit) };
  }
  await writePidRecord(spec.stateDir, { ...record, exit });
  const logTail = await sectionTail(base, 30);
  const message = `worker ${pid} exited at once (exit code ${code}, signal ${signal}) before polling task queue "${spec.taskQueue}"`;
  throw new WorkerNotReadyError(
    `${message}\n--- log tail (${base.logPath}) ---\n${logTail}`,
    pid,
    logTail,
    { code, signal },
    'exited',
  );
}

/**
 * Spawns and records a worker carrying `spawnToken`; call under the project lock. The intent is
 * written before the spawn and removed after the record, so a crash anywhere leaves one of them.
 */
export async function spawnWorker(
  spec: WorkerSpec,
  restarts: number,
  fingerprint: string,
  policy: LogPolicy,
  spawnToken: string,
  startedBy?: string,
) {
  const logPath = workerLogPath(spec.stateDir, spec.project);
  await rotateIfLarge(logPath, policy);
  const base = {
    cwd: spec.projectDir,
    project: spec.project,
    taskQueue: spec.taskQueue,
    logPath,
    fingerprint,
    command: spec.command,
    startedAt: new Date().toISOString(),
    host: hostname(),
    env: spec.env,
    restarts,
    spawnToken,
    ...(startedBy ? { startedBy } : {}),
  };
  await writeIntent(spec.stateDir, { kind: 'worker', ...base });
  failpoint('ensure:before-spawn');
  const spawned = await spawnDetached({
    command: spec.command,
    cwd: spec.projectDir,
    env: {
      ...spec.baseEnv,
      ...spec.env,
      TEMPORAL_TASK_QUEUE: spec.taskQueue,
      [SPAWN_TOKEN_ENV]: spawnToken,
    },
    tokenFile: tokenFile(spec.stateDir, spawnToken),
    ...(spec.passEnv ? { passEnv: spec.passEnv } : {}),
    logPath,
  }).catch(async (error: unknown) => {
    if (error instanceof SpawnFailedError && error.exited) {
      try {
        return await recordExitedAtOnce(spec, base, error);
      } finally {
        await removeIntent(spec.stateDir, spawnToken);
      }
    }
    await removeIntent(spec.stateDir, spawnToken);
    throw error;
  });
  if ('record' in spawned) return spawned;
  failpoint('ensure:after-spawn');
  const record: PidRecord = { kind: 'worker', ...identityOf(spawned), ...base };
  await writePidRecord(spec.stateDir, record);
  await rememberWorkerCommand(spec.stateDir, {
    project: spec.project,
    taskQueue: spec.taskQueue,
    command: spec.command,
  });
  failpoint('ensure:after-record');
  await removeIntent(spec.stateDir, spawnToken);
  const exited = spawned.exited.then((exit) => {
    const info: ExitInfo = { ...exit, atMs: Date.now() };
    exits.set(record.pid, info);
    // Only a record still stored gets the exit (a stopped worker's record is removed), and a
    // note written by the readiness check is kept.
    const patch = (stored: PidRecord) => (stored.exit ? {} : { exit: info });
    void withWorkerLock(spec.stateDir, spec.project, spec.taskQueue, () =>
      updatePidRecord(spec.stateDir, record, patch),
    ).catch(() => undefined);
    return info;
  });
  return { record, exited };
}
