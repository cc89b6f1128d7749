// EnsureWorker: the runbook's ensure-worker.sh as a recipe. On the host that owns the processes:
// stop the project's workers, start one fresh, wait until the server sees it poll; with
// `restartOnCrash`, that host's control worker keeps restarting it after crashes.
import type { EnsureWorkerReport } from '../activities/process-activities.js';
import { parseEnsureWorkerInput, type EnsureWorkerInput } from '../src/contract/ensure-worker-input.js';
import { runRecipe, type RecipeReport } from './lib/recipe.js';
import { GATE_STEP, resetAfterRestart, type GateReport } from './lib/replay-gate.js';
import { ensureCall, gateStep, prepareCall, type WorkerPhaseState } from './lib/worker-phase.js';

export type { EnsureWorkerInput };

export interface EnsureWorkerRecipeReport extends RecipeReport {
  recipe: 'EnsureWorker';
  project: string;
  worker?: EnsureWorkerReport & { logTail?: string };
  replayGate?: GateReport;
}

/** Runs the recipe; bad input fails the workflow, a worker that never polls ends in a report with ok=false. */
export function EnsureWorker(raw: unknown): Promise<EnsureWorkerRecipeReport> {
  return runRecipe<EnsureWorkerInput, EnsureWorkerRecipeReport>(
    {
      name: 'EnsureWorker',
      parse: parseEnsureWorkerInput,
      steps: () => [
        ['prepare', 'Check project directory, commands and policy'],
        GATE_STEP,
        ['ensure-worker', 'Stop old workers, start one, wait until it polls'],
      ],
      label: (input) => input.project ?? input.projectDir,
      placement: (input) => ({ host: input.host, projectDir: input.projectDir }),
      initialReport: (input, steps) => ({
        recipe: 'EnsureWorker',
        ok: false,
        project: input.project ?? input.projectDir,
        steps,
      }),
      async body(ctx, report) {
        const { input, checklist } = ctx;
        const prepared = await checklist.run(
          'prepare',
          () => prepareCall(ctx, input),
          (p) => `project ${p.project}, worker command "${p.workerCommand}"`,
        );
        report.project = prepared.project;
        ctx.outcome.setProject(prepared.project);
        // `start` keeps a running worker: nothing restarts, so nothing to replay.
        const state: WorkerPhaseState = { project: prepared.project, stopped: [] };
        let gate: GateReport | undefined;
        if (input.mode === 'start')
          checklist.mark('replay-gate', 'skipped', 'mode start keeps a running worker');
        else {
          try {
            gate = await gateStep(ctx, input, prepared, state);
          } finally {
            report.replayGate = state.replayGate;
          }
        }
        const restartOnCrash =
          input.restartOnCrash &&
          Object.fromEntries(Object.entries(input.restartOnCrash).filter(([, v]) => v !== undefined));
        report.worker = await checklist.run(
          'ensure-worker',
          () =>
            ensureCall(ctx, input, prepared, {
              mode: input.mode,
              restartOnCrash,
              summary: `${input.mode ?? 'ensure'} worker of ${prepared.project} on ${input.taskQueue}`,
            }),
          (w) =>
            `worker ${w.worker.pid} ${w.action}${w.ready ? `, polling after ${w.ready.waitedMs} ms` : ''}${w.supervised ? ', restarted on crash' : ''}`,
        );
        if (gate) await resetAfterRestart(gate);
        report.ok = true;
      },
      summary: (report) =>
        report.ok
          ? `worker ${report.worker?.worker.pid} ${report.worker?.action} and polling`
          : (report.problem ?? 'failed'),
    },
    raw,
  );
}
