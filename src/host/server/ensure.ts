// Bootstrap for the main job: a workflow cannot ensure the server it runs on, so `up` does it.
import { join } from 'node:path';
import type { Settings } from '../../config.js';
import { isLoopbackAddress } from '../../temporal/address.js';
import { tlsSettings } from '../../temporal/connect-probe.js';
import { connectClient, serverAnswers, type ConnectTarget } from '../../temporal/connection.js';
import { startDevServer } from './dev-server.js';
import { defaultDbFile } from './profile.js';

export interface EnsuredServer {
  address: string;
  /** Web UI address when we know it (a dev server we started: gRPC port + 1000). */
  uiUrl?: string;
  startedByUs: boolean;
  pid?: number;
  logPath?: string;
}

function portOf(address: string): number {
  const port = Number(/:(\d+)$/.exec(address)?.[1] ?? 7233);
  return Number.isInteger(port) && port > 0 ? port : 7233;
}

/**
 * Probes the target address; when nothing answers on a plaintext loopback address, starts a dev
 * server there. With TLS on (a dev server speaks plaintext only) the server must be there: a
 * connection that fails rejects as every client path does (ConnectionFailedError for a named cause).
 */
export async function ensureServer(
  target: ConnectTarget,
  settings: Settings,
  log: (line: string) => void,
): Promise<EnsuredServer> {
  if (tlsSettings(target)) {
    const client = await connectClient(target);
    await client.connection.close();
    log(`server: using the server answering on ${target.address} over TLS`);
    return { address: target.address, startedByUs: false };
  }
  if (await serverAnswers(target.address, 3000)) {
    log(`server: using the server already answering on ${target.address}`);
    return { address: target.address, startedByUs: false };
  }
  if (!(await isLoopbackAddress(target.address))) {
    throw new Error(
      `no Temporal server answers on ${target.address}, and it is not a loopback address we could start one on (its host must resolve to 127.x or ::1 only)`,
    );
  }
  const port = portOf(target.address);
  log(
    `server: nothing answers on ${target.address}; starting temporal server start-dev (${settings.temporalCli})`,
  );
  const started = await startDevServer(settings.stateDir, settings.temporalCli, {
    port,
    uiPort: port + 1000,
    dbFile: defaultDbFile(settings.stateDir),
    bookkeepingNamespace: settings.bookkeepingNamespace,
  });
  log(
    `server: started pid ${started.record.pid}, state in ${join(settings.stateDir, 'server')}, log ${started.record.logPath}`,
  );
  return {
    address: started.address,
    uiUrl: started.uiUrl,
    startedByUs: true,
    pid: started.record.pid,
    logPath: started.record.logPath,
  };
}
