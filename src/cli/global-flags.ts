// The Temporal CLI's global flags, declared once on the program so every command takes them (before
// or after its own words), and their mapping to connection settings and the output style.
import { DEFAULTS } from '../defaults.js';
import { Option, type Command } from 'commander';
import type { ConnectOptions } from '../temporal/connection.js';
import type { OutputFormat, OutputStyle, TimeFormat } from './output.js';
import { commandTimeout } from './values.js';

/** What commander parsed from the global flags (every one optional): the connection settings, then output. */
export interface GlobalFlags extends Omit<ConnectOptions, 'env'> {
  output?: OutputFormat;
  color?: 'auto' | 'always' | 'never';
  timeFormat?: TimeFormat;
  commandTimeout?: number;
  logLevel?: SdkLogLevel;
}

/** --log-level as the Temporal CLI names it; `never` keeps SDK logs out of the terminal (the default). */
export type SdkLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'never';

/** The global flags, in the Temporal CLI's words (`temporal options` lists the same names). */
export function addGlobalFlags(program: Command): Command {
  return program
    .option(
      '--address <host:port>',
      'Temporal Service gRPC endpoint (env TEMPORAL_ADDRESS; default localhost:7233)',
    )
    .option(
      '-n, --namespace <namespace>',
      'Temporal Service namespace (env TEMPORAL_NAMESPACE; default default)',
    )
    .option('--api-key <key>', 'API key for requests (env TEMPORAL_API_KEY); turns TLS on')
    .option('--tls', 'enable TLS (env TEMPORAL_TLS); on by itself with an API key or any --tls-* flag')
    .option('--tls-cert-path <path>', 'x509 client certificate (env TEMPORAL_TLS_CLIENT_CERT_PATH)')
    .option('--tls-key-path <path>', 'x509 client private key (env TEMPORAL_TLS_CLIENT_KEY_PATH)')
    .option('--tls-ca-path <path>', 'server CA certificate (env TEMPORAL_TLS_SERVER_CA_CERT_PATH)')
    .option('--tls-server-name <name>', 'override the TLS server name (env TEMPORAL_TLS_SERVER_NAME)')
    .option(
      '--tls-disable-host-verification',
      'disable TLS host-name verification (env TEMPORAL_TLS_DISABLE_HOST_VERIFICATION); refused: the SDK cannot, use --tls-server-name',
    )
    .option('--profile <name>', 'temporal.toml profile (env TEMPORAL_PROFILE; default "default")')
    .option('--config-file <path>', 'temporal.toml path (env TEMPORAL_CONFIG_FILE)')
    .option(
      '--codec-endpoint <url>',
      'Codec Server that decodes payloads your codec sealed (env TEMPORAL_CODEC_ENDPOINT); {namespace} is filled in',
    )
    .option(
      '--codec-auth <value>',
      'Authorization header for Codec Server requests (env TEMPORAL_CODEC_AUTH)',
    )
    .addOption(
      new Option('-o, --output <format>', 'result format; --json is -o json').choices([
        'text',
        'json',
        'jsonl',
      ]),
    )
    .addOption(
      new Option(
        '--color <when>',
        `output coloring (default ${DEFAULTS.color}: on a terminal without NO_COLOR)`,
      ).choices(['auto', 'always', 'never']),
    )
    .addOption(
      new Option('--time-format <format>', `times in text output (default ${DEFAULTS.timeFormat})`).choices([
        'relative',
        'iso',
        'raw',
      ]),
    )
    .option(
      '--command-timeout <duration>',
      'give up after this long (30s, 5m, 1h), exit 4 (default: no limit)',
      commandTimeout,
    )
    .addOption(
      new Option(
        '--log-level <level>',
        `SDK log lines on the terminal too (default ${DEFAULTS.terminalLogLevel}: they go to the log file only)`,
      ).choices(['debug', 'info', 'warn', 'error', 'never']),
    );
}

/** The connection settings the flags give; resolution (flag > env > profile) is loadConnectTarget's. */
export function connectOptions(flags: GlobalFlags, env: NodeJS.ProcessEnv): ConnectOptions {
  const keys = [
    'address',
    'namespace',
    'apiKey',
    'tls',
    'tlsCertPath',
    'tlsKeyPath',
    'tlsCaPath',
    'tlsServerName',
    'tlsDisableHostVerification',
    'profile',
    'configFile',
    'codecEndpoint',
    'codecAuth',
  ] as const;
  const options: ConnectOptions = { env };
  for (const key of keys) if (flags[key] !== undefined) Object.assign(options, { [key]: flags[key] });
  return options;
}

/** The output style: -o (or a command's --json), --time-format, and --color against the terminal. */
export function outputStyle(
  flags: GlobalFlags,
  json: boolean,
  terminal: { isTTY: boolean; env: NodeJS.ProcessEnv },
): OutputStyle {
  const color = flags.color ?? DEFAULTS.color;
  return {
    format: flags.output ?? (json ? 'json' : DEFAULTS.output),
    timeFormat: flags.timeFormat ?? DEFAULTS.timeFormat,
    color: color === 'always' || (color === 'auto' && terminal.isTTY && !terminal.env.NO_COLOR),
  };
}
