// The runbook's "ensure worker" phase shared by recipes: check the project, stop stale workers,
// verify the server, start one fresh worker, wait until the server sees it polling.
import type { PreparedProject, ReadyInfo, WorkerInfo } from '../../activities/process-activities.js';
import type { StopOutcome } from '../../src/processes/stop.js';
import type { WorkerFields } from '../../src/recipes/clean-start-input.js';
import type { ServerCheck } from '../../src/server/probe.js';
import { processActivities, processOp, shortOp, temporalActivities, waitOp } from './activities.js';
import type { Checklist } from './checklist.js';
import { OutcomeRecorder } from './outcome.js';

export const WORKER_STEPS: [string, string][] = [
  ['prepare', 'Check project directory and commands'],
  ['stop-workers', 'Stop stale workers of this project'],
  ['verify-server', 'Verify server: health, namespace, search attributes'],
  ['start-worker', 'Start one fresh worker'],
  ['wait-ready', 'Wait until the worker polls the task queue'],
];

/** What the phase learned; filled step by step so a failed phase still reports what it did. */
export interface WorkerPhaseState {
  project: string;
  prepared?: PreparedProject;
  stopped: StopOutcome[];
  server?: ServerCheck;
  worker?: WorkerInfo & { readyAfterMs?: number; pollerIdentity?: string; logTail?: string };
  outcome?: OutcomeRecorder;
}

/** The phase's findings as report fields (every recipe report that runs the phase carries them). */
export function phaseFields(
  state: WorkerPhaseState,
): Pick<WorkerPhaseState, 'project' | 'stopped' | 'server' | 'worker'> {
  return { project: state.project, stopped: state.stopped, server: state.server, worker: state.worker };
}

/** Runs the five worker steps on `checklist`, recording into `state`; failures are rethrown. */
export async function freshWorkerPhase(
  recipe: string,
  checklist: Checklist,
  input: WorkerFields & { start?: unknown },
  state: WorkerPhaseState,
): Promise<void> {
  const proc = processActivities(input.host);
  const prepared = await checklist.run(
    'prepare',
    () =>
      proc.prepareProject.executeWithOptions({ ...shortOp, summary: `check ${input.projectDir}` }, [
        input as never,
      ]),
    (p) => `project ${p.project}, worker command "${p.workerCommand}"`,
  );
  state.prepared = prepared;
  state.project = prepared.project;
  state.outcome = new OutcomeRecorder(recipe, prepared.project);
  state.outcome.record('running', 'started');

  state.stopped = await checklist.run(
    'stop-workers',
    () =>
      proc.stopWorkers.executeWithOptions({ ...processOp, summary: `stop workers of ${prepared.project}` }, [
        { project: prepared.project, graceSeconds: input.graceSeconds },
      ]),
    (outcomes) =>
      outcomes.length === 0 ? 'none running' : outcomes.map((o) => `${o.pid} ${o.result}`).join(', '),
  );

  const server = await checklist.run(
    'verify-server',
    () => temporalActivities.verifyServer.executeWithOptions({ ...shortOp, summary: 'verify server' }, []),
    (check) => (check.problems.length ? check.problems.join('; ') : `server ${check.serverVersion ?? ''} ok`),
  );
  state.server = server;
  state.outcome.enableSearchAttributes(server.missingSearchAttributes.length === 0);
  state.outcome.record('running', 'server verified');

  const worker = await checklist.run(
    'start-worker',
    () =>
      proc.startWorker.executeWithOptions(
        { ...processOp, summary: `start worker: ${prepared.workerCommand}` },
        [{ ...prepared, taskQueue: input.taskQueue, env: input.env, graceSeconds: input.graceSeconds }],
      ),
    (w) => `pid ${w.pid}, log ${w.logPath}`,
  );
  state.worker = worker;

  const ready: ReadyInfo = await checklist.run(
    'wait-ready',
    () =>
      proc.waitWorkerReady.executeWithOptions(
        { ...waitOp(input.readyTimeoutSeconds ?? 60), summary: `wait for a poller on ${input.taskQueue}` },
        [
          {
            project: prepared.project,
            pid: worker.pid,
            pgid: worker.pgid,
            startedAtMs: worker.startedAtMs,
            taskQueue: input.taskQueue,
            logPath: worker.logPath,
            timeoutSeconds: input.readyTimeoutSeconds,
          },
        ],
      ),
    (r) => `poller ${r.pollerIdentity} after ${r.waitedMs} ms`,
  );
  state.worker = { ...worker, readyAfterMs: ready.waitedMs, pollerIdentity: ready.pollerIdentity };
}
