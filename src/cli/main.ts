// Entry point: parse argv, run one command, map errors to a documented exit code in one place.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { loadSettings, type Settings } from '../config.js';
import { ExitError } from '../errors.js';
import { createControlWorker } from '../control-worker.js';
import { loadConnectTarget, type ConnectTarget } from '../temporal/connection.js';
import { parseCommandLine, USAGE } from './argv.js';
import { approvePlan } from './commands/approve.js';
import { scheduleStallSweep } from './commands/schedule.js';
import { runRecipe } from './commands/run-recipe.js';
import { createCliContext, type CliContext, type CommandGroup } from './context.js';
import { workerCli } from './worker-cli.js';
import { workflowsCli } from './workflows-cli.js';
import { up } from './commands/up.js';
import { ExitCode, info } from './output.js';

const GROUPS: Record<'worker' | 'workflows', CommandGroup> = { worker: workerCli, workflows: workflowsCli };

/** Runs a command with a CLI context whose connection is closed afterwards. */
async function withContext(
  settings: Settings,
  target: ConnectTarget,
  fn: (ctx: CliContext) => Promise<number>,
): Promise<number> {
  const ctx = createCliContext(settings, target);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv);
  // The SDK logs every worker state change at INFO; the CLI shows its own progress instead.
  const level = (process.env.TEMPORAL_OPS_LOG_LEVEL ?? 'WARN') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      // The host-queue worker hosts activities only; the SDK warns about that on every start.
      if (entry.message.startsWith('No workflows registered')) return;
      process.stderr.write(
        `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message} ${entry.meta ? JSON.stringify(entry.meta) : ''}\n`,
      );
    }),
  });
  const settings = loadSettings();
  const target = loadConnectTarget();
  switch (command.name) {
    case 'help':
      process.stdout.write(USAGE);
      return ExitCode.ok;
    case 'up':
      return up(target, settings, {
        recipeInput: command.input,
        runRecipe: command.runRecipe,
        once: command.once,
        json: command.json,
      });
    case 'serve': {
      const worker = await createControlWorker({ target, settings });
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      info(`control worker: polling ${worker.queues.join(' and ')} on ${target.address}`);
      await worker.run(stop.signal);
      return ExitCode.ok;
    }
    case 'run':
      return withContext(settings, target, async (ctx) => {
        const report = await runRecipe(await ctx.client(), command.recipe, command.input, {
          opsTaskQueue: settings.opsTaskQueue,
          json: command.json,
          follow: command.follow,
        });
        return report.ok ? ExitCode.ok : ExitCode.notOk;
      });
    case 'schedule':
      return withContext(settings, target, async (ctx) =>
        scheduleStallSweep(await ctx.client(), settings.opsTaskQueue, command),
      );
    case 'approve':
      return withContext(settings, target, async (ctx) =>
        approvePlan(await ctx.client(), command.workflowId, command),
      );
    case 'group':
      return withContext(settings, target, (ctx) => GROUPS[command.group](command.argv, ctx));
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ExitError) {
      info(`error: ${error.message}`);
      process.exit(error.exitCode);
    }
    info(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(ExitCode.notOk);
  },
);
