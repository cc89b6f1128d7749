// The control worker's Prometheus endpoint (`up` / `serve` --metrics): the address is tried before
// the SDK binds it, so a port in use is reported with the flag and the value it was given.
import { createServer } from 'node:net';
import type { RuntimeOptions } from '@temporalio/worker';
import { METRIC_BUCKETS } from '../temporal/metrics.js';
import { usageError } from './options.js';

/** Why a listen failed, by its error code. */
const WHY: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use by another process; choose another port',
  EADDRNOTAVAIL: 'no network interface of this machine has that address',
  EACCES: 'that port needs privileges to listen on; choose a port above 1023',
};

/** Resolves when this process may listen on `address`; else a usage error naming --metrics and the address. */
export async function checkMetricsAddress(address: string): Promise<void> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(at + 1));
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = WHY[error.code ?? ''] ?? `cannot listen there (${error.code ?? error.message})`;
      reject(usageError(`--metrics ${address}: ${why}`));
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** Telemetry options that serve the SDK's metrics and ours at http://`address`/metrics. */
export function metricsTelemetry(address: string): NonNullable<RuntimeOptions['telemetryOptions']> {
  return {
    metrics: { prometheus: { bindAddress: address, histogramBucketOverrides: { ...METRIC_BUCKETS } } },
  };
}
