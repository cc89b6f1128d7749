// Connection settings from the standard Temporal environment and profile config
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS, temporal.toml profiles).
import type { Client } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { DEFAULTS } from '../defaults.js';

export interface ConnectTarget {
  address: string;
  namespace: string;
  /** Full options for Connection / NativeConnection (TLS, API key, metadata). */
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

/** Loads the connection config the way the Temporal CLI does; explicit values override. */
export function loadConnectTarget(overrides: { address?: string; namespace?: string } = {}): ConnectTarget {
  const profile = process.env.TEMPORAL_PROFILE;
  const config = loadClientConnectConfig(profile ? { profile } : {});
  const address = overrides.address ?? config.connectionOptions.address ?? DEFAULTS.temporalAddress;
  return {
    address,
    namespace: overrides.namespace ?? config.namespace ?? DEFAULTS.namespace,
    connectionOptions: { ...config.connectionOptions, address },
  };
}

/** A client for the target; close its connection with `client.connection.close()`. */
export async function connectClient(target: ConnectTarget): Promise<Client> {
  // Loaded here: the light read path of `workflows recent` takes the config without the SDK client.
  const { Client, Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ ...target.connectionOptions, connectTimeout: '5s' });
  return new Client({ connection, namespace: target.namespace });
}

/** A native connection for workers; the worker SDK loads only here, so client-only commands stay light. */
export async function connectNative(target: ConnectTarget): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(target.connectionOptions);
}

/**
 * A client over the Rust-core connection. A call through it costs the client about a third less CPU
 * than through gRPC-js (bench:sweep measures both), so large sweeps take it. Outside a worker, the runtime is installed without signal
 * handlers, so Ctrl-C still ends a command.
 */
export async function connectNativeClient(target: ConnectTarget): Promise<Client> {
  const [{ Client }, { IllegalStateError }, { NativeConnection, Runtime }] = await Promise.all([
    import('@temporalio/client'),
    import('@temporalio/common'),
    import('@temporalio/worker'),
  ]);
  try {
    Runtime.install({ shutdownSignals: [] });
  } catch (error) {
    // Already there: a worker in this process installed it (with its signal handlers), or an
    // earlier native client did.
    if (!(error instanceof IllegalStateError)) throw error;
  }
  const connecting = NativeConnection.connect(target.connectionOptions);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // A connection that arrives after we gave up is closed, not leaked.
      void connecting.then((late) => late.close()).catch(() => undefined);
      reject(new Error(`no answer within ${NATIVE_CONNECT_TIMEOUT_MS / 1000} s`));
    }, NATIVE_CONNECT_TIMEOUT_MS);
  });
  try {
    const connection = await Promise.race([connecting, timedOut]);
    return new Client({ connection, namespace: target.namespace });
  } finally {
    clearTimeout(timer);
  }
}

/** How long a Rust-core connect may take, as gRPC-js's connectTimeout bounds the other path. */
export const NATIVE_CONNECT_TIMEOUT_MS = 5000;

/** True when the server answers a cheap call through `client` within `timeoutMs` (a server blip gives false). */
export async function serverAnswersVia(
  client: { workflowService: { getSystemInfo(request: object): Promise<unknown> } },
  timeoutMs = 2000,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      client.workflowService.getSystemInfo({}).then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when a gRPC health check at `address` (no TLS, no key: a local dev server) answers within the timeout. */
export async function serverAnswers(address: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const { Connection } = await import('@temporalio/client');
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    try {
      await connection.healthService.check({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}
