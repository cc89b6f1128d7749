// `worker health`: alive, polling, uptime, restarts, RSS and CPU, last errors in the log with times.
import { open } from 'node:fs/promises';
import { findLogErrors, latestRun, type LogError } from '../logs/log-errors.js';
import { takeInventory, type InventoryOptions, type WorkerRow } from './inventory.js';
import { tailLog } from '../logs/logs.js';
import { sampleCpuPercent } from './observe.js';
import { CLOCK_TICKS } from '../records/proc.js';

export interface WorkerHealth extends WorkerRow {
  /** Alive and (when the server was asked) polling its task queue. */
  healthy: boolean;
  /** CPU of its group over a short sample, in percent of one core; undefined when not alive. */
  cpuPercent?: number;
  /** CPU time its live group has used so far. */
  cpuSeconds: number;
  /** Error lines of its latest run in the log, newest last. */
  errors: LogError[];
  /** The end of its log, when it is not alive (why it died). */
  logTail?: string;
}

const ERROR_SCAN_BYTES = 512 * 1024;

async function readEnd(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Health of each recorded worker (of one project, or all); never signals anything. */
export async function checkHealth(
  stateDir: string,
  options: InventoryOptions & { errorLimit?: number; cpuSampleMs?: number } = {},
): Promise<{ workers: WorkerHealth[]; serverError?: string }> {
  const inventory = await takeInventory(stateDir, options);
  const cpu = await sampleCpuPercent(inventory.views, options.cpuSampleMs ?? 500);
  const workers = await Promise.all(
    inventory.workers.map(async (row, i): Promise<WorkerHealth> => {
      const alive = row.memberPids.length > 0 && row.state !== 'foreign';
      const text = latestRun(await readEnd(row.logPath, ERROR_SCAN_BYTES));
      return {
        ...row,
        healthy: alive && row.state !== 'not-polling',
        cpuPercent: cpu.get(row.pid),
        cpuSeconds: (inventory.views[i]?.cpuTicks ?? 0) / CLOCK_TICKS,
        errors: findLogErrors(text, options.errorLimit ?? 5),
        logTail: alive ? undefined : await tailLog(row.logPath, 20),
      };
    }),
  );
  return { workers, serverError: inventory.serverError };
}
