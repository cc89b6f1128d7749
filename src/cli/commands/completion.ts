// `temporal-ops completion bash|zsh|fish`: prints the completion script of the command tree.
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface CompletionOptions {
  /** The script, generated from the tree when argv was parsed. */
  script: string;
}

/** Prints the script to stdout (exit 0). */
export async function printCompletion(options: CompletionOptions, ctx: CommandContext): Promise<number> {
  ctx.out.write(options.script);
  return Promise.resolve(ExitCode.ok);
}
