// EnsureWorker: the runbook's ensure-worker.sh as a recipe. On the host that owns the processes:
// stop the project's workers, start one fresh, wait until the server sees it poll; with
// `restartOnCrash`, that host's control worker keeps restarting it after crashes.
import type { EnsureWorkerReport } from '../activities/process-activities.js';
import type { ServerCheck } from '../src/server/probe.js';
import { readWorkerFields, WORKER_FIELDS, type WorkerFields } from '../src/recipes/clean-start-input.js';
import { InputReader, isRecord, type InputProblem } from '../src/recipes/validate.js';
import { processActivities, shortOp, temporalActivities, waitOp } from './lib/activities.js';
import { Checklist, type StepReport } from './lib/checklist.js';
import { OutcomeRecorder, recordFailure, requireInput } from './lib/outcome.js';

export interface EnsureWorkerInput extends WorkerFields {
  /** `ensure` (default) replaces, `start` keeps a running worker, `restart` replaces. */
  mode?: 'ensure' | 'start' | 'restart';
  restartOnCrash?: {
    maxRestarts?: number;
    initialDelayMs?: number;
    maxDelayMs?: number;
    resetAfterMs?: number;
  };
}

export interface EnsureWorkerRecipeReport {
  recipe: 'EnsureWorker';
  ok: boolean;
  project: string;
  problem?: string;
  failedStep?: string;
  server?: ServerCheck;
  worker?: EnsureWorkerReport & { logTail?: string };
  steps: StepReport[];
}

const STEPS: [string, string][] = [
  ['prepare', 'Check project directory and commands'],
  ['verify-server', 'Verify server: health, namespace, search attributes'],
  ['ensure-worker', 'Stop old workers, start one, wait until it polls'],
];

/** Parses raw input; every problem is reported, naming the field and the value. */
export function parseEnsureWorkerInput(raw: unknown): {
  input?: EnsureWorkerInput;
  problems: InputProblem[];
} {
  if (!isRecord(raw)) return { problems: [{ field: 'input', value: raw, expected: 'one JSON object' }] };
  const reader = new InputReader(raw);
  reader.rejectUnknown([...WORKER_FIELDS, 'mode', 'restartOnCrash']);
  const input: EnsureWorkerInput = readWorkerFields(reader);
  const mode = reader.string('mode');
  if (mode !== undefined && !['ensure', 'start', 'restart'].includes(mode))
    reader.problem('mode', mode, 'one of ensure, start, restart');
  else if (mode) input.mode = mode as EnsureWorkerInput['mode'];
  const crash = reader.object('restartOnCrash');
  if (crash) {
    crash.rejectUnknown(['maxRestarts', 'initialDelayMs', 'maxDelayMs', 'resetAfterMs']);
    input.restartOnCrash = {
      maxRestarts: crash.number('maxRestarts', { min: 0, max: 100 }),
      initialDelayMs: crash.number('initialDelayMs', { min: 0, max: 3_600_000 }),
      maxDelayMs: crash.number('maxDelayMs', { min: 0, max: 3_600_000 }),
      resetAfterMs: crash.number('resetAfterMs', { min: 0, max: 86_400_000 }),
    };
  }
  return reader.problems.length > 0 ? { problems: reader.problems } : { input, problems: [] };
}

/** Runs the recipe; bad input fails the workflow, a worker that never polls ends in a report with ok=false. */
export async function EnsureWorker(raw: unknown): Promise<EnsureWorkerRecipeReport> {
  const input = requireInput('EnsureWorker', parseEnsureWorkerInput(raw));
  const checklist = new Checklist('EnsureWorker', STEPS);
  const proc = processActivities(input.host);
  const report: EnsureWorkerRecipeReport = {
    recipe: 'EnsureWorker',
    ok: false,
    project: input.project ?? input.projectDir,
    steps: checklist.steps,
  };
  let outcome: OutcomeRecorder | undefined;
  try {
    const prepared = await checklist.run(
      'prepare',
      () =>
        proc.prepareProject.executeWithOptions({ ...shortOp, summary: `check ${input.projectDir}` }, [input]),
      (p) => `project ${p.project}, worker command "${p.workerCommand}"`,
    );
    report.project = prepared.project;
    outcome = new OutcomeRecorder('EnsureWorker', prepared.project);
    const server = await checklist.run(
      'verify-server',
      () => temporalActivities.verifyServer.executeWithOptions({ ...shortOp, summary: 'verify server' }, []),
      (check) =>
        check.problems.length ? check.problems.join('; ') : `server ${check.serverVersion ?? ''} ok`,
    );
    report.server = server;
    outcome.enableSearchAttributes(server.missingSearchAttributes.length === 0);
    outcome.record('running', 'server verified');
    const restartOnCrash =
      input.restartOnCrash &&
      Object.fromEntries(Object.entries(input.restartOnCrash).filter(([, v]) => v !== undefined));
    report.worker = await checklist.run(
      'ensure-worker',
      () =>
        proc.ensureWorker.executeWithOptions(
          {
            ...waitOp((input.readyTimeoutSeconds ?? 60) + (input.graceSeconds ?? 5)),
            summary: `${input.mode ?? 'ensure'} worker of ${prepared.project} on ${input.taskQueue}`,
          },
          [
            {
              ...prepared,
              taskQueue: input.taskQueue,
              env: input.env,
              graceSeconds: input.graceSeconds,
              mode: input.mode,
              readyTimeoutSeconds: input.readyTimeoutSeconds,
              restartOnCrash,
            },
          ],
        ),
      (w) =>
        `worker ${w.worker.pid} ${w.action}${w.ready ? `, polling after ${w.ready.waitedMs} ms` : ''}${w.supervised ? ', restarted on crash' : ''}`,
    );
    report.ok = true;
  } catch (error) {
    recordFailure('EnsureWorker', error, report);
  } finally {
    checklist.finish();
  }
  report.failedStep = checklist.failedStep?.name;
  const summary = report.ok
    ? `worker ${report.worker?.worker.pid} ${report.worker?.action} and polling`
    : (report.problem ?? 'failed').split('\n')[0]!;
  (outcome ?? new OutcomeRecorder('EnsureWorker', report.project)).record(
    report.ok ? 'ok' : 'failed',
    summary,
  );
  return report;
}
