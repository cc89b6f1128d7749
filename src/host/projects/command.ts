// Turning a worker command string into argv without a shell, unless the command needs one.
import { InvalidInputError } from '../../errors.js';

const SHELL_SYNTAX = /[|&;<>()$`*?[\]{}~]|\\\n/;

export interface ParsedCommand {
  file: string;
  args: string[];
  /** True when the command uses shell syntax and must run through /bin/sh. */
  shell: boolean;
}

/** Splits a command on whitespace with POSIX-style single and double quotes. */
export function parseCommand(command: string, field = 'workerCommand'): ParsedCommand {
  const text = command.trim();
  if (text === '') throw new InvalidInputError(field, command, 'expected a non-empty command');
  if (SHELL_SYNTAX.test(text.replace(/'[^']*'/g, "''"))) return { file: text, args: [], shell: true };
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new InvalidInputError(field, command, `expected a closing ${quote}`);
  if (inWord) words.push(current);
  const [file, ...args] = words as [string, ...string[]];
  return { file, args, shell: false };
}
