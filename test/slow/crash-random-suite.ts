// kill -9 of the control worker at random instants of a recipe's run, then a fresh control worker:
// every time the recipe completes (ok, or a failure it reports), the project has the workers the
// recipe promises and no orphan, the starter ran at most once, and one target workflow exists.
// One test file per recipe (crash-random-*.test.ts), each with its own state dir and ops queue, so
// the test runner runs them side by side: `node --import tsx scripts/test.ts test/slow/crash-random-*.test.ts`.
// Env: TEMPORAL_OPS_CRASH_SEED replays a run (the seed is printed), TEMPORAL_OPS_CRASH_KILLS is the
// number of kills that fall inside a run, per recipe (default 20; a kill after the end is drawn
// again), TEMPORAL_OPS_CRASH_RECIPES a comma-separated subset of CleanStart, CleanStartUv (the
// bundled example under `uv run`), TestInteractive, DebugStalled, CleanStartTwice (a second
// CleanStart after the restart).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { readIntents } from '../../src/host/records/intent.js';
import { exampleCleanStartInput, exampleProjectDir } from '../../src/host/projects/example.js';
import { readPidRecords, removePidRecord } from '../../src/host/records/pid-file.js';
import { stopRecorded } from '../../src/host/workers/stop.js';
import { releaseDeadWorker } from '../helpers/dead-worker.js';
import { testClient, uniqueQueue } from '../helpers/harness.js';
import {
  assertOneWorkerNoOrphan,
  controlWorkerEnv,
  copyOrders,
  fixturesDir,
  scratchDir,
  startControlWorkerProcess,
  tokensOnQueue,
  venvPython,
  waitFor,
} from '../helpers/processes.js';
import { seededRandom, seedFrom, spreadInstants } from '../helpers/random-instants.js';
import { ACT_POLICY, copyFixtures, untilNoWorkerVerdict } from '../integration/debug-act-fixture.js';

const root = process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp';
const seed = seedFrom('TEMPORAL_OPS_CRASH_SEED');
const kills = Number(process.env.TEMPORAL_OPS_CRASH_KILLS ?? 20);
const only = process.env.TEMPORAL_OPS_CRASH_RECIPES?.split(',');
let client: Client;
let env: Record<string, string>;
let stateDir: string;
let opsQueue: string;

/** One run's project: a fresh copy, its own queue and starter-runs file. */
interface Run {
  project: string;
  projectDir: string;
  queue: string;
  runsFile: string;
  /** The target workflows the test itself started before the recipe (DebugStalled's stalled one). */
  preStarted: string[];
}

interface RecipeCase {
  name: 'CleanStart' | 'TestInteractive' | 'DebugStalled';
  /** Names the case when one recipe has several (e.g. another worker command). */
  label?: string;
  /** One project and queue for every run (each run replaces the previous run's worker), or a fresh one each. */
  shared: boolean;
  /** The worker runs under `uv run`: its poller is uv's child. */
  wrapped?: boolean;
  /** Workers of the project once the recipe ended (TestInteractive stops the one it started). */
  workersAfter: 0 | 1;
  prepare(run: Run): Promise<void>;
  input(run: Run): Record<string, unknown>;
}

const recipes: RecipeCase[] = [
  {
    name: 'CleanStart',
    shared: true,
    workersAfter: 1,
    async prepare() {},
    input: (run) => ({
      projectDir: run.projectDir,
      project: run.project,
      taskQueue: run.queue,
      workerCommand: `${venvPython} worker.py`,
      graceSeconds: 3,
      start: {
        command: `${venvPython} ${join(fixturesDir, 'counting_starter.py')} --runs-file ${run.runsFile}`,
      },
    }),
  },
  {
    // The bundled example as `npm start` runs it: `uv run worker` (uv's Python child polls), `uv run starter`.
    name: 'CleanStart',
    label: 'CleanStartUv',
    wrapped: true,
    shared: true,
    workersAfter: 1,
    async prepare() {},
    input: (run) => ({ ...exampleCleanStartInput(run.queue), project: run.project, graceSeconds: 3 }),
  },
  {
    name: 'TestInteractive',
    shared: true,
    workersAfter: 0,
    async prepare() {},
    input: (run) => ({
      projectDir: run.projectDir,
      project: run.project,
      taskQueue: run.queue,
      workerCommand: `${venvPython} worker.py`,
      graceSeconds: 3,
      start: { workflowType: 'Approval', args: [{ requestId: 'r-1' }] },
      interactions: [
        { query: 'get_status', expect: { state: 'pending', notes: [] } },
        { signal: 'approve', args: [{ approved: true, by: 'ops' }] },
      ],
      expectResult: { status: 'ok' },
    }),
  },
  {
    name: 'DebugStalled',
    // A queue nobody polls for each run (a stopped worker's poller lingers on the server).
    shared: false,
    workersAfter: 1,
    async prepare(run) {
      const id = `stalled-${nanoid(8)}`;
      await client.workflow.start('NoWorkerTarget', { taskQueue: run.queue, workflowId: id, args: [{}] });
      run.preStarted.push(id);
      await untilNoWorkerVerdict(client, id, ACT_POLICY);
    },
    input: (run) => ({
      act: true,
      autoApprove: true,
      projectDir: run.projectDir,
      project: run.project,
      taskQueue: run.queue,
      workerCommand: `${venvPython} worker.py`,
      graceSeconds: 3,
      policy: ACT_POLICY,
    }),
  },
];

async function freshRun(recipe: RecipeCase): Promise<Run> {
  let project: string;
  let projectDir: string;
  if (recipe.label === 'CleanStartUv') {
    project = `rnd-uv-${nanoid(6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`;
    projectDir = exampleProjectDir;
  } else if (recipe.name === 'DebugStalled') {
    const copy = await copyFixtures('rnd-debug');
    ({ project, dir: projectDir } = copy);
  } else {
    project = `rnd-${recipe.name.toLowerCase()}-${nanoid(6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`;
    projectDir = await copyOrders(await scratchDir(project), { git: true });
  }
  return { project, projectDir, queue: uniqueQueue('rnd'), runsFile: '', preStarted: [] };
}

/** The run's project: the recipe's shared one, or a fresh one; a new starter-runs file either way. */
async function runFor(recipe: RecipeCase, shared: Run | undefined): Promise<Run> {
  const run = shared ? { ...shared, preStarted: [] } : await freshRun(recipe);
  run.runsFile = join(await mkdtemp(join(root, 'runs-')), 'runs.txt');
  await writeFile(run.runsFile, '');
  return run;
}

/** Workflow ids on `queue` started at or after `sinceMs`. */
async function targetsSince(queue: string, sinceMs: number): Promise<string[]> {
  const since = new Date(sinceMs - 1000).toISOString();
  const ids: string[] = [];
  for await (const w of client.workflow.list({ query: `TaskQueue = '${queue}' AND StartTime >= '${since}'` }))
    if (w.startTime.getTime() >= sinceMs) ids.push(w.workflowId);
  return ids;
}

/** What one run showed, for the tally. */
interface Outcome {
  ok: boolean;
  /** From the recipe's start until it (and a second run) ended. */
  durationMs: number;
  killedAtMs?: number;
  /** The kill came after the recipe had already ended. */
  late: boolean;
  /** Activity attempts of the killed control worker released at once (see releaseDeadWorker). */
  released: number;
}

type Report = { ok: boolean; problem?: string; worker?: { pid: number } };

/**
 * Runs `recipe` once; with `killAtMs`, SIGKILLs the control worker that long after the start and
 * starts a fresh one. With `again`, the restart also starts the recipe a second time on the same
 * project, as `npm start` does after a crash.
 */
async function runOnce(
  recipe: RecipeCase,
  run: Run,
  options: { killAtMs?: number; again?: Run } = {},
): Promise<Outcome> {
  const { killAtMs, again } = options;
  const sinceMs = Date.now();
  await recipe.prepare(run);
  let worker = await startControlWorkerProcess(env);
  const startedAt = Date.now();
  const start = (input: Record<string, unknown>) =>
    client.workflow.start(recipe.name, {
      taskQueue: opsQueue,
      workflowId: `rnd-${recipe.name}-${nanoid(8)}`,
      args: [input],
      workflowExecutionTimeout: '10m',
    });
  const handle = await start(recipe.input(run));
  let late = false;
  let released = 0;
  const reports: Report[] = [];
  // Until the recipe ended, without the control worker's shutdown: kill instants fall in the run.
  let durationMs = 0;
  try {
    let second: Promise<Report> | undefined;
    if (killAtMs !== undefined) {
      const ended = handle.result().then(
        () => true,
        () => true,
      );
      // The kill instant itself is what this suite draws: time passes here on purpose.
      late = await Promise.race([ended, sleep(killAtMs).then(() => false)]);
      process.kill(worker.pid, 'SIGKILL');
      const exit = await worker.exited;
      assert.equal(exit.signal, 'SIGKILL');
      released = (await releaseDeadWorker(client, opsQueue, worker.pid, [handle.workflowId])).length;
      worker = await startControlWorkerProcess(env);
      if (again) second = (await start(recipe.input(again))).result() as Promise<Report>;
    }
    reports.push((await handle.result()) as Report);
    if (second) reports.push(await second);
    durationMs = Date.now() - startedAt;
  } finally {
    await worker.stop();
  }
  const at = `${recipe.label ?? recipe.name} killed at ${killAtMs ?? '-'} ms${again ? ' then run again' : ''} (seed ${seed})`;
  // An honest failure names its problem; the invariants below hold either way.
  for (const r of reports) if (!r.ok) assert.ok(r.problem, `${at}: a failed recipe says why`);
  if (recipe.workersAfter === 1 && reports.some((r) => r.ok)) {
    const one = await assertOneWorkerNoOrphan(client, stateDir, run.project, run.queue, {
      pollerInGroup: recipe.wrapped === true,
    });
    const named = reports.map((r) => r.worker?.pid);
    // Of two runs, the one that ended last may have replaced the other's worker.
    assert.ok(named.includes(one.pid), `${at}: the reports name ${named.join(', ')}, ${one.pid} runs`);
  } else if (recipe.workersAfter === 1) {
    const records = await readPidRecords(stateDir, { kind: 'worker', project: run.project });
    assert.ok(records.length <= 1, `${at}: records ${records.map((r) => r.pid).join(', ')}`);
    if (records.length === 1)
      await assertOneWorkerNoOrphan(client, stateDir, run.project, run.queue, {
        pollerInGroup: recipe.wrapped === true,
      });
    else assert.deepEqual([...tokensOnQueue(run.queue).keys()], [], `${at}: no orphan`);
  } else {
    const records = await readPidRecords(stateDir, { kind: 'worker', project: run.project });
    assert.deepEqual(
      records.map((r) => r.pid),
      [],
      `${at}: the recipe stopped its worker`,
    );
    assert.deepEqual([...tokensOnQueue(run.queue).keys()], [], `${at}: no process left on the queue`);
    assert.deepEqual(await readIntents(stateDir, run.project), [], `${at}: no intent left behind`);
  }
  for (const file of [run.runsFile, ...(again ? [again.runsFile] : [])]) {
    const starts = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    assert.ok(starts.length <= 1, `${at}: a starter ran ${starts.length} times`);
  }
  const okCount = reports.filter((r) => r.ok).length;
  if (okCount > 0) {
    const listed = await waitFor(`${at}: the target workflow to be listed`, async () => {
      const ids = await targetsSince(run.queue, sinceMs);
      return ids.length >= okCount && ids;
    });
    // Visibility lags: once it lists a marker started after the runs ended, it lists their starts too.
    const marker = await client.workflow.start('NoWorkerTarget', {
      taskQueue: uniqueQueue('marker'),
      workflowId: `marker-${nanoid(8)}`,
      args: [{}],
    });
    await waitFor(`${at}: visibility to list the marker started after the runs`, async () => {
      for await (const w of client.workflow.list({ query: `WorkflowId = '${marker.workflowId}'` }))
        if (w.workflowId === marker.workflowId) return true;
      return false;
    });
    await marker.terminate('listed');
    const later = await targetsSince(run.queue, sinceMs);
    const seen = Math.max(listed.length, later.length);
    assert.equal(seen, okCount, `${at}: target workflows ${later.join(', ')} for ${okCount} ok run(s)`);
  }
  // A run of its own project leaves nothing behind; a shared project's worker is the next run's to replace.
  if (!recipe.shared)
    for (const record of await readPidRecords(stateDir, { kind: 'worker', project: run.project })) {
      await stopRecorded(stateDir, record, 3000);
      await removePidRecord(stateDir, record);
    }
  return { ok: okCount === reports.length, durationMs, killedAtMs: killAtMs, late, released };
}

/** The suite's state dir, ops queue and client, set up and torn down around the file's tests. */
function registerHooks(): void {
  before(async () => {
    client = await testClient();
    stateDir = await mkdtemp(join(root, 'crash-random-state-'));
    opsQueue = uniqueQueue('ops-random');
    env = controlWorkerEnv(stateDir, opsQueue);
    process.stderr.write(
      `crash-random: seed ${seed} (replay with TEMPORAL_OPS_CRASH_SEED=${seed}), ${kills} kills per recipe\n`,
    );
  });

  after(async () => {
    for (const record of await readPidRecords(stateDir)) await stopRecorded(stateDir, record, 2000);
    await client.connection.close();
  });
}

function recipeSuite(recipe: RecipeCase): void {
  const label = recipe.label ?? recipe.name;
  describe(`kill -9 of the control worker at random instants of ${label}`, () => {
    it(`${kills} kills spread over an uninterrupted run: the invariants hold after each`, async () => {
      const shared = recipe.shared ? await freshRun(recipe) : undefined;
      // The second of two uninterrupted runs: the first pays for cold caches.
      await runOnce(recipe, await runFor(recipe, shared));
      const clean = await runOnce(recipe, await runFor(recipe, shared));
      assert.equal(clean.ok, true, `${label} runs ok without a kill`);
      const random = seededRandom(seed + recipes.indexOf(recipe));
      const instants = spreadInstants(random, kills, clean.durationMs);
      const outcomes: Outcome[] = [];
      for (const killAtMs of instants)
        outcomes.push(await runOnce(recipe, await runFor(recipe, shared), { killAtMs }));
      // A kill after the recipe ended tests nothing: draw again, within the first four fifths of the
      // uninterrupted run (runs vary), until `kills` kills fell inside a run (at most `kills` more).
      const inside = () => outcomes.filter((o) => !o.late).length;
      for (let extra = 0; inside() < kills && extra < kills; extra++) {
        const killAtMs = Math.round(random() * 0.8 * clean.durationMs);
        outcomes.push(await runOnce(recipe, await runFor(recipe, shared), { killAtMs }));
      }
      assert.ok(
        inside() >= kills,
        `${label}: only ${inside()} of ${outcomes.length} kills fell inside a run`,
      );
      const ok = outcomes.filter((o) => o.ok).length;
      const late = outcomes.filter((o) => o.late).length;
      const released = outcomes.reduce((sum, o) => sum + o.released, 0);
      const killedMs = outcomes.reduce((sum, o) => sum + o.durationMs, 0);
      process.stderr.write(
        `crash-random: ${label} seed ${seed}: uninterrupted ${clean.durationMs} ms; ${outcomes.length} kills, ` +
          `${inside()} inside the run (${late} after the end, drawn again; ${released} attempts released, ${Math.round(killedMs / outcomes.length)} ms per killed run), ` +
          `${ok} ok, ${outcomes.length - ok} honest failures; invariants held every time\n`,
      );
    });
  });
}

function cleanStartTwiceSuite(): void {
  describe('kill -9 of the control worker at random instants of CleanStart, then CleanStart again (as `npm start` after a crash)', () => {
    const recipe = recipes[0]!;
    it(`${kills} kills: the two runs end with one worker, no orphan, one target each`, async () => {
      const shared = await freshRun(recipe);
      await runOnce(recipe, await runFor(recipe, shared));
      const clean = await runOnce(recipe, await runFor(recipe, shared));
      const random = seededRandom(seed + recipes.length);
      const outcomes: Outcome[] = [];
      for (const killAtMs of spreadInstants(random, kills, clean.durationMs))
        outcomes.push(
          await runOnce(recipe, await runFor(recipe, shared), {
            killAtMs,
            again: await runFor(recipe, shared),
          }),
        );
      const ok = outcomes.filter((o) => o.ok).length;
      process.stderr.write(
        `crash-random: CleanStart twice seed ${seed}: ${outcomes.length} kills, ${ok} with both ok; invariants held every time\n`,
      );
    });
  });
}

/** The label of each case: a recipe's name, or the case's own label (CleanStartUv, CleanStartTwice). */
export type CaseLabel =
  'CleanStart' | 'CleanStartUv' | 'TestInteractive' | 'DebugStalled' | 'CleanStartTwice';

/**
 * Defines the random-kill tests of `labels` in the calling test file (those that
 * TEMPORAL_OPS_CRASH_RECIPES leaves out are not defined), with the file's own state and queues.
 */
export function randomKillSuite(labels: CaseLabel[]): void {
  const chosen = labels.filter((label) => !only || only.includes(label));
  if (chosen.length === 0) return;
  registerHooks();
  for (const label of chosen)
    if (label === 'CleanStartTwice') cleanStartTwiceSuite();
    else recipeSuite(recipes.find((r) => (r.label ?? r.name) === label)!);
}
