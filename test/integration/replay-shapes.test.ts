// The replay gate on projects shaped like real ones: for each worker-command shape, the check finds
// a planted non-determinism and passes on unchanged code; commands that cannot carry the hook fail
// with `hook-not-loaded`. Throughout, the live server is watched: no poller of the check ever
// appears on the run's queue and the waiting run never moves.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { networkIsolation } from '../../src/host/replay/isolation.js';
import { drainWarm, whenWarm } from '../../src/host/replay/warm-pool.js';
import { replayCheck, type ReplayCheckOptions } from '../../src/host/replay/replay-check.js';
import type { ReplayReport } from '../../src/host/replay/report-types.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { scratchDir, venvPython } from '../helpers/processes.js';
import {
  guarded,
  plantedOptions,
  plantRun,
  shapes,
  type PlantedRun,
  type Shape,
} from './replay-shapes-fixture.js';

let h: Harness;
const planted = new Map<Shape, Promise<PlantedRun>>();

before(async () => {
  h = await createHarness();
});

after(async () => {
  for (const run of planted.values())
    await h.client.workflow
      .getHandle((await run).workflowId)
      .terminate('test over')
      .catch(() => undefined);
  await h.cleanup();
});

/** The shape's planted run, made once per file. */
function runOf(shape: Shape): Promise<PlantedRun> {
  let run = planted.get(shape);
  if (!run) {
    run = plantRun(h.client, h.settings.stateDir, shape);
    planted.set(shape, run);
  }
  return run;
}

const check = (run: PlantedRun, extra: Partial<ReplayCheckOptions> = {}) =>
  guarded(h.client, run, () => replayCheck(h.client, plantedOptions(run, h.settings.stateDir, extra)));

/** A correct verdict, or a `hook-not-loaded` failure: never anything else. */
async function verdictOrNotLoaded(run: PlantedRun, extra: Partial<ReplayCheckOptions>): Promise<string> {
  try {
    const report: ReplayReport = await check(run, extra);
    assert.deepEqual([report.checked, report.replays], [1, 1]);
    return 'replayed';
  } catch (error) {
    assert.equal((error as { reason?: string }).reason, 'hook-not-loaded', String(error));
    return 'hook-not-loaded';
  }
}

/** Live processes in `dir` that wait warm (their environment names where they say they are ready). */
function warmProcesses(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          readlinkSync(`/proc/${pid}/cwd`).startsWith(dir) &&
          `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes('\0TEMPORAL_OPS_REPLAY_WAIT=')
        );
      } catch {
        return false;
      }
    });
}

function cmdlineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
}

describe('replay check on project shapes', () => {
  for (const [name, shape] of Object.entries(shapes) as [string, Shape][])
    it(`${name} (${shape.command('<dir>')}): finds a planted non-determinism, passes on unchanged code`, async () => {
      const run = await runOf(shape);
      await run.edit(true);
      const broken = await check(run);
      assert.deepEqual([broken.checked, broken.wouldBreak], [1, 1]);
      assert.equal(broken.results[0]?.workflowId, run.workflowId);
      assert.equal(broken.results[0]?.cause, 'nondeterminism');
      assert.equal(broken.results[0]?.divergence?.produced, 'StartTimer');
      assert.equal(broken.isolation, (await networkIsolation()).kind);

      await run.edit(false);
      const clean = await check(run);
      assert.deepEqual([clean.checked, clean.replays, clean.wouldBreak], [1, 1, 0]);
    });

  for (const [name, shape] of Object.entries(shapes) as [string, Shape][])
    it(`${name}: warm processes start its Python directly, show no worker command, and replay the code as it is`, async () => {
      const run = await runOf(shape);
      const warm = { keepWarm: true };
      try {
        await run.edit(false);
        await check(run, warm);
        await whenWarm();
        const waiting = warmProcesses(run.dir);
        assert.equal(waiting.length, 1, 'one warm process');
        const words = shape
          .command(run.dir)
          .split(/\s+/)
          .filter((w) => w !== venvPython);
        for (const argv of waiting.map(cmdlineOf)) {
          assert.ok(argv.at(-1)?.endsWith('temporal_ops_warm.py'), argv.join(' '));
          assert.deepEqual(
            argv.filter((w) => words.includes(w)),
            [],
            argv.join(' '),
          );
        }
        await run.edit(true);
        const broken = await check(run, warm);
        assert.deepEqual([broken.checked, broken.wouldBreak], [1, 1]);
        assert.equal(broken.results[0]?.divergence?.produced, 'StartTimer');
        // A file the command names changed (the single file is the worker): that check starts cold.
        const named = shape.command(run.dir).includes(shape.workflowFile);
        assert.equal(broken.warmProcesses ?? 0, named ? 0 : 1);
        await whenWarm();
        await run.edit(false);
        const clean = await check(run, warm);
        assert.deepEqual([clean.checked, clean.replays, clean.wouldBreak], [1, 1, 0]);
        assert.equal(clean.warmProcesses ?? 0, named ? 0 : 1);
      } finally {
        await drainWarm();
      }
    });

  it('a wrapper that resets PYTHONPATH: no verdict, hook-not-loaded, and nothing reaches the live queue', async () => {
    const run = await runOf(shapes.binWrapper);
    const outcome = await verdictOrNotLoaded(run, { workerCommand: './bin/worker-pinned' });
    assert.equal(outcome, 'hook-not-loaded');
  });

  it('`python -I` on a file that hard-codes the live address: hook-not-loaded, and it never polls', async () => {
    const run = await runOf(shapes.singleFile);
    const outcome = await verdictOrNotLoaded(run, { workerCommand: `${venvPython} -I hello_signal.py` });
    assert.equal(outcome, 'hook-not-loaded');
  });

  it('without network isolation, `python -I` on that file is caught by its loaded SDK and stopped before it polls', async () => {
    const run = await runOf(shapes.singleFile);
    await assert.rejects(
      check(run, { workerCommand: `${venvPython} -I hello_signal.py`, isolation: 'none' }),
      (error: Error) => {
        assert.equal((error as { reason?: string }).reason, 'hook-not-loaded');
        assert.match(error.message, /ran a Python with temporalio \(pid \d+\) that did not load the hook/);
        return true;
      },
    );
  });

  it('`python -S`: hook-not-loaded', async () => {
    const run = await runOf(shapes.pythonFile);
    await assert.rejects(check(run, { workerCommand: `${venvPython} -S worker.py` }), {
      reason: 'hook-not-loaded',
    });
  });

  it('an interpreter without temporalio: hook-not-loaded, naming that Python', async () => {
    const run = await runOf(shapes.pythonFile);
    const bare = join(await scratchDir('bare-venv'), 'venv');
    await execa(venvPython, ['-m', 'venv', '--without-pip', bare]);
    await assert.rejects(check(run, { workerCommand: `${bare}/bin/python worker.py` }), (error: Error) => {
      assert.equal((error as { reason?: string }).reason, 'hook-not-loaded');
      assert.match(error.message, /Python without the SDK: .*bare-venv.*\(no temporalio\)/);
      return true;
    });
  });
});
