// `worker ensure|start|restart --host H` for another machine: run the EnsureWorker recipe, which
// routes its process step to the host queue of H's control worker (`temporal-ops@H`).
import { isAbsolute } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { EnsureWorkerInput, EnsureWorkerRecipeReport } from '../../../workflows/ensure-worker.js';
import type { PlanMode } from '../../host/workers/plan.js';
import { ExitError } from '../../errors.js';
import { failureChain } from '../../inspect/target.js';
import { hostQueueName } from '../../contract/ops-workflows.js';
import type { CommandContext } from '../context.js';
import type { WorkerTarget } from '../options.js';
import { ExitCode } from '../output.js';

/** Starts EnsureWorker for `host` on the ops queue and waits for its report; `supervise` becomes restartOnCrash. */
export async function runRemoteEnsure(
  mode: PlanMode,
  target: WorkerTarget & { host: string },
  ctx: CommandContext,
  supervise?: { maxRestarts: number },
): Promise<number> {
  if (!target.projectDirGiven || !isAbsolute(target.projectDir) || !target.taskQueue) {
    throw new ExitError(
      `worker ${mode} --host ${target.host}: give --project-dir as an absolute path on that host and --task-queue`,
      ExitCode.usage,
    );
  }
  const input: EnsureWorkerInput = {
    projectDir: target.projectDir,
    taskQueue: target.taskQueue,
    project: target.project,
    host: target.host,
    mode,
    ...(target.workerCommand ? { workerCommand: target.workerCommand } : {}),
    ...(target.env ? { env: target.env } : {}),
    ...(target.readyTimeoutMs ? { readyTimeoutSeconds: target.readyTimeoutMs / 1000 } : {}),
    ...(target.graceMs !== undefined ? { graceSeconds: target.graceMs / 1000 } : {}),
    // Supervision there is done by that host's control worker, which outlives this command.
    ...(supervise ? { restartOnCrash: { maxRestarts: supervise.maxRestarts } } : {}),
  };
  const client = await ctx.client();
  const workflowId = `ensure-worker-${target.project}-${nanoid(8)}`;
  ctx.out.info(
    `EnsureWorker ${workflowId}: waiting for the control worker of ${target.host} (task queue ${hostQueueName(ctx.settings.opsTaskQueue, target.host)})`,
  );
  let report: EnsureWorkerRecipeReport;
  try {
    report = await client.workflow.execute('EnsureWorker', {
      taskQueue: ctx.settings.opsTaskQueue,
      workflowId,
      args: [input],
      // No control worker on that host would leave it waiting forever.
      workflowExecutionTimeout: `${Math.round((target.readyTimeoutMs ?? ctx.settings.readyTimeoutMs) / 1000) + 120}s`,
    });
  } catch (error) {
    const message = error instanceof WorkflowFailedError ? failureChain(error.cause) : failureChain(error);
    throw new ExitError(`EnsureWorker ${workflowId} failed: ${message}`, ExitCode.notOk);
  }
  ctx.out.result(report, (r) =>
    r.ok && r.worker
      ? `worker ${r.worker.worker.pid} of ${r.project} ${r.worker.action} on ${target.host}, task queue ${target.taskQueue}`
      : `EnsureWorker NOT OK on ${target.host}: ${r.problem ?? 'failed'}`,
  );
  return report.ok ? ExitCode.ok : ExitCode.notOk;
}
