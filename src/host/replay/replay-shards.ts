// A check's histories spread over several replay processes (shards): the Python Replayer uses one
// core, and a process start-up costs as much as a few dozen replays, so one process per CPU, each
// with its share of the histories, as long as every process has enough of them to be worth it.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** A replay process is only started for at least this many histories of its own. */
const HISTORIES_PER_PROCESS = 40;

/** How many replay processes share `runs` histories: one per CPU, each with HISTORIES_PER_PROCESS or more. */
export function shardCount(runs: number, cpus = availableParallelism()): number {
  return Math.max(1, Math.min(cpus, Math.floor(runs / HISTORIES_PER_PROCESS)));
}

/** The files of one shard inside a check's directory. */
export interface ShardPaths {
  specPath: string;
  historiesPath: string;
  outputPath: string;
  logPath: string;
  /** Where a cold process's hook records how its Python was started (python-launch.ts). */
  launchPath: string;
}

/** Shard `index`'s spec, histories, hook output and log, side by side in `dir`. */
export function shardPaths(dir: string, index: number): ShardPaths {
  return {
    specPath: join(dir, `spec-${index}.json`),
    historiesPath: join(dir, `histories-${index}.bin`),
    outputPath: join(dir, `output-${index}.jsonl`),
    logPath: join(dir, `worker-${index}.log`),
    launchPath: join(dir, `launch-${index}.json`),
  };
}

/**
 * Runs every shard to its end and returns their results in order. The first shard to fail aborts
 * `stop` (so the others are killed) and its error is the one thrown, once every shard has ended.
 */
export async function runShards<T>(
  shards: readonly (() => Promise<T>)[],
  stop: AbortController,
): Promise<T[]> {
  let failed: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    shards.map((run) =>
      run().catch((error: unknown) => {
        failed ??= { error };
        stop.abort(error);
        throw error;
      }),
    ),
  );
  if (failed) throw failed.error;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
