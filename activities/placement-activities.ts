// Where a recipe's host-bound steps run: the host it names (checked for a live control worker up
// front) or the host of the control worker that takes this step.
import { ApplicationFailure } from '@temporalio/common';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { HostClaim, HostOwner } from '../src/contract/host-claim.js';
import type { Settings } from '../src/config.js';
import { listPollers } from '../src/temporal/task-queue.js';
import { FailureType } from '../src/contract/failure-types.js';
import { hostQueueName, PROJECT_HOST_TYPE } from '../src/contract/ops-workflows.js';

/** A poller seen this recently is alive; dead pollers stay listed for about five minutes. */
const LIVE_POLLER_MS = 2 * 60_000;

export interface HostPin {
  host: string;
  queue: string;
  /** Identities of the live control-worker pollers on the host queue. */
  pollers: string[];
}

/** Builds the activities that decide and check where host-bound work goes. */
export function createPlacementActivities({
  client,
  bookkeeping,
  settings,
}: {
  client: Client;
  bookkeeping: Client;
  settings: Settings;
}) {
  const liveHostPollers = async (host: string): Promise<string[]> => {
    const now = Date.now();
    const pollers = await listPollers(client, hostQueueName(settings.opsTaskQueue, host), 'activity');
    return pollers.filter((p) => now - p.lastAccessTimeMs < LIVE_POLLER_MS).map((p) => p.identity);
  };
  /** Fails (non-retryable) unless a control worker polls `host`'s queue now, naming the host and queue. */
  const checkHostQueue = async (input: { host: string }): Promise<HostPin> => {
    const queue = hostQueueName(settings.opsTaskQueue, input.host);
    const pollers = await liveHostPollers(input.host);
    if (pollers.length === 0) {
      throw ApplicationFailure.create({
        message: `host "${input.host}": no control worker polls task queue "${queue}"; start one there (\`temporal-ops serve\` with TEMPORAL_OPS_HOST=${input.host}) or give another host`,
        type: FailureType.HostUnavailable,
        nonRetryable: true,
        details: [{ host: input.host, queue }],
      });
    }
    return { host: input.host, queue, pollers };
  };
  const claim = (projectDir: string, request: HostClaim): Promise<HostOwner> =>
    bookkeeping.workflow.executeUpdateWithStart<() => Promise<void>, HostOwner, [HostClaim]>('claim', {
      args: [request],
      startWorkflowOperation: new WithStartWorkflowOperation(PROJECT_HOST_TYPE, {
        workflowId: `${settings.opsTaskQueue}/project:${projectDir}`,
        taskQueue: settings.opsTaskQueue,
        args: [{}],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
  return {
    /**
     * The host that owns `projectDir`'s worker: the recorded owner while its control worker lives,
     * else this control worker's host. With `host`, that host becomes the owner (checked live first).
     */
    async claimProjectHost(input: {
      projectDir: string;
      host?: string;
    }): Promise<HostPin & { previous?: string }> {
      if (input.host) {
        const pin = await checkHostQueue({ host: input.host });
        const owner = await claim(input.projectDir, { host: input.host, force: true });
        return { ...pin, ...(owner.previous ? { previous: owner.previous } : {}) };
      }
      let owner = await claim(input.projectDir, { host: settings.host });
      if (owner.host !== settings.host && (await liveHostPollers(owner.host)).length === 0)
        owner = await claim(input.projectDir, { host: settings.host, takeoverFrom: owner.host });
      const queue = hostQueueName(settings.opsTaskQueue, owner.host);
      return { host: owner.host, queue, pollers: await liveHostPollers(owner.host) };
    },

    /** The host of the control worker running this activity: a recipe without `host` pins itself here. */
    async localHost(): Promise<{ host: string }> {
      return { host: settings.host };
    },

    /** Fails (non-retryable) unless a control worker polls `host`'s queue now, naming the host and queue. */
    checkHostQueue,
  };
}
