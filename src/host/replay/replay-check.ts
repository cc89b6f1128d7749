// The replay check: fetch the open histories of a task queue, replay them with the project's own
// worker command and registrations, and report per workflow whether a restart would break it.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { tailLog } from '../logs/logs.js';
import { tokenFile } from '../records/spawn-token.js';
import { SPAWN_TOKEN_ENV } from '../records/token-name.js';
import { ReplayCheckError } from '../../errors.js';
import { openGateAddress } from './gate-address.js';
import { gateConfigFile } from './hook-command.js';
import { buildReport, parseHookLines, type HookLine } from './hook-output.js';
import { fetchHistories, listOpenRuns } from './histories.js';
import { HistoryStream } from './history-stream.js';
import { networkIsolation, type IsolationPlan } from './isolation.js';
import { endReplayRun, recordReplayRun, stopOrphanedReplays, type ReplayRunRecord } from './replay-runs.js';
import { runShards, shardCount, shardPaths, type ShardPaths } from './replay-shards.js';
import type { ReplayReport } from './report-types.js';
import { hookNotLoaded, runWithHook, type Launched } from './run-hook.js';
import { launchFacts, takeLaunch, type PythonLaunch } from './python-launch.js';
import { keepWarm, releaseSlot, takeWarm, warmKey, type WarmSpec } from './warm-pool.js';

export interface ReplayCheckOptions {
  projectDir: string;
  taskQueue: string;
  workerCommand: string;
  /** Project env for the worker command (as for the real worker). */
  env?: Record<string, string>;
  /** Connection env of this host (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE). */
  baseEnv?: Record<string, string>;
  /** At most this many open runs, the newest (default 200). */
  max?: number;
  /** Where the spec, histories and log of each check go (a `replay/` dir is made inside). */
  stateDir: string;
  /** Bound on the worker command's run (default 120 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * A program may run several Workers: those on other task queues never poll, and the check fails
   * as `no-matching-worker` when none on `taskQueue` runs within this long (default 30 s).
   */
  otherQueueWaitMs?: number;
  /** Keep the check's directory (histories, log) after a successful check. */
  keepFiles?: boolean;
  /** `none` runs the replay process on this host's network (the hook and the gate address still apply). */
  isolation?: 'auto' | 'none';
  /** Replay processes that share the histories (default: shardCount's, one per CPU when there are enough). */
  processes?: number;
  /**
   * Use warm replay processes left by an earlier check of the same command and environment, and
   * leave some for the next (warm-pool.ts). For long-lived callers: the warm ones end with us.
   */
  keepWarm?: boolean;
}

/** One replay process's share: its files, environment and gate, and the warm process to let go, if any. */
interface Shard extends ShardPaths {
  env: Record<string, string>;
  tokenFile?: string;
  gateAddress: string;
  configFilePath: string;
  launched?: Launched;
}

/** Failed checks (and their warm processes' directories) keep their files for a look; a day later, or after a kill -9, they go. */
async function removeOldChecks(checksDir: string, maxAgeMs = 24 * 3600_000): Promise<void> {
  for (const name of await readdir(checksDir)) {
    if (!name.startsWith('check-') && !name.startsWith('warm-')) continue;
    const path = join(checksDir, name);
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > maxAgeMs) await rm(path, { recursive: true, force: true });
  }
}

/** Throws ReplayCheckError unless the hook replayed every history; explains the first missing step. */
async function assertReplayed(
  lines: readonly HookLine[],
  exit: { code: number | null; signal: string | null },
  command: string,
  logPath: string,
  taskQueue: string,
): Promise<void> {
  if (lines.some((l) => l.kind === 'done')) return;
  const tail = await tailLog(logPath, 30);
  const ended = `exited (code ${exit.code}, signal ${exit.signal})`;
  const seen = lines.filter((l) => l.kind === 'worker-seen');
  const failed = lines.find((l) => l.kind === 'error');
  if (!lines.some((l) => l.kind === 'hook-loaded')) throw hookNotLoaded(command, lines, ended, tail, exit);
  if (failed?.reason === 'no-matching-worker')
    throw new ReplayCheckError(
      'no-matching-worker',
      `"${command}" constructed no Worker with workflows on task queue "${taskQueue}" (seen: ${JSON.stringify(seen.map((s) => s.taskQueue))})`,
      tail,
      exit,
    );
  const clean = exit.code === 0 && exit.signal === null;
  if (seen.length === 0 && !failed && clean)
    throw new ReplayCheckError(
      'no-worker',
      `"${command}" ${ended} without constructing a temporalio Worker`,
      tail,
      exit,
    );
  const before = seen.length === 0 ? 'before constructing a Worker' : 'before replaying';
  throw new ReplayCheckError(
    'crashed',
    `"${command}" failed ${before} (${ended})${failed ? `: ${failed.message}` : ''}`,
    failed?.kind === 'error' && failed.traceback ? `${failed.traceback}\n${tail}` : tail,
    exit,
  );
}

/**
 * Replays the task queue's open histories (newest first, at most `max`) against the code in
 * `projectDir`, through its own worker command with the replay hook. Passes at once, without
 * starting any process, when nothing is open. Throws ReplayCheckError when no verdict is possible.
 */
export async function replayCheck(client: Client, options: ReplayCheckOptions): Promise<ReplayReport> {
  const started = performance.now();
  await stopOrphanedReplays(options.stateDir);
  const { runs: histories, truncated } = await listOpenRuns(client, options);
  let fetchMs = performance.now() - started;
  const report = (
    lines: readonly HookLine[],
    isolation: IsolationPlan | undefined,
    processes: number,
    warmProcesses: number,
    replayMs: number,
  ) =>
    buildReport({
      taskQueue: options.taskQueue,
      histories,
      lines,
      truncated,
      spawned: isolation !== undefined,
      ...(isolation ? { isolation: isolation.kind, processes, warmProcesses } : {}),
      fetchMs: Math.round(fetchMs),
      replayMs: Math.round(replayMs),
      durationMs: Math.round(performance.now() - started),
    });
  if (histories.length === 0) return report([], undefined, 0, 0, 0);
  options.signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? 120_000;

  const checksDir = join(options.stateDir, 'replay');
  await mkdir(checksDir, { recursive: true });
  await removeOldChecks(checksDir);
  const dir = await mkdtemp(join(checksDir, 'check-'));
  const configFilePath = join(dir, 'temporal.toml');
  const count = Math.min(histories.length, Math.max(1, options.processes ?? shardCount(histories.length)));
  const isolation: IsolationPlan =
    options.isolation === 'none' ? { kind: 'none', prefix: [] } : await networkIsolation();
  const commandEnv: Record<string, string> = {
    ...options.baseEnv,
    ...options.env,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
  };
  const warmSpec: WarmSpec = {
    stateDir: options.stateDir,
    command: options.workerCommand,
    cwd: options.projectDir,
    env: commandEnv,
    isolation,
  };
  // The wrapper files as this check finds them: warm processes recorded under others are stale.
  const facts = options.keepWarm ? await launchFacts(options.workerCommand, options.projectDir) : '';
  const warm = options.keepWarm ? takeWarm(warmKey(warmSpec), count, facts) : [];
  const gate = await openGateAddress();
  // Stops the replay when the fetch fails, as well as on the caller's cancellation.
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const streams: HistoryStream[] = [];
  let owned: ReplayRunRecord | undefined;
  let passed = false;
  /** Warm processes whose share was replayed cold instead. */
  let cooled = 0;
  /** How a cold process's Python was started, as its hook recorded it (for the warm ones to come). */
  let python: PythonLaunch | undefined;
  const recordedLaunch = async () => {
    let found: PythonLaunch | undefined;
    for (let i = 0; i < 2 * count; i++) found ??= await takeLaunch(shardPaths(dir, i).launchPath);
    return found;
  };
  try {
    // One record and one spawn token for every shard started here: a kill of the check leaves none behind.
    owned = await recordReplayRun(options.stateDir, {
      command: options.workerCommand,
      cwd: options.projectDir,
    });
    const env: Record<string, string> = { ...commandEnv, [SPAWN_TOKEN_ENV]: owned.spawnToken };
    const ownedFile = tokenFile(options.stateDir, owned.spawnToken);
    await writeFile(configFilePath, gateConfigFile(gate.address, env.TEMPORAL_PROFILE));
    const cold = (paths: ShardPaths): Shard => ({
      ...paths,
      env,
      tokenFile: ownedFile,
      gateAddress: gate.address,
      configFilePath,
    });
    const shards: Shard[] = Array.from({ length: count }, (_, i) => {
      const slot = warm[i];
      if (!slot) return cold(shardPaths(dir, i));
      const slotEnv = { ...commandEnv, [SPAWN_TOKEN_ENV]: slot.record.spawnToken };
      const { configFilePath: slotConfig, gate: slotGate, launched } = slot;
      return {
        ...slot.paths,
        env: slotEnv,
        gateAddress: slotGate.address,
        configFilePath: slotConfig,
        launched,
      };
    });
    for (const shard of shards) streams.push(await HistoryStream.create(shard.historiesPath));
    const writeSpec = (shard: Shard) =>
      writeFile(
        shard.specPath,
        JSON.stringify({
          taskQueue: options.taskQueue,
          gateAddress: shard.gateAddress,
          historiesPath: shard.historiesPath,
          outputPath: shard.outputPath,
          // The hook ends itself a little after our own bound, should nobody be left to kill it.
          deadlineSeconds: Math.ceil(timeoutMs / 1000) + 10,
          parkSeconds: (options.otherQueueWaitMs ?? 30_000) / 1000,
          ...(shard.launched ? {} : { launchPath: shard.launchPath }),
        }),
      );
    for (const shard of shards) await writeSpec(shard);
    const replay = async (shard: Shard): Promise<HookLine[]> => {
      const run = await runWithHook(
        {
          command: options.workerCommand,
          cwd: options.projectDir,
          ...shard,
          isolation,
          timeoutMs,
          signal: stop.signal,
        },
        shard.launched,
      );
      await assertReplayed(run.lines, run.exit, options.workerCommand, shard.logPath, options.taskQueue);
      return run.lines;
    };
    // The replay processes start (Python, imports, the project's Worker) while the histories are
    // fetched, and each replays a history of its share as soon as it is in its file.
    const replayStarted = performance.now();
    const running = runShards(
      shards.map((shard, i) => async () => {
        if (!shard.launched) return replay(shard);
        try {
          return await replay(shard);
        } catch (error) {
          // A warm process that failed before the program built its Worker (its SDK changed on
          // disk, it ended while it waited, its command is not one Python): replay its share cold.
          const seen = parseHookLines(await readFile(shard.outputPath, 'utf8').catch(() => ''));
          if (!(error instanceof ReplayCheckError) || stop.signal.aborted) throw error;
          if (seen.some((l) => l.kind === 'worker-seen')) throw error;
          cooled += 1;
          const again = { ...cold(shardPaths(dir, count + i)), historiesPath: shard.historiesPath };
          await writeSpec(again);
          return replay(again);
        }
      }),
      stop,
    );
    // Shares by listed position (newest first), so every process gets as many histories.
    const streamOf = new Map(histories.map((run, i) => [run.runId, streams[i % count] as HistoryStream]));
    const fetched = fetchHistories(client, histories, (h) => streamOf.get(h.runId)?.write(h)).then(
      async () => {
        await Promise.all(streams.map((s) => s.end()));
        fetchMs = performance.now() - started;
      },
    );
    const fetchFailed = fetched.then(
      () => undefined,
      (error: unknown) => {
        stop.abort(error);
        return error;
      },
    );
    let lines: HookLine[][];
    try {
      lines = await running;
    } catch (error) {
      // A replay stopped because the fetch failed reports the fetch's error (a shard's failure
      // also stops the others, and its own error is the one to report).
      const fetchError = await fetchFailed;
      if (fetchError !== undefined && stop.signal.reason === fetchError) throw fetchError;
      throw error;
    } finally {
      await fetchFailed;
    }
    const result = report(
      lines.flat(),
      isolation,
      count,
      warm.length - cooled,
      performance.now() - replayStarted,
    );
    passed = true;
    if (options.keepWarm) python = await recordedLaunch();
    if (!options.keepFiles) await rm(dir, { recursive: true, force: true });
    return result;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (owned) await endReplayRun(options.stateDir, owned);
    for (const slot of warm) await releaseSlot(slot, !passed || options.keepFiles);
    for (const stream of streams) await stream.close();
    await gate.close();
    if (options.keepWarm && !stop.signal.aborted)
      keepWarm(warmSpec, count, facts, python ?? (await recordedLaunch()));
  }
}
