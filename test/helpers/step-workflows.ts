// Test-only workflows that run one host-bound step with a recipe's retry shape, so crash tests can
// kill the control worker inside that step. Bundled by the test; hosted by control-worker-main.ts.
import { proxyActivities } from '@temporalio/workflow';
import type {
  RunStarterInput,
  ProcessActivities,
  StarterReport,
} from '../../activities/process-activities.js';

/** Runs `runStarter` once on the host queue; a crash of the control worker makes Temporal retry it. */
export async function RunStarterStep(input: {
  hostQueue: string;
  starter: RunStarterInput;
}): Promise<StarterReport> {
  const { runStarter } = proxyActivities<ProcessActivities>({
    taskQueue: input.hostQueue,
    startToCloseTimeout: '3m',
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: 5, initialInterval: '1s' },
  });
  return runStarter(input.starter);
}

/**
 * Schedules any activity type with any arguments on any queue, once: what anyone who can start a
 * workflow in the namespace can do. The security tests use it to call host activities directly.
 */
export async function ScheduleActivity(input: {
  taskQueue: string;
  activity: string;
  args: unknown[];
}): Promise<unknown> {
  const activities = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({
    taskQueue: input.taskQueue,
    scheduleToCloseTimeout: '2m',
    startToCloseTimeout: '1m',
    retry: { maximumAttempts: 1 },
  });
  const activity = activities[input.activity];
  if (!activity) throw new Error(`no activity ${input.activity}`);
  return activity(...input.args);
}
