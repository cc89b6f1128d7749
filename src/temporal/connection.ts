// Connection settings from the standard Temporal environment and profile config
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS, temporal.toml profiles).
import type { Client } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { DEFAULTS } from '../defaults.js';
import { ConnectConfigError } from '../errors.js';
import { probeConnection, tlsSettings } from './connect-probe.js';
import { MAX_RECEIVE_BYTES } from './grpc.js';
import { targetDataConverter } from './target-payloads.js';
import { CodecServerDecoder, type CodecServer } from './codec-server.js';
// The one internal import: the public profile type drops the [codec] table, and reading it the way the
// SDK reads every other setting (file, profile, TEMPORAL_CODEC_* over it) beats a second TOML resolver.
// eslint-disable-next-line no-restricted-syntax
import { tomlLoadClientConfigProfile } from '@temporalio/envconfig/lib/envconfig-toml.js';

export interface ConnectTarget {
  address: string;
  namespace: string;
  /** Full options for Connection / NativeConnection (TLS, API key, metadata). */
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
  /** The Codec Server that decodes what target workflows' codecs sealed, when one is configured. */
  codec?: CodecServer;
}

/** Connection settings given explicitly (the CLI's flags); each one wins over its TEMPORAL_* variable. */
export interface ConnectOptions {
  address?: string;
  namespace?: string;
  apiKey?: string;
  tls?: boolean;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsCaPath?: string;
  tlsServerName?: string;
  tlsDisableHostVerification?: boolean;
  /** The temporal.toml profile (else $TEMPORAL_PROFILE, else "default"). */
  profile?: string;
  /** The temporal.toml path (else $TEMPORAL_CONFIG_FILE, else the default path). */
  configFile?: string;
  /** The Codec Server endpoint (else $TEMPORAL_CODEC_ENDPOINT, else the profile's codec.endpoint). */
  codecEndpoint?: string;
  /** Its Authorization header (else $TEMPORAL_CODEC_AUTH, else the profile's codec.auth). */
  codecAuth?: string;
  /** The environment to read (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Each explicit setting and the variable it stands in for: flags join the environment, one resolution. */
const ENV_OF: [keyof ConnectOptions, string][] = [
  ['address', 'TEMPORAL_ADDRESS'],
  ['namespace', 'TEMPORAL_NAMESPACE'],
  ['apiKey', 'TEMPORAL_API_KEY'],
  ['tls', 'TEMPORAL_TLS'],
  ['tlsCertPath', 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
  ['tlsKeyPath', 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
  ['tlsCaPath', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'],
  ['tlsServerName', 'TEMPORAL_TLS_SERVER_NAME'],
  ['tlsDisableHostVerification', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'],
  ['configFile', 'TEMPORAL_CONFIG_FILE'],
  ['codecEndpoint', 'TEMPORAL_CODEC_ENDPOINT'],
  ['codecAuth', 'TEMPORAL_CODEC_AUTH'],
];

/** The environment the Temporal CLI would see: `env` with each explicit setting in its variable's place. */
function connectEnv(options: ConnectOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? process.env))
    if (value !== undefined) env[key] = value;
  for (const [key, name] of ENV_OF) {
    const value = options[key];
    if (value !== undefined) env[name] = String(value);
  }
  return env;
}

/**
 * Loads the connection config the way the Temporal CLI does: explicit settings, then TEMPORAL_*
 * variables, then the temporal.toml profile. Throws ConnectConfigError for a missing profile, an
 * unreadable file, or a setting the SDK cannot honour.
 */
export function loadConnectTarget(options: ConnectOptions = {}): ConnectTarget {
  const env = connectEnv(options);
  if (
    env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true' ||
    env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1'
  )
    throw new ConnectConfigError(
      'tls-disable-host-verification',
      "the Temporal TypeScript SDK cannot turn off host-name verification; give --tls-server-name with the certificate's name instead",
    );
  const profile = options.profile ?? (env.TEMPORAL_PROFILE || undefined);
  let config: ReturnType<typeof loadClientConnectConfig>;
  try {
    config = loadClientConnectConfig({ ...(profile ? { profile } : {}), overrideEnvVars: env });
  } catch (error) {
    throw new ConnectConfigError(profile ? `profile ${profile}` : 'config', (error as Error).message);
  }
  const address = config.connectionOptions.address ?? DEFAULTS.temporalAddress;
  const codec = codecServerOf(profile, env);
  return {
    address,
    namespace: config.namespace ?? DEFAULTS.namespace,
    connectionOptions: { ...config.connectionOptions, address },
    ...(codec && { codec }),
  };
}

/** The profile's codec with the TEMPORAL_CODEC_* variables over it, as the Temporal CLI reads them. */
function codecServerOf(profile: string | undefined, env: Record<string, string>): CodecServer | undefined {
  // The SDK's profile type leaves the codec out; its TOML layer keeps it.
  const { codec } = tomlLoadClientConfigProfile({ ...(profile ? { profile } : {}), overrideEnvVars: env });
  if (!codec?.endpoint) return undefined;
  if (!/^https?:\/\/[^\s/]/.test(codec.endpoint))
    throw new ConnectConfigError('codec endpoint', `${JSON.stringify(codec.endpoint)} is not an http(s) URL`);
  return { endpoint: codec.endpoint, ...(codec.auth && { auth: codec.auth }) };
}

/** The data converter of a client of `target`: target payloads read, through its Codec Server if any. */
export function targetConverterOf(target: ConnectTarget) {
  return targetDataConverter(target.codec && new CodecServerDecoder(target.codec, target.namespace));
}

const PLAINTEXT_PROBE_MS = 1000;

/**
 * Opens a connection with `open`, so that every client path accepts and refuses the same configs:
 * with TLS on, the server is probed beside the connect, and a cause the probe names (a CA used as
 * the server's certificate, which the Rust core refuses; an unknown CA; a missing client
 * certificate; a refused API key) rejects with its ConnectionFailedError at once. A plaintext
 * connect that fails is probed afterwards; a failure the probe finds no cause for is rethrown.
 */
export async function checkedConnect<T>(
  target: ConnectTarget,
  open: () => Promise<T>,
  close: (connection: T) => unknown,
): Promise<T> {
  const opening = open();
  // Handled here too: it may reject while the probe runs.
  opening.catch(() => undefined);
  if (tlsSettings(target)) {
    const refused = await probeConnection(target);
    if (refused) {
      void opening.then(close, () => undefined);
      throw refused;
    }
    return opening;
  }
  try {
    return await opening;
  } catch (error) {
    // Short: it only asks whether the server speaks TLS, which a server answers at once.
    throw (await probeConnection(target, PLAINTEXT_PROBE_MS)) ?? error;
  }
}

/** A client for the target; close its connection with `client.connection.close()`. */
export async function connectClient(target: ConnectTarget): Promise<Client> {
  // Loaded here: the light read path of `workflows recent` takes the config without the SDK client.
  const { Client, Connection } = await import('@temporalio/client');
  const connection = await checkedConnect(
    target,
    () =>
      Connection.connect({
        ...target.connectionOptions,
        // gRPC-js refuses answers over 4 MiB by default: one page of a history with large payloads.
        channelArgs: {
          'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
          ...(target.connectionOptions as { channelArgs?: Record<string, unknown> }).channelArgs,
        },
        connectTimeout: '5s',
      }),
    (late) => late.close(),
  );
  return new Client({ connection, namespace: target.namespace, dataConverter: targetConverterOf(target) });
}

/** A native connection for workers; the worker SDK loads only here, so client-only commands stay light. */
export async function connectNative(target: ConnectTarget): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return checkedConnect(
    target,
    () => NativeConnection.connect(target.connectionOptions),
    (late) => late.close(),
  );
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
  const bounded = () => {
    const connecting = NativeConnection.connect(target.connectionOptions);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A connection that arrives after we gave up is closed, not leaked.
        void connecting.then((late) => late.close()).catch(() => undefined);
        reject(new Error(`no answer within ${NATIVE_CONNECT_TIMEOUT_MS / 1000} s`));
      }, NATIVE_CONNECT_TIMEOUT_MS);
    });
    return Promise.race([connecting, timedOut]).finally(() => clearTimeout(timer));
  };
  const connection = await checkedConnect(target, bounded, (late) => late.close());
  return new Client({ connection, namespace: target.namespace, dataConverter: targetConverterOf(target) });
}

/** How long a Rust-core connect may take, as gRPC-js's connectTimeout bounds the other path. */
export const NATIVE_CONNECT_TIMEOUT_MS = 5000;

/** True when the server answers a cheap call through `client` within `timeoutMs` (a server blip gives false). */
export async function serverAnswersVia(
  client: {
    connection: { withDeadline<R>(deadline: number, fn: () => Promise<R>): Promise<R> };
    workflowService: { getSystemInfo(request: object): Promise<unknown> };
  },
  timeoutMs = 2000,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    // The deadline ends the call and the SDK's retries of it: without it, a call to a server that is
    // down retries in the background long after we gave up, and on a closed channel it throws from a
    // timer. A closed channel also throws at the call itself: both read as no answer.
    const answered = Promise.resolve()
      .then(() =>
        client.connection.withDeadline(Date.now() + timeoutMs, () =>
          client.workflowService.getSystemInfo({}),
        ),
      )
      .then(
        () => true,
        () => false,
      );
    return await Promise.race([answered, late]);
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
