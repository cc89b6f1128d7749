// CleanStart: the runbook's "Recipe 1". Stop stale workers, check the server, start one fresh
// worker, wait until it really polls, run the target workflow, check its result.
import type { ServerCheck } from '../src/server/probe.js';
import type { CheckedTarget, StartedTarget } from '../activities/temporal-activities.js';
import type { ReadyInfo, WorkerInfo } from '../activities/process-activities.js';
import type { StopOutcome } from '../src/processes/stop.js';
import { parseCleanStartInput } from '../src/recipes/clean-start-input.js';
import { FailureType } from '../src/recipes/failure-types.js';
import { ApplicationFailure } from '@temporalio/workflow';
import { processActivities, processOp, shortOp, temporalActivities, waitOp } from './lib/activities.js';
import { Checklist, failureDetails, failureMessage, failureType, type StepReport } from './lib/checklist.js';
import { OutcomeRecorder, requireInput } from './lib/outcome.js';

export interface CleanStartReport {
  recipe: 'CleanStart';
  ok: boolean;
  project: string;
  /** Why the recipe is not ok: the failed step's error, or the target's status / result check. */
  problem?: string;
  failedStep?: string;
  server?: ServerCheck;
  stopped: StopOutcome[];
  worker?: WorkerInfo & { readyAfterMs?: number; pollerIdentity?: string; logTail?: string };
  target?: CheckedTarget | StartedTarget;
  steps: StepReport[];
}

const STEPS: [string, string][] = [
  ['prepare', 'Check project directory and commands'],
  ['stop-workers', 'Stop stale workers of this project'],
  ['verify-server', 'Verify server: health, namespace, search attributes'],
  ['start-worker', 'Start one fresh worker'],
  ['wait-ready', 'Wait until the worker polls the task queue'],
  ['start-target', 'Start the target workflow'],
  ['wait-target', 'Wait for the target workflow to close'],
  ['check-result', 'Check the result'],
];

/** Runs the clean-start recipe; bad input fails the workflow, step failures end in a report with ok=false. */
export async function CleanStart(raw: unknown): Promise<CleanStartReport> {
  const input = requireInput('CleanStart', parseCleanStartInput(raw));
  const checklist = new Checklist('CleanStart', STEPS);
  const proc = processActivities(input.host);
  const report: CleanStartReport = {
    recipe: 'CleanStart',
    ok: false,
    project: input.project ?? input.projectDir,
    stopped: [],
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
    outcome = new OutcomeRecorder('CleanStart', prepared.project);
    outcome.record('running', 'started');

    report.stopped = await checklist.run(
      'stop-workers',
      () =>
        proc.stopWorkers.executeWithOptions(
          { ...processOp, summary: `stop workers of ${prepared.project}` },
          [{ project: prepared.project, graceSeconds: input.graceSeconds }],
        ),
      (outcomes) =>
        outcomes.length === 0 ? 'none running' : outcomes.map((o) => `${o.pid} ${o.result}`).join(', '),
    );

    report.server = await checklist.run(
      'verify-server',
      () => temporalActivities.verifyServer.executeWithOptions({ ...shortOp, summary: 'verify server' }, []),
      (check) =>
        check.problems.length ? check.problems.join('; ') : `server ${check.serverVersion ?? ''} ok`,
    );
    outcome.enableSearchAttributes(report.server.missingSearchAttributes.length === 0);
    outcome.record('running', 'server verified');

    const worker = await checklist.run(
      'start-worker',
      () =>
        proc.startWorker.executeWithOptions(
          { ...processOp, summary: `start worker: ${prepared.workerCommand}` },
          [{ ...prepared, taskQueue: input.taskQueue, env: input.env, graceSeconds: input.graceSeconds }],
        ),
      (w) => `pid ${w.pid}, log ${w.logPath}`,
    );
    report.worker = worker;

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
    report.worker = { ...worker, readyAfterMs: ready.waitedMs, pollerIdentity: ready.pollerIdentity };

    const started = await checklist.run(
      'start-target',
      () =>
        temporalActivities.startTargetWorkflow.executeWithOptions(
          {
            ...shortOp,
            startToCloseTimeout: '2m',
            summary:
              'workflowType' in input.start
                ? `start ${input.start.workflowType}`
                : `run ${input.start.command}`,
          },
          [
            {
              projectDir: prepared.projectDir,
              taskQueue: input.taskQueue,
              start: input.start,
              env: input.env,
            },
          ],
        ),
      (t) => `workflow ${t.workflowId}`,
    );
    report.target = started;

    const timeoutSeconds = input.resultTimeoutSeconds ?? 300;
    const closed = await checklist.run(
      'wait-target',
      () =>
        temporalActivities.waitTargetClosed.executeWithOptions(
          { ...waitOp(timeoutSeconds), summary: `wait for ${started.workflowId}` },
          [{ ...started, timeoutSeconds, resultRule: input.resultRule }],
        ),
      (t) => t.status,
    );
    report.target = closed;

    if (closed.status !== 'COMPLETED') {
      checklist.mark(
        'check-result',
        'failed',
        `status ${closed.status}${closed.failure ? `: ${closed.failure}` : ''}`,
      );
      report.problem =
        closed.status === 'RUNNING'
          ? `target still RUNNING after ${timeoutSeconds} s`
          : `target ${closed.status}: ${closed.failure ?? ''}`;
    } else if (closed.resultCheck?.looksLikeError) {
      checklist.mark('check-result', 'failed', `COMPLETED but ${closed.resultCheck.reason}`);
      report.problem = `target COMPLETED but its result reads like an error: ${closed.resultCheck.reason}`;
    } else {
      checklist.mark('check-result', 'ok', 'result looks right');
      report.ok = true;
    }
  } catch (error) {
    if (failureType(error) === FailureType.InvalidInput) {
      throw ApplicationFailure.create({
        message: `CleanStart input is invalid: ${failureMessage(error)}`,
        type: FailureType.InvalidInput,
        nonRetryable: true,
      });
    }
    report.problem = failureMessage(error);
    report.failedStep = checklist.failedStep?.name;
    if (report.worker && failureType(error) === FailureType.WorkerNotReady) {
      report.worker = { ...report.worker, logTail: failureDetails<{ logTail: string }>(error)?.logTail };
    }
  } finally {
    checklist.finish();
  }
  report.failedStep ??= checklist.failedStep?.name;
  const summary = report.ok
    ? `worker ${report.worker?.pid} ready; ${report.target?.workflowId} COMPLETED`
    : (report.problem ?? 'failed').split('\n')[0]!;
  (outcome ?? new OutcomeRecorder('CleanStart', report.project)).record(report.ok ? 'ok' : 'failed', summary);
  return report;
}
