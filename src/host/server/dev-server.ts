// Starting and stopping a local dev server we own (spawned like a worker, identity recorded).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverAnswers } from '../../temporal/connection.js';
import { tailLog } from '../logs/logs.js';
import { readPidRecords, removePidRecord, writePidRecord, type PidRecord } from '../records/pid-file.js';
import { identityOf, spawnDetached } from '../workers/spawn.js';
import { stopRecorded, type StopOutcome } from '../workers/stop.js';
import { groupMembers } from '../records/proc.js';
import { devServerArgs, type DevServerOptions } from './profile.js';

export interface StartedServer {
  record: PidRecord;
  address: string;
  uiUrl: string;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Spawns `temporal server start-dev` with our profile and waits until it answers. */
export async function startDevServer(
  stateDir: string,
  temporalCli: string,
  options: DevServerOptions,
  timeoutMs = 60_000,
): Promise<StartedServer> {
  if (options.dbFile !== undefined) await mkdir(dirname(options.dbFile), { recursive: true });
  const logPath = join(stateDir, 'logs', `server-${options.port}.log`);
  const command = [temporalCli, ...devServerArgs(options)].map(quote).join(' ');
  const spawned = await spawnDetached({ command, cwd: stateDir, env: {}, logPath });
  const record: PidRecord = {
    kind: 'server',
    ...identityOf(spawned),
    cwd: stateDir,
    project: String(options.port),
    taskQueue: '',
    logPath,
    fingerprint: '',
    command,
    startedAt: new Date().toISOString(),
    host: hostname(),
  };
  await writePidRecord(stateDir, record);
  const address = `${options.ip ?? '127.0.0.1'}:${options.port}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await serverAnswers(address, 1000))) {
    if (groupMembers(record.pgid).length === 0) {
      await removePidRecord(stateDir, record);
      throw new Error(`temporal server exited during startup; log tail:\n${await tailLog(logPath, 20)}`);
    }
    if (Date.now() > deadline) {
      await stopRecorded(stateDir, record, 2000);
      await removePidRecord(stateDir, record);
      throw new Error(`temporal server did not answer on ${address} within ${timeoutMs} ms`);
    }
    await sleep(250);
  }
  return { record, address, uiUrl: `http://localhost:${options.uiPort}` };
}

/** Stops dev servers we started (all, or the one on `port`), proven by identity. */
export async function stopDevServers(
  stateDir: string,
  graceMs: number,
  port?: number,
): Promise<StopOutcome[]> {
  const records = await readPidRecords(stateDir, {
    kind: 'server',
    ...(port ? { project: String(port) } : {}),
  });
  const outcomes: StopOutcome[] = [];
  for (const record of records) {
    outcomes.push(await stopRecorded(stateDir, record, graceMs));
    await removePidRecord(stateDir, record);
  }
  return outcomes;
}
