// `temporal-ops schedule stall-sweep`: create, update or delete the scheduled stall sweep.
import { deleteStallSweep, upsertStallSweep } from '../../temporal/stall-sweep.js';
import { ExitError, InvalidInputError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface ScheduleOptions {
  scheduleId: string;
  /** Interval between sweeps, at least 1s (checked when parsed). */
  every: string;
  /** DebugStalled input. */
  input: Record<string, unknown>;
  /** Delete the schedule instead. */
  remove: boolean;
}

/** Creates or updates (or deletes: exit 7 when there was none) the schedule and prints what happened. */
export async function scheduleStallSweep(options: ScheduleOptions, ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  const { opsTaskQueue } = ctx.settings;
  const { scheduleId } = options;
  if (options.remove) {
    const deleted = await deleteStallSweep(client, scheduleId);
    ctx.out.result({ scheduleId, deleted }, () =>
      deleted ? `deleted schedule ${scheduleId}` : `no schedule ${scheduleId}`,
    );
    return deleted ? ExitCode.ok : ExitCode.notFound;
  }
  try {
    const outcome = await upsertStallSweep(client, {
      scheduleId,
      opsTaskQueue,
      every: options.every,
      input: options.input,
    });
    ctx.out.result(
      outcome,
      (o) =>
        `${o.created ? 'created' : 'updated'} schedule ${o.scheduleId}: DebugStalled every ${o.every} on task queue ${opsTaskQueue}`,
    );
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ExitError(error.message, ExitCode.usage);
    throw error;
  }
}
