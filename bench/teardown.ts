// Shared end of the benchmarks that start their own dev server: stop what they started, remove their files.
import { rm } from 'node:fs/promises';
import type { Connection } from '@temporalio/client';
import { readPidRecords } from '../src/host/records/pid-file.js';
import { stopRecorded } from '../src/host/workers/stop.js';
import { stopDevServers } from '../src/host/server/dev-server.js';

/** Closes the connection, stops the recorded workers and the dev server, and removes the bench's dirs. */
export async function teardownBench(connection: Connection, stateDir: string, dirs: string[]): Promise<void> {
  await connection.close();
  for (const record of await readPidRecords(stateDir, { kind: 'worker' }))
    await stopRecorded(stateDir, record, 3000);
  await stopDevServers(stateDir, 5000);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}
