// A Temporal Schedule that runs DebugStalled every few minutes: the scheduled stall sweep.
// Creating it again updates it (Temporal rejects a second create with ScheduleAlreadyRunning).
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { parseDebugStalledInput } from '../contract/debug-stalled-input.js';
import { describeProblem } from '../contract/validate.js';
import { InvalidInputError } from '../errors.js';
import { isNotFound } from './grpc.js';

export interface StallSweepSchedule {
  scheduleId: string;
  opsTaskQueue: string;
  /** Interval between sweeps, e.g. "5m". */
  every: string;
  /** DebugStalled input (sweep mode): query, taskQueue, policy, ...; `incidents` defaults to true here. */
  input: Record<string, unknown>;
}

export interface ScheduleOutcome {
  scheduleId: string;
  created: boolean;
  every: string;
}

/** A scheduled sweep reports to the incidents unless its input says `incidents: false` (or is no sweep). */
function withIncidents(input: Record<string, unknown>): Record<string, unknown> {
  return input.workflowId === undefined ? { incidents: true, ...input } : input;
}

function options(s: StallSweepSchedule): ScheduleOptions {
  return {
    scheduleId: s.scheduleId,
    spec: { intervals: [{ every: s.every }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'DebugStalled',
      taskQueue: s.opsTaskQueue,
      args: [withIncidents(s.input)],
      workflowId: `${s.scheduleId}-run`,
      staticSummary: `scheduled stall sweep every ${s.every}`,
    },
    // A slow sweep must not pile up behind itself; a sweep missed while the server was down is stale.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  };
}

/** Creates the schedule, or updates it in place when it exists. Input is checked first. */
export async function upsertStallSweep(client: Client, s: StallSweepSchedule): Promise<ScheduleOutcome> {
  const parsed = parseDebugStalledInput(withIncidents(s.input));
  if (!parsed.input)
    throw new InvalidInputError('input', s.input, parsed.problems.map(describeProblem).join('; '));
  if (parsed.input.workflowId)
    throw new InvalidInputError(
      'input.workflowId',
      parsed.input.workflowId,
      'no workflowId: a schedule sweeps',
    );
  const wanted = options(s);
  try {
    await client.schedule.create(wanted);
    return { scheduleId: s.scheduleId, created: true, every: s.every };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(s.scheduleId).update((previous) => ({
    ...previous,
    spec: wanted.spec,
    action: wanted.action as typeof previous.action,
    policies: { ...previous.policies, ...wanted.policies },
  }));
  return { scheduleId: s.scheduleId, created: false, every: s.every };
}

/** Deletes the schedule; true when it existed. */
export async function deleteStallSweep(client: Client, scheduleId: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError || isNotFound(error)) return false;
    throw error;
  }
}
