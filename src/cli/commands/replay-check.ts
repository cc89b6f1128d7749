// `temporal-ops replay-check`: would the open workflows of a task queue survive a restart onto the
// project's current code? Replays their histories with the project's own worker command (its real
// registrations), here, now. Exit 0 when all replay, 10 when some would break.
import { targetEnv } from '../../control-worker.js';
import { ExitError, InvalidInputError } from '../../errors.js';
import { readPidRecords } from '../../host/records/pid-file.js';
import { prepareProject } from '../../host/projects/prepare.js';
import { localUserPolicy } from '../../host/projects/policy.js';
import { ReplayCheckError } from '../../errors.js';
import { replayCheck } from '../../host/replay/replay-check.js';
import type { ReplayReport } from '../../host/replay/report-types.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface ReplayCheckCliOptions {
  projectDir: string;
  taskQueue?: string;
  workerCommand?: string;
  max?: number;
}

function render(report: ReplayReport): string {
  if (report.checked === 0) return `nothing to replay: no open workflows on ${report.taskQueue}`;
  const lines = [
    `${report.replays} of ${report.checked} open workflows on ${report.taskQueue} replay on the current code`,
  ];
  if (report.isolation === 'none')
    lines.push(
      "  (replayed on this host's network: no network namespace here; the hook kept it off the server)",
    );
  for (const [type, n] of Object.entries(report.byType))
    lines.push(`  ${type}: ${n.replays} replay, ${n.wouldBreak} would break`);
  for (const r of report.results.filter((x) => x.outcome === 'would-break')) {
    const d = r.divergence;
    lines.push(
      `  ✖ ${r.workflowId} (${r.workflowType})${d?.eventId ? ` at event ${d.eventId} ${d.eventType ?? ''}` : ''}` +
        `${d?.produced ? `: new code produces ${d.produced}` : ''}\n      ${d?.message.split('\n')[0] ?? r.cause ?? ''}`,
    );
  }
  if (report.truncated) lines.push('  (only the newest were checked; raise --max)');
  return lines.join('\n');
}

/** Runs the check on this machine; exit 10 when some open workflow would break, 2 for bad flags. */
export async function replayCheckCommand(
  options: ReplayCheckCliOptions,
  ctx: CommandContext,
): Promise<number> {
  const { settings } = ctx;
  const prepared = await prepareProject(
    { projectDir: options.projectDir, workerCommand: options.workerCommand, taskQueue: options.taskQueue },
    { stateDir: settings.stateDir, defaultWorkerCommand: settings.workerCommand, policy: localUserPolicy() },
  ).catch((error: unknown) => {
    if (error instanceof InvalidInputError) throw new ExitError(error.message, ExitCode.usage);
    throw error;
  });
  const recorded = await readPidRecords(settings.stateDir, { kind: 'worker', project: prepared.project });
  const taskQueue = options.taskQueue ?? prepared.taskQueue ?? recorded.at(-1)?.taskQueue;
  if (!taskQueue)
    throw new ExitError(
      `--task-queue: no task queue is registered or recorded for ${prepared.projectDir}; give one`,
      ExitCode.usage,
    );
  // The worker recorded with this command ran with its own env (e.g. the PYTHON a wrapper execs):
  // the replay runs the same command, so it needs the same env.
  const env = recorded
    .filter((r) => r.taskQueue === taskQueue && r.command === prepared.workerCommand)
    .at(-1)?.env;
  try {
    const report = await replayCheck(await ctx.client(), {
      projectDir: prepared.projectDir,
      taskQueue,
      workerCommand: prepared.workerCommand,
      ...(env ? { env } : {}),
      baseEnv: targetEnv(ctx.target),
      max: options.max,
      stateDir: settings.stateDir,
    });
    ctx.out.result(report, render);
    return report.wouldBreak > 0 ? ExitCode.wouldBreak : ExitCode.ok;
  } catch (error) {
    if (error instanceof ReplayCheckError)
      throw new ExitError(
        `replay check could not decide (${error.reason}): ${error.message}`,
        ExitCode.notOk,
      );
    throw error;
  }
}
