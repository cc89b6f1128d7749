// `temporal-ops worker stop-all [--include-server]`: stop every process we own, proven by identity.
import type { Settings } from '../../config.js';
import { readPidRecords, removePidRecord } from '../../processes/pid-file.js';
import { stopRecorded, type StopOutcome } from '../../processes/stop.js';
import { stopDevServers } from '../../server/dev-server.js';

/** Stops all recorded workers (and dev servers we started, when asked); never a process not proven ours. */
export async function stopAll(settings: Settings, includeServer: boolean): Promise<StopOutcome[]> {
  const workers = await readPidRecords(settings.stateDir, { kind: 'worker' });
  const outcomes = await Promise.all(
    workers.map(async (record) => {
      const outcome = await stopRecorded(record, settings.graceMs);
      await removePidRecord(settings.stateDir, record);
      return outcome;
    }),
  );
  if (includeServer) outcomes.push(...(await stopDevServers(settings.stateDir, settings.graceMs)));
  return outcomes;
}
