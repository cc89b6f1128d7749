// The replay process's command and environment: the hook directory on every PYTHONPATH the command
// sets for itself, and every connection setting aimed at the gate's own address.
import { delimiter } from 'node:path';
import { parseCommand } from '../projects/command.js';
import { SPAWN_TOKEN_ENV } from '../records/token-name.js';

/** The env var the hook reads: path of the replay spec (JSON). */
const REPLAY_SPEC_ENV = 'TEMPORAL_OPS_REPLAY';

/** Set for a warm replay process: where it says it has imported the SDK and waits for `go`. */
export const REPLAY_WAIT_ENV = 'TEMPORAL_OPS_REPLAY_WAIT';

/** Connection settings by name (the SDKs' own and the spellings projects use for an address). */
const CONNECTION_NAME = /^TEMPORAL_\w*(ADDRESS|HOST|HOSTPORT|ENDPOINT|SERVER|TARGET|URL|FRONTEND)\w*$/;

/** The env var that carries, shell-quoted, an argv that a command string cannot spell. */
const REPLAY_ARGV_ENV = 'TEMPORAL_OPS_REPLAY_ARGV';

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function isEnvProgram(file: string): boolean {
  return file === 'env' || file.endsWith('/env');
}

/**
 * The argv that runs `command` with `hookDir` first on any PYTHONPATH the command assigns itself
 * (`env PYTHONPATH=… prog`, or `PYTHONPATH=…`/`export PYTHONPATH=…` in shell syntax).
 */
export function hookedArgv(command: string, hookDir: string): string[] {
  const parsed = parseCommand(command);
  if (parsed.shell) {
    const text = parsed.file.replace(
      /(^|[\s;&|(])((?:export\s+)?)PYTHONPATH=/g,
      (_m, before: string, exported: string) => `${before}${exported}PYTHONPATH=${shellQuote(hookDir)}:`,
    );
    return ['/bin/sh', '-c', text];
  }
  const argv = [parsed.file, ...parsed.args];
  if (isEnvProgram(parsed.file))
    for (let i = 1; i < argv.length; i++) {
      const word = argv[i] as string;
      if (word.startsWith('PYTHONPATH=')) argv[i] = `PYTHONPATH=${hookDir}${delimiter}${word.slice(11)}`;
      else if (!word.startsWith('-') && !/^[A-Za-z_]\w*=/.test(word) && argv[i - 1] !== '-u') break;
    }
  return argv;
}

/**
 * A command string for spawnDetached that runs exactly `argv`, plus env it needs. parseCommand has
 * no escapes and takes an unpaired single quote for shell syntax: an argv with a single quote in a
 * word goes through `sh -c 'eval "exec $TEMPORAL_OPS_REPLAY_ARGV"'` instead (the same pid: exec).
 */
export function launchOf(argv: readonly string[]): { command: string; env: Record<string, string> } {
  if (!argv.some((word) => word.includes("'")))
    return { command: argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w}'`)).join(' '), env: {} };
  return {
    command: `/bin/sh -c 'eval "exec $${REPLAY_ARGV_ENV}"'`,
    env: { [REPLAY_ARGV_ENV]: argv.map(shellQuote).join(' ') },
  };
}

export interface HookEnvInput {
  /** The environment the worker command would get (connection, project env, task queue). */
  env: Record<string, string>;
  /** Environment inherited from this process, for names the command may see through it. */
  inherited: NodeJS.ProcessEnv;
  hookDir: string;
  specPath: string;
  gateAddress: string;
  /** A temporal.toml naming only the gate's address. */
  configFilePath: string;
}

/** The replay process's environment: the hook armed and every connection setting at the gate. */
export function hookEnv(input: HookEnvInput): Record<string, string> {
  const { env, inherited, gateAddress } = input;
  const live = env.TEMPORAL_ADDRESS ?? inherited.TEMPORAL_ADDRESS;
  const out: Record<string, string> = { ...env };
  for (const [name, value] of Object.entries({ ...inherited, ...env })) {
    if (value === undefined) continue;
    if (CONNECTION_NAME.test(name)) out[name] = gateAddress;
    else if (live && value.includes(live)) out[name] = value.replaceAll(live, gateAddress);
  }
  const existing = env.PYTHONPATH ?? inherited.PYTHONPATH;
  return {
    ...out,
    TEMPORAL_ADDRESS: gateAddress,
    TEMPORAL_API_KEY: '',
    TEMPORAL_CONFIG_FILE: input.configFilePath,
    PYTHONPATH: existing ? `${input.hookDir}${delimiter}${existing}` : input.hookDir,
    [REPLAY_SPEC_ENV]: input.specPath,
  };
}

/**
 * A hooked environment recorded by a check's Python, armed again for another spec and gate (a warm
 * process that starts that Python directly): our own names dropped, the hook once on PYTHONPATH.
 */
export function rehookEnv(
  recorded: Record<string, string>,
  input: Omit<HookEnvInput, 'env' | 'inherited'>,
): Record<string, string> {
  const env = { ...recorded };
  for (const name of [REPLAY_SPEC_ENV, REPLAY_WAIT_ENV, REPLAY_ARGV_ENV, SPAWN_TOKEN_ENV]) delete env[name];
  const path = (env.PYTHONPATH ?? '').split(delimiter).filter((p) => p !== input.hookDir);
  if (path.join('') !== '') env.PYTHONPATH = path.join(delimiter);
  else delete env.PYTHONPATH;
  return hookEnv({ ...input, env, inherited: {} });
}

/** The temporal.toml the replay process gets: its profile (default or TEMPORAL_PROFILE) names the gate. */
export function gateConfigFile(gateAddress: string, profile = 'default'): string {
  return `[profile.${JSON.stringify(profile)}]\naddress = ${JSON.stringify(gateAddress)}\n`;
}
