// Repeat sweeps against full ones on a real population: real Python fixture workers, about 1% of the
// runs changed between sweeps (new retry storms, new workflow task failures, fixes, new runs, a worker
// killed and started again), and after each change the findings of the repeat sweep compared with a
// full sweep's: equal at the next sweep, or for a storm in a quiet run within `recheckEvery` sweeps.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SweepMemory } from '../../src/contract/sweep-memory.js';
import type { Verdict } from '../../src/contract/verdicts.js';
import { localLivenessOracle } from '../../src/host/workers/pollers.js';
import { executionSummary } from '../../src/inspect/describe-facts.js';
import { listExecutions } from '../../src/inspect/list-executions.js';
import { sweep, SweepTally, type SweepMemoryBody } from '../../src/inspect/sweep.js';
import type { PidRecord } from '../../src/host/records/pid-file.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
let worker: PidRecord;
let releaseDir: string;
const project = uniqueId('repeat');
const queue = uniqueQueue('repeat');
const nobody = uniqueQueue('repeat-nobody');
const opsQueue = uniqueQueue('ops-repeat');
const query = `TaskQueue IN ("${queue}", "${nobody}")`;
const policy = { noWorkerAfterMs: 2000, retryStormAttempts: 3 };
const EVERY = 3;

const ids = (type: string, n: number) => Array.from({ length: n }, (_, i) => `${uniqueId(type)}-${i}`);
const population = {
  WaitsForSignal: ids('signal', 120),
  WaitsForTimer: ids('timer', 40),
  StormsOnSignal: ids('storms-on-signal', 4),
  UpdateHandlerBug: ids('update-bug', 4),
  RetriesUntilReleased: ids('releasable', 4),
  NoWorkerTarget: ids('no-worker', 8),
  CodeBug: ids('code-bug', 2),
};
const started: string[] = [];

let memory: SweepMemory | undefined;

interface Swept {
  verdicts: Map<string, Verdict>;
  remembered: number;
  scanned: number;
}

async function sweepOnce(repeat: boolean): Promise<Swept> {
  const verdicts = new Map<string, Verdict>();
  const tally = new SweepTally();
  const options = {
    query,
    opsTaskQueue: opsQueue,
    policy,
    oracle: localLivenessOracle(),
    ...(repeat && {
      recall: { recheckEvery: EVERY, maxFindings: 200, ...(memory && { previous: memory }) },
      remember: (body: SweepMemoryBody) => {
        memory = { version: 1, scope: 'test', writtenBy: 'test', writtenAtMs: Date.now(), ...body };
      },
    }),
  };
  for await (const item of sweep(h.client, options)) {
    assert.notEqual(item.kind, 'error', JSON.stringify(item));
    tally.add(item);
    if (item.kind === 'finding') verdicts.set(item.finding.workflowId, item.finding.verdict);
    if (item.kind === 'remembered') verdicts.set(item.workflowId, item.verdict);
  }
  return { verdicts, remembered: tally.remembered, scanned: tally.scanned };
}

/** The runs whose verdicts differ between the two sweeps, with both verdicts. */
function differences(full: Swept, repeat: Swept): string[] {
  const out: string[] = [];
  for (const id of new Set([...full.verdicts.keys(), ...repeat.verdicts.keys()]))
    if (full.verdicts.get(id) !== repeat.verdicts.get(id))
      out.push(`${id}: full ${full.verdicts.get(id)}, repeat ${repeat.verdicts.get(id)}`);
  return out;
}

/** A repeat sweep, then a full one; their differences. */
async function compare(): Promise<{ repeat: Swept; full: Swept; diff: string[] }> {
  const repeat = await sweepOnce(true);
  const full = await sweepOnce(false);
  return { repeat, full, diff: differences(full, repeat) };
}

/** Waits until a full sweep gives every one of `workflowIds` the verdict (undefined: closed). */
async function untilFull(workflowIds: string[], verdict: Verdict | undefined): Promise<void> {
  await waitUntil(
    `${workflowIds.join(', ')} to be ${verdict ?? 'closed'} in a full sweep`,
    async () => {
      const { verdicts } = await sweepOnce(false);
      return workflowIds.every((id) => verdicts.get(id) === verdict) ? true : undefined;
    },
    60_000,
    1000,
  );
}

/** Waits until visibility lists the server's reported problems on each run (what a repeat sweep reads). */
async function untilReported(workflowIds: string[]): Promise<void> {
  await waitUntil(
    `TemporalReportedProblems on ${workflowIds.join(', ')}`,
    async () => {
      const flagged = new Set<string>();
      for await (const info of listExecutions(h.client, `${query} AND ExecutionStatus = "Running"`)) {
        const run = executionSummary(info);
        if (run.reportedProblems.length > 0) flagged.add(run.workflowId);
      }
      return workflowIds.every((id) => flagged.has(id)) ? true : undefined;
    },
    60_000,
    1000,
  );
}

async function start(type: string, workflowId: string, taskQueue = queue, args: unknown[] = []) {
  await h.client.workflow.start(type, { taskQueue, workflowId, args });
  started.push(workflowId);
}

before(async () => {
  h = await createHarness();
  releaseDir = await mkdtemp(join(tmpdir(), 'release-'));
  worker = await startFixtureWorker(h, { project, taskQueue: queue });
  for (const [type, list] of Object.entries(population))
    for (const id of list) {
      const args = type === 'RetriesUntilReleased' ? [{ releaseFile: join(releaseDir, id) }] : [];
      await start(type, id, type === 'NoWorkerTarget' ? nobody : queue, args);
    }
  await untilFull(population.CodeBug, 'workflow-code-bug');
  await untilFull(population.NoWorkerTarget, 'no-worker');
  await untilFull(population.RetriesUntilReleased, 'activity-retry-storm');
  await untilReported(population.CodeBug);
});

after(async () => {
  await terminateAll(h.client, started);
  await h.cleanup();
});

const total = Object.values(population).flat().length;

describe('a repeat sweep against a full one, with 1% of the runs changing between sweeps', () => {
  it('with no memory describes every run, and finds what a full sweep finds', async () => {
    const { repeat, diff } = await compare();
    assert.equal(repeat.remembered, 0);
    assert.equal(repeat.scanned, total);
    assert.deepEqual(diff, []);
  });

  it('with nothing changed answers for most runs from the memory, and still finds the same', async () => {
    const { repeat, diff } = await compare();
    assert.deepEqual(diff, []);
    // The stalls that may move are described each time; of the rest about one in EVERY.
    assert.ok(repeat.remembered > total / 2, `${repeat.remembered} of ${total} remembered`);
  });

  it('finds new workflow task failures of quiet runs at the next sweep, once the server reports them', async () => {
    const failing = population.UpdateHandlerBug.slice(0, 2);
    for (const id of failing)
      await h.client.workflow
        .getHandle(id)
        .startUpdate('explode-later', { args: ['boom'], waitForStage: 'ACCEPTED' });
    await untilFull(failing, 'workflow-code-bug');
    await untilReported(failing);
    const { diff, repeat } = await compare();
    assert.deepEqual(diff, []);
    assert.ok(repeat.remembered > total / 2, `${repeat.remembered} of ${total} remembered`);
  });

  it('finds a retry storm that starts in a quiet run within recheckEvery sweeps', async () => {
    const storming = population.StormsOnSignal.slice(0, 2);
    for (const id of storming) await h.client.workflow.getHandle(id).signal('go');
    await untilFull(storming, 'activity-retry-storm');
    const lagging: string[][] = [];
    for (let n = 1; n <= EVERY; n++) {
      const { diff } = await compare();
      // Only the storms may lag: everything else is found at once.
      assert.deepEqual(
        diff.filter((d) => !storming.some((id) => d.startsWith(`${id}:`))),
        [],
      );
      lagging.push(diff);
    }
    assert.deepEqual(lagging.at(-1), [], `still missed after ${EVERY} sweeps: ${JSON.stringify(lagging)}`);
  });

  it('drops fixed storms and terminated stalls, and finds new runs, at the next sweep', async () => {
    const fixed = population.RetriesUntilReleased.slice(0, 1);
    await Promise.all(fixed.map((id) => writeFile(join(releaseDir, id), 'go')));
    await h.client.workflow.getHandle(population.NoWorkerTarget[0]!).terminate('test: fixed');
    const fresh = uniqueId('fresh-code-bug');
    await start('CodeBug', fresh);
    await untilFull([...fixed, population.NoWorkerTarget[0]!], undefined);
    await untilFull([fresh], 'workflow-code-bug');
    const { diff } = await compare();
    assert.deepEqual(diff, []);
  });

  it('follows a reset to its new run at the next sweep', async () => {
    const workflowId = population.WaitsForSignal[10]!;
    const { runId } = await h.client.workflow.getHandle(workflowId).describe();
    // Event 4 is the first WorkflowTaskCompleted of WaitsForSignal.
    const reset = (await h.client.workflowService.resetWorkflowExecution({
      namespace: h.client.options.namespace,
      workflowExecution: { workflowId, runId },
      reason: 'test: reset',
      workflowTaskFinishEventId: 4 as never,
      requestId: uniqueId('reset'),
    })) as { runId?: string | null };
    assert.ok(reset.runId && reset.runId !== runId);
    await untilFull([workflowId], 'healthy-wait');
    const { diff, repeat } = await compare();
    assert.deepEqual(diff, []);
    assert.ok(repeat.verdicts.has(workflowId));
  });

  it('finds the runs a killed worker leaves without one at the next sweep, and again when it is back', async () => {
    process.kill(-worker.pgid, 'SIGKILL');
    const signalled = population.WaitsForSignal.slice(0, 2);
    for (const id of signalled) await h.client.workflow.getHandle(id).signal('go');
    await untilFull(signalled, 'no-worker');
    const killed = await compare();
    assert.deepEqual(killed.diff, []);
    worker = await startFixtureWorker(h, { project, taskQueue: queue });
    await untilFull(signalled, undefined);
    const back = await compare();
    assert.deepEqual(back.diff, []);
  });
});

describe('the scheduled sweep (DebugStalled with incidents)', () => {
  /** One DebugStalled sweep of the population, on a control worker of its own (a restart between two). */
  const run = (extra: Record<string, unknown> = {}) =>
    h.withControlWorker(async () => {
      const handle = await h.client.workflow.start<(i: unknown) => Promise<DebugStalledReport>>(
        'DebugStalled',
        {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: uniqueId('sweep'),
          args: [{ query, incidents: true, policy, recheckEvery: EVERY, ...extra }],
          workflowExecutionTimeout: '3m',
        },
      );
      return handle.result();
    });

  it('remembers its scope across a control worker restart, and describes every run again with fullSweep', async () => {
    const first = await run();
    assert.equal(first.remembered, 0);
    const second = await run();
    assert.ok(
      (second.remembered ?? 0) > second.scanned / 2,
      `${second.remembered} of ${second.scanned} remembered`,
    );
    assert.equal(second.stalledCount, first.stalledCount);
    const full = await run({ fullSweep: true });
    assert.equal(full.remembered, 0);
    assert.equal(full.scanned, second.scanned);
    assert.equal(full.stalledCount, second.stalledCount);
  });
});
