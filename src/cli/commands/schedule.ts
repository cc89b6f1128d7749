// `temporal-ops schedule stall-sweep`: create, update or delete the scheduled stall sweep.
import type { Client } from '@temporalio/client';
import { deleteStallSweep, upsertStallSweep } from '../../schedules/stall-sweep.js';
import { ExitError, InvalidInputError } from '../../errors.js';
import { ExitCode, printJson } from '../output.js';

export interface ScheduleCommand {
  scheduleId: string;
  every: string;
  input: Record<string, unknown>;
  remove: boolean;
  json: boolean;
}

/** Creates or updates (or deletes) the schedule and prints what happened. */
export async function scheduleStallSweep(
  client: Client,
  opsTaskQueue: string,
  c: ScheduleCommand,
): Promise<number> {
  if (c.remove) {
    const existed = await deleteStallSweep(client, c.scheduleId);
    if (c.json) printJson({ scheduleId: c.scheduleId, deleted: existed });
    else
      process.stdout.write(existed ? `deleted schedule ${c.scheduleId}\n` : `no schedule ${c.scheduleId}\n`);
    return existed ? ExitCode.ok : ExitCode.notFound;
  }
  try {
    const outcome = await upsertStallSweep(client, {
      scheduleId: c.scheduleId,
      opsTaskQueue,
      every: c.every,
      input: c.input,
    });
    if (c.json) printJson(outcome);
    else {
      process.stdout.write(
        `${outcome.created ? 'created' : 'updated'} schedule ${outcome.scheduleId}: DebugStalled every ${outcome.every} on task queue ${opsTaskQueue}\n`,
      );
    }
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ExitError(error.message, ExitCode.usage);
    throw error;
  }
}
