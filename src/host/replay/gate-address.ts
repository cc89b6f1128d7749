// An address the gate owns: a port on 127.0.0.1 that it holds for the whole check and that closes
// every connection at once. Every connection setting the replay process sees points here.
import { createServer } from 'node:net';
import { once } from 'node:events';

export interface GateAddress {
  /** `127.0.0.1:<port>`. */
  address: string;
  close(): Promise<void>;
}

/** Opens the gate's own address; close it when the check is over. */
export async function openGateAddress(): Promise<GateAddress> {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('the gate address has no port');
  server.unref();
  return {
    address: `127.0.0.1:${bound.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
