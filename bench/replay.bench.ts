// Replay-check benchmark against a throwaway dev server:
//   node --import tsx bench/replay.bench.ts [--n 200] [--repeat 3] [--cold]
// N Greeter runs of the replay fixture wait for a signal after their first activity. Measured in
// the same run: the raw history-fetch rate (list + every history, what the check must read anyway)
// and the replay rate, counted as what a whole check costs beyond that fetch (the check starts the
// project's worker command with the hook while it fetches, and replays each history as it arrives).
// Also the replay process's own wall time, and a check of one run (start-up) for the marginal rate.
// By default each measured check finds the warm processes left by the one before, as the control
// worker's checks do; --cold measures checks that start every process from nothing
// (TEMPORAL_OPS_REPLAY_WARM=0, or the CLI's own replay-check).
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { defaultTemporalCli, packageRoot } from '../src/config.js';
import { mapLimit } from '../src/inspect/pool.js';
import { clientPollerSource } from '../src/host/workers/pollers.js';
import { ensureWorker } from '../src/host/workers/workers.js';
import { venvPython } from '../src/host/projects/example.js';
import { openWorkflowHistories } from '../src/host/replay/histories.js';
import { replayCheck } from '../src/host/replay/replay-check.js';
import { drainWarm, whenWarm } from '../src/host/replay/warm-pool.js';
import { startDevServer } from '../src/host/server/dev-server.js';
import { freePort } from '../src/host/server/ports.js';
import { teardownBench } from './teardown.js';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    repeat: { type: 'string', default: '3' },
    cold: { type: 'boolean', default: false },
  },
});
const COLD = flags.cold;
const N = Number(flags.n);
const REPEAT = Number(flags.repeat);
const QUEUE = 'replay-bench';
const WORKER = `${venvPython} replay_worker.py`;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const rate = (count: number, ms: number) => (count / (ms / 1000)).toFixed(1);

async function copyProject(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const source of ['python', 'replay'].map((d) => join(packageRoot, 'test', 'fixtures', d)))
    for (const file of await readdir(source))
      if (file.endsWith('.py')) await copyFile(join(source, file), join(dir, file));
}

/** Starts N Greeter runs and waits until each has done its activity and waits (10 events). */
async function populate(client: Client): Promise<void> {
  const ids = Array.from({ length: N }, (_, i) => `greeter-${i}`);
  await mapLimit(ids, 16, (workflowId) =>
    client.workflow.start('Greeter', { taskQueue: QUEUE, workflowId, args: [workflowId] }),
  );
  const waiting = async (workflowId: string) => {
    for (;;) {
      const info = await client.workflow.getHandle(workflowId).describe();
      if (info.historyLength >= 10) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await mapLimit(ids, 16, waiting);
  for (;;) {
    const { histories } = await openWorkflowHistories(client, { taskQueue: QUEUE, max: N });
    if (histories.length === N) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'temporal-ops-replay-bench-'));
  const stateDir = join(root, 'state');
  const dbDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'replay-bench-db-'));
  const server = await startDevServer(stateDir, defaultTemporalCli(), {
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(dbDir, 'bench.db'),
    headless: true,
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const baseEnv = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' };
  try {
    const projectDir = join(root, 'project');
    await copyProject(projectDir);
    await ensureWorker(
      {
        stateDir,
        project: 'replay-bench',
        projectDir,
        command: WORKER,
        taskQueue: QUEUE,
        env: {},
        baseEnv,
        graceMs: 3000,
      },
      { ready: { timeoutMs: 60_000, pollers: clientPollerSource(client) } },
    );
    const populated = performance.now();
    await populate(client);
    log(`${N} Greeter runs waiting after ${((performance.now() - populated) / 1000).toFixed(1)} s`);

    // As the control worker does (unless --cold): warm processes are left for the next check.
    const check = (max: number, keepWarm = !COLD) =>
      replayCheck(client, {
        projectDir,
        taskQueue: QUEUE,
        workerCommand: WORKER,
        baseEnv,
        stateDir,
        max,
        keepWarm,
      });
    // The control worker has checked this project before: the first check leaves warm processes,
    // and before each measured check they have had the time to import the SDK (checks of a project
    // come minutes apart, not back to back).
    const settle = () => (COLD ? Promise.resolve() : whenWarm());
    if (!COLD) await check(N);
    const fetches: number[] = [];
    const replays: number[] = [];
    const processes: number[] = [];
    const startups: number[] = [];
    let isolation = 'none';
    let processCount = 1;
    let warmCount = 0;
    for (let i = 0; i < REPEAT; i++) {
      const t = performance.now();
      const { histories } = await openWorkflowHistories(client, { taskQueue: QUEUE, max: N });
      fetches.push(performance.now() - t);
      await settle();
      const full = await check(N);
      if (full.replays !== N || histories.length !== N)
        throw new Error(`expected ${N} runs that replay, got ${full.replays} of ${full.checked}`);
      replays.push(Math.max(1, full.durationMs - fetches.at(-1)!));
      processes.push(full.replayMs);
      isolation = full.isolation ?? 'none';
      processCount = full.processes ?? 1;
      warmCount = full.warmProcesses ?? 0;
      await settle();
      const one = await check(1);
      startups.push(one.durationMs);
      log(
        `run ${i + 1}: fetch ${Math.round(fetches.at(-1)!)} ms, check ${full.durationMs} ms (replay process ${full.replayMs} ms), one-run check ${one.durationMs} ms`,
      );
    }
    const fetchMs = median(fetches);
    const replayMs = median(replays);
    const startupMs = median(startups);
    // A one-run check's own fetch is negligible: all of it is start-up.
    // Under heavy load a one-run check can cost more than the replay beyond the fetch: no figure then.
    const marginalMs = replayMs - startupMs;
    const marginal = (f: (ms: number) => string) => (marginalMs > 0 ? f(marginalMs) : 'n/a');
    const lines = [
      '',
      `Replay check benchmark: ${N} open Greeter runs (10 events each), medians of ${REPEAT} runs, 2 shared cores`,
      `  raw history fetch (list + ${N} fetches, 16 in flight): ${Math.round(fetchMs)} ms = ${rate(N, fetchMs)} histories/s`,
      `  replay = whole check - raw fetch (worker command + hook + Replayer, isolation ${isolation}): ${Math.round(replayMs)} ms = ${rate(N, replayMs)} histories/s`,
      `  replay processes: ${processCount}, ${warmCount} of them warm (one per CPU with 40 histories or more each; each replays one in ${processCount} listed runs)`,
      `  replay process wall time (first spawn to last exit, overlapping the fetch): ${median(processes)} ms`,
      `  start-up (a whole one-run check): ${startupMs} ms; marginal replay rate ${marginal((ms) => rate(N - 1, ms))} histories/s`,
      `  replay rate / fetch rate = ${(fetchMs / replayMs).toFixed(2)}x  (marginal: ${marginal((ms) => ((fetchMs * (N - 1)) / N / ms).toFixed(2))}x)`,
      `  a whole check (fetch + replay) of ${N} runs: ~${Math.round(fetchMs + replayMs)} ms`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await drainWarm();
    await teardownBench(connection, stateDir, [root, dbDir]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
