// The replay check as a host-bound activity: it runs the project's worker command on this host.
import { FailureType } from '../src/contract/failure-types.js';
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { prepareContext, prepareProject, type ProjectInput } from '../src/host/projects/prepare.js';
import { ReplayCheckError } from '../src/errors.js';
import { replayCheck } from '../src/host/replay/replay-check.js';
import type { ReplayReport } from '../src/host/replay/report-types.js';
import type { ProcessDeps } from './process-activities.js';
import { toFailure } from './failures.js';

/** Stable failure type of a replay check that gave no verdict; `details[0].reason` says why. */
export const REPLAY_CHECK_FAILED = FailureType.ReplayCheckFailed;

export interface ReplayOpenWorkflowsInput extends ProjectInput {
  taskQueue: string;
  /** At most this many open runs, the newest (default 200). */
  max?: number;
  /** Bound on the worker command's run (default 120). */
  timeoutSeconds?: number;
}

/** Only a timeout is worth retrying; the others need a change to the code or the command. */
function replayFailure(error: ReplayCheckError): ApplicationFailure {
  return ApplicationFailure.create({
    message: error.message,
    type: REPLAY_CHECK_FAILED,
    nonRetryable: error.reason !== 'timed-out',
    details: [{ reason: error.reason, logTail: error.logTail, exit: error.exit ?? null }],
  });
}

/** Builds the replay activities bound to this host. */
export function createReplayActivities({ client, settings, workerEnv, address }: ProcessDeps) {
  return {
    /**
     * Replays the open runs of the task queue against the project's current code with its own
     * worker command; heartbeats while it runs and stops the command when cancelled.
     */
    async replayOpenWorkflows(input: ReplayOpenWorkflowsInput): Promise<ReplayReport> {
      const ctx = Context.current();
      const timer = setInterval(() => ctx.heartbeat(), 5000);
      try {
        const project = await prepareProject(input, await prepareContext(settings, address));
        return await replayCheck(client, {
          projectDir: project.projectDir,
          taskQueue: input.taskQueue,
          workerCommand: project.workerCommand,
          env: input.env,
          baseEnv: workerEnv,
          max: input.max,
          stateDir: settings.stateDir,
          timeoutMs: input.timeoutSeconds === undefined ? undefined : input.timeoutSeconds * 1000,
          signal: ctx.cancellationSignal,
          // The control worker lives on: the next check of this project finds its Python with the
          // SDK imported (unless TEMPORAL_OPS_REPLAY_WARM=0).
          keepWarm: settings.replayWarm,
        });
      } catch (error) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        if (error instanceof ReplayCheckError) throw replayFailure(error);
        throw toFailure(error);
      } finally {
        clearInterval(timer);
      }
    },
  };
}

export type ReplayActivities = ReturnType<typeof createReplayActivities>;
