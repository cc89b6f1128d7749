// `temporal-ops worker list`: our workers as a table, then every poller of their task queues classified.
import { clientPollerSource, type PollerSource } from '../../host/workers/pollers.js';
import {
  inventoryFacts,
  takeInventory,
  type Inventory,
  type WorkerRow,
} from '../../host/workers/inventory.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { formatBytes, formatDuration, table } from './worker-format.js';

/** The poller source, or undefined (with a warning) when no server answers: local facts still help. */
export async function optionalPollers(ctx: CommandContext): Promise<PollerSource | undefined> {
  try {
    return clientPollerSource(await ctx.client());
  } catch (error) {
    ctx.out.info(`warning: ${(error as Error).message}; showing local processes only`);
    return undefined;
  }
}

function code(row: WorkerRow): string {
  return row.stale ? `${row.fingerprint} (stale: tree is ${row.currentFingerprint})` : row.fingerprint;
}

/** The human rendering of an inventory. */
export function formatInventory(inventory: Omit<Inventory, 'views'>, nowMs = Date.now()): string {
  const rows = inventory.workers.map((w) => [
    w.project,
    String(w.pid),
    w.state,
    formatDuration(w.uptimeMs),
    formatBytes(w.rssBytes),
    w.taskQueue,
    w.pollersSeen === undefined ? '?' : String(w.pollersSeen),
    code(w),
    w.logPath,
  ]);
  const parts = [
    table(['PROJECT', 'PID', 'STATE', 'UPTIME', 'RSS', 'TASK QUEUE', 'POLLERS', 'CODE', 'LOG'], rows),
  ];
  const notes = inventory.workers
    .filter((w) => w.state !== 'running')
    .map((w) => `  ${w.project} ${w.pid} ${w.state}: ${w.why}`);
  if (notes.length > 0) parts.push(notes.join('\n'));
  for (const queue of inventory.queues) {
    const pollers = queue.pollers.map((p) => [
      `  ${p.identity}`,
      p.class,
      `${formatDuration(nowMs - p.lastAccessTimeMs)} ago`,
      p.why,
    ]);
    parts.push(
      pollers.length === 0
        ? `Pollers of ${queue.taskQueue}: none`
        : `Pollers of ${queue.taskQueue}:\n${table(['  IDENTITY', 'CLASS', 'LAST POLL', 'WHY'], pollers)}`,
    );
  }
  return parts.join('\n\n');
}

export interface ListOptions {
  /** Only this project (else every recorded one). */
  project?: string;
  /** More task queues whose pollers to classify. */
  taskQueues: string[];
}

/** Lists recorded workers (one project or all) and reconciles the pollers of their queues. */
export async function workerList(options: ListOptions, ctx: CommandContext): Promise<number> {
  const pollers = await optionalPollers(ctx);
  const inventory = inventoryFacts(
    await takeInventory(ctx.settings.stateDir, {
      project: options.project,
      taskQueues: options.taskQueues,
      pollers,
    }),
  );
  if (inventory.serverError)
    ctx.out.info(`warning: could not ask the server about pollers: ${inventory.serverError}`);
  ctx.out.result(inventory, (i) =>
    i.workers.length === 0 && i.queues.length === 0
      ? `no worker recorded in ${ctx.settings.stateDir}`
      : formatInventory(i),
  );
  return ExitCode.ok;
}
