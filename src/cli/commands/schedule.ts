// `temporal-ops schedule stall-sweep`: create, update or delete the scheduled stall sweep.
import { deleteStallSweep, upsertStallSweep } from '../../temporal/stall-sweep.js';
import { ExitError, InvalidInputError } from '../../errors.js';
import { loadPolicy } from '../../host/projects/load-policy.js';
import { checkSink } from '../../host/projects/policy.js';
import { parseSink } from '../../contract/notify.js';
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
  const { opsTaskQueue } = ctx.settings;
  const { scheduleId } = options;
  if (options.remove) {
    const client = await ctx.client();
    const deleted = await deleteStallSweep(client, scheduleId);
    ctx.out.result({ scheduleId, deleted }, () =>
      deleted ? `deleted schedule ${scheduleId}` : `no schedule ${scheduleId}`,
    );
    return deleted ? ExitCode.ok : ExitCode.notFound;
  }
  // A command sink runs on a control worker of this host, and a URL sink is posted to under each
  // control worker's policy: this host's policy decides now, not at the first sweep.
  const sinks = ((options.input.notify as unknown[] | undefined) ?? []).filter(
    (value): value is string => typeof value === 'string',
  );
  const commands = sinks.filter((value) => value.startsWith('cmd:'));
  if (sinks.length > 0) {
    const policy = await loadPolicy(ctx.settings.stateDir, ctx.settings.policy, ctx.target.address);
    for (const value of sinks) {
      const parsed = parseSink(value);
      if (!('sink' in parsed)) continue; // --notify's parser has refused it already
      const verdict = checkSink(policy, '--notify', value, parsed.sink);
      if (!verdict.allowed) throw new ExitError(verdict.message, ExitCode.usage);
    }
  }
  // ... and runs on this host, whose policy allowed it, unless the input names another; so do
  // remedies of its own (--auto-remedy), for the project directory named here.
  const input =
    (commands.length > 0 || options.input.act === true) && options.input.host === undefined
      ? { ...options.input, host: ctx.settings.host }
      : options.input;
  const client = await ctx.client();
  try {
    const outcome = await upsertStallSweep(client, {
      scheduleId,
      opsTaskQueue,
      every: options.every,
      input,
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
