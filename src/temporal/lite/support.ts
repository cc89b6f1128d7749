// Which connection configs the light WorkflowService honours. Pure: the CLI asks before it loads gRPC.
import type { ConnectTarget } from '../connection.js';

const HONOURED = new Set(['address', 'tls', 'apiKey', 'metadata']);
const HONOURED_TLS = new Set(['serverNameOverride', 'serverRootCACertificate', 'clientCertPair']);

/**
 * Why the light service cannot serve this target (e.g. `connection option "proxy"`), or undefined
 * when it honours every option set: address, namespace, TLS, API key and metadata.
 */
export function liteUnsupported(target: ConnectTarget): string | undefined {
  const options: Record<string, unknown> = { ...target.connectionOptions };
  for (const [key, value] of Object.entries(options))
    if (value !== undefined && value !== null && !HONOURED.has(key)) return `connection option "${key}"`;
  if (options.apiKey !== undefined && typeof options.apiKey !== 'string')
    return 'an API key that is not a string';
  const tls = options.tls;
  if (tls !== null && typeof tls === 'object')
    for (const [key, value] of Object.entries(tls))
      if (value !== undefined && !HONOURED_TLS.has(key)) return `TLS option "${key}"`;
  return undefined;
}
