// Target workers of a project: stop the ones proven ours, start exactly one fresh one.
import { hostname } from 'node:os';
import { codeFingerprint } from './fingerprint.js';
import { withProjectLock } from './lock.js';
import { rotateIfLarge, workerLogPath } from './logs.js';
import { readPidRecords, removePidRecord, writePidRecord, type PidRecord } from './pid-file.js';
import { identityOf, spawnDetached } from './spawn.js';
import { stopRecorded, type StopOutcome } from './stop.js';

export interface WorkerSpec {
  stateDir: string;
  project: string;
  projectDir: string;
  command: string;
  taskQueue: string;
  /** Extra environment for the worker; TEMPORAL_ADDRESS / NAMESPACE / TASK_QUEUE are always set. */
  env: Record<string, string>;
  graceMs: number;
}

export interface StartedWorker {
  record: PidRecord;
  /** Workers of the project stopped before this one started. */
  replaced: StopOutcome[];
}

const exits = new Map<number, { code: number | null; signal: string | null }>();

/** Exit code or signal of a worker this process spawned and saw die. */
export function exitOf(pid: number): { code: number | null; signal: string | null } | undefined {
  return exits.get(pid);
}

async function stopAll(stateDir: string, project: string, graceMs: number): Promise<StopOutcome[]> {
  const records = await readPidRecords(stateDir, { kind: 'worker', project });
  const outcomes = await Promise.all(records.map((record) => stopRecorded(record, graceMs)));
  await Promise.all(records.map((record) => removePidRecord(stateDir, record)));
  return outcomes;
}

/** Stops every worker of the project that is proven ours; others are reported as left alone. */
export function stopProjectWorkers(stateDir: string, project: string, graceMs: number): Promise<StopOutcome[]> {
  return withProjectLock(stateDir, project, () => stopAll(stateDir, project, graceMs));
}

/** Replaces the project's workers with one fresh worker, all under the project lock. */
export function startFreshWorker(spec: WorkerSpec): Promise<StartedWorker> {
  return withProjectLock(spec.stateDir, spec.project, async () => {
    const replaced = await stopAll(spec.stateDir, spec.project, spec.graceMs);
    const logPath = workerLogPath(spec.stateDir, spec.project);
    await rotateIfLarge(logPath);
    const fingerprint = await codeFingerprint(spec.projectDir);
    const spawned = await spawnDetached({
      command: spec.command,
      cwd: spec.projectDir,
      env: { ...spec.env, TEMPORAL_TASK_QUEUE: spec.taskQueue },
      logPath,
    });
    void spawned.exited.then((exit) => exits.set(spawned.pid, exit));
    const record: PidRecord = {
      kind: 'worker',
      ...identityOf(spawned),
      cwd: spec.projectDir,
      project: spec.project,
      taskQueue: spec.taskQueue,
      logPath,
      fingerprint,
      command: spec.command,
      startedAt: new Date().toISOString(),
      host: hostname(),
    };
    await writePidRecord(spec.stateDir, record);
    return { record, replaced };
  });
}
