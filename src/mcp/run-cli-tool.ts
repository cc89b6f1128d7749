// Runs one command line of the CLI's own tree in-process, on the session's context, and keeps
// what it prints: its --json result, its progress lines, its error and exit code.
import { CommanderError, type Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { explainFailure } from '../cli/connection-errors.js';
import { createOutput, ExitCode, type Sink } from '../cli/output.js';
import type { Invoke } from '../cli/program.js';
import { ExitError } from '../errors.js';
import type { ToolOutcome } from './outcome.js';

/** The CLI's command tree over an `invoke` (the CLI hands its own `buildProgram` in). */
export type CommandTree = (invoke: Invoke) => Command;

function captured(command: Command, sink: Sink): void {
  command.exitOverride().configureOutput({ writeOut: sink.stdout, writeErr: sink.stderr });
  for (const sub of command.commands) captured(sub, sink);
}

/** The exit code as the CLI's: an ExitError's own, 2 for an argv error, 1 for anything unexpected. */
function exitCodeOf(error: unknown): number {
  if (error instanceof ExitError) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  return ExitCode.notOk;
}

/** Runs `argv` (which must include --json) as the CLI would; its stderr lines go to `onLine` as they come. */
export async function runCliTool(
  argv: string[],
  tree: CommandTree,
  context: CliContext,
  onLine: (line: string) => void,
): Promise<ToolOutcome> {
  let stdout = '';
  let partial = '';
  const log: string[] = [];
  const sink: Sink = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l !== '')) {
        log.push(line);
        onLine(line);
      }
    },
  };
  const outcome: ToolOutcome = { exitCode: ExitCode.ok, log };
  const program = tree(async (call) => {
    const fn = await call.load();
    outcome.exitCode = await fn(call.options as never, {
      ...context,
      out: createOutput(sink, call.json),
    }).catch(async (error: unknown) => {
      throw await explainFailure(error, context);
    });
  });
  captured(program, sink);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    outcome.exitCode = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    outcome.error = message.replace(/^error: /, '');
  }
  if (partial !== '') log.push(partial);
  if (stdout.trim() !== '') {
    try {
      outcome.result = JSON.parse(stdout) as unknown;
    } catch {
      outcome.result = stdout;
    }
  }
  return outcome;
}
