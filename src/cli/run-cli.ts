// Parses argv on the command tree, runs the one command, and turns every outcome into an exit code.
import { CommanderError, type Command } from 'commander';
import { ExitError } from '../errors.js';
import type { CliContext } from './context.js';
import {
  buildProgram,
  VERSION_FLAGS,
  versionCall,
  type Call,
  type Invoke,
  type McpLoader,
} from './program.js';
import { explainFailure } from './connection-errors.js';
import type { createCliContext } from './context.js';
import { connectOptions, outputStyle } from './global-flags.js';
import { createOutput, ExitCode, processSink, type Sink } from './output.js';

export interface CliDeps {
  sink?: Sink;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The context commands run in; by default one from this process's environment, closed afterwards. */
  context?: CliContext;
  /** Replaces running the parsed command (tests record the call). */
  invoke?: Invoke;
  /** The MCP server (see McpLoader). */
  mcp?: McpLoader;
  /** Whether stdout is a terminal (--color auto); default: this process's. */
  isTTY?: boolean;
}

/** The exit code an error stands for: its own, 2 for any argv error, 1 for anything unexpected. */
function exitCodeOf(error: unknown): number {
  if (error instanceof ExitError) return error.exitCode;
  if (error instanceof CommanderError)
    // `--help`, `help` and `--version` exit 0; a group given without its command shows help and exits 2.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  return ExitCode.notOk;
}

function configure(command: Command, sink: Sink, name: string): void {
  command
    .exitOverride()
    .configureOutput({ writeOut: (text) => sink.stdout(text), writeErr: (text) => sink.stderr(text) })
    .showHelpAfterError(`(run "${name} --help" for usage)`);
  for (const sub of command.commands) configure(sub, sink, `${name} ${sub.name()}`);
}

/** `running`, or exit 4 once `timeoutMs` (--command-timeout) has passed. */
async function withCommandTimeout(running: Promise<number>, timeoutMs: number | undefined): Promise<number> {
  if (timeoutMs === undefined) return running;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new ExitError(`--command-timeout: no result within ${timeoutMs / 1000} s`, ExitCode.timeout)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one command line to its exit code; never exits the process itself. */
export async function runCli(argv: string[], deps: CliDeps = {}): Promise<number> {
  const sink = deps.sink ?? processSink;
  let code: number = ExitCode.ok;
  const env = deps.env ?? process.env;
  const run: Invoke = async (call: Call) => {
    const { globals } = call;
    let own: Awaited<ReturnType<typeof createCliContext>> | undefined;
    try {
      const [fn, created] = await Promise.all([
        call.load(),
        deps.context
          ? undefined
          : import('./context.js').then((m) => m.createCliContext({ connect: connectOptions(globals, env) })),
      ]);
      own = created;
      const context = { ...(deps.context ?? own!), logLevel: globals.logLevel };
      const style = outputStyle(globals, call.json, { isTTY: deps.isTTY ?? process.stdout.isTTY, env });
      const running = fn(call.options as never, { ...context, out: createOutput(sink, style) }).catch(
        async (error: unknown) => {
          throw await explainFailure(error, context);
        },
      );
      code = await withCommandTimeout(running, globals.commandTimeout);
    } catch (error) {
      throw await explainFailure(error, undefined);
    } finally {
      await own?.close();
    }
  };
  const program = buildProgram(
    deps.invoke ?? run,
    {
      cwd: deps.cwd ?? process.cwd(),
      env,
    },
    deps.mcp,
  );
  configure(program, sink, program.name());
  try {
    if (argv.length === 1 && VERSION_FLAGS.includes(argv[0]!)) await (deps.invoke ?? run)(versionCall);
    else await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    // Commander has printed its own errors already.
    if (!(error instanceof CommanderError))
      sink.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodeOf(error);
  }
}
