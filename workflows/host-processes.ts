// HostProcesses: asks the control worker on one host which of some pids run there, so a diagnosis
// on another host can tell a dead worker's lingering poller (a ghost) from a live one. It is not a
// recipe: the poller check starts it (src/inspect/remote-liveness.ts) and waits a few seconds at most.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { HostActivities } from '../activities/index.js';
import type { ProcessFact } from '../src/contract/facts.js';
import { FailureType } from '../src/contract/failure-types.js';
import { hostQueue } from './lib/activities.js';

export interface HostProcessesInput {
  host: string;
  pids: number[];
}

/** The facts `host`'s control worker gives about `pids`; fails at once when nobody there answers. */
export async function HostProcesses(input: HostProcessesInput): Promise<ProcessFact[]> {
  const host = typeof input?.host === 'string' ? input.host : '';
  if (!/^[^\s@]+$/.test(host))
    throw ApplicationFailure.create({
      message: `host: expected a host name, got ${JSON.stringify(input?.host)}`,
      type: FailureType.InvalidInput,
      nonRetryable: true,
    });
  const onHost = proxyActivities<HostActivities>({
    taskQueue: hostQueue(host),
    // A host whose control worker is gone cannot answer: its pollers stay unjudged, not dead.
    scheduleToStartTimeout: '5s',
    startToCloseTimeout: '5s',
    retry: { maximumAttempts: 1 },
  });
  return onHost.processFacts({ pids: input.pids });
}
