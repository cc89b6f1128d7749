// `temporal-ops worker <command>`: target worker processes.
import { parseArgs } from 'node:util';
import { ExitError } from '../errors.js';
import { stopAll } from './commands/stop-all.js';
import type { CommandGroup } from './context.js';
import { ExitCode, printJson } from './output.js';

export const WORKER_USAGE = `  temporal-ops worker stop-all [--include-server] [--json]
      Stop every target worker we started (proven by pid, start time and command line).
`;

export const workerCli: CommandGroup = async (argv, ctx) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, 'include-server': { type: 'boolean' } },
  });
  switch (positionals[0]) {
    case 'stop-all': {
      const outcomes = await stopAll(ctx.settings, values['include-server'] ?? false);
      if (values.json) printJson(outcomes);
      else for (const o of outcomes) process.stdout.write(`pid ${o.pid}: ${o.result} (${o.detail})\n`);
      return ExitCode.ok;
    }
    default:
      throw new ExitError(`unknown command "worker ${positionals.join(' ')}"\n${WORKER_USAGE}`, ExitCode.usage);
  }
};
