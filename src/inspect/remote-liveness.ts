// Ghosts of other hosts: a poller named `<pid>@<host>` for another host is judged by that host's
// control worker, which the HostProcesses workflow asks (it runs the host's `processFacts`). A host
// without a live control worker is not asked; its pollers stay judged by last access alone.
import type { Client } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { parsePollerIdentity, type RemoteLiveness } from '../diagnosis/poller-liveness.js';
import { type ProcessFact } from '../contract/facts.js';
import { listPollers } from '../temporal/task-queue.js';
import { HOST_PROCESSES_TYPE, hostQueueName } from '../contract/ops-workflows.js';
import { bookkeepingClient } from '../temporal/bookkeeping.js';

/** A host's control worker counts as there when it polled its queue this recently. */
const CONTROL_WORKER_FRESH_MS = 60_000;

/** How long one host may take to answer before its pollers are left unjudged. */
const ANSWER_TIMEOUT = '15s';

async function controlWorkerPolls(client: Client, queue: string): Promise<boolean> {
  const pollers = await listPollers(client, queue, 'activity').catch(() => []);
  const now = Date.now();
  return pollers.some((p) => now - p.lastAccessTimeMs < CONTROL_WORKER_FRESH_MS);
}

/**
 * Asks each other host its identities name, through the control workers on `opsTaskQueue` in the
 * bookkeeping namespace (where HostProcesses runs).
 */
export function remoteLiveness(
  userClient: Client,
  ops: { opsTaskQueue: string; bookkeepingNamespace: string },
  localHost: string,
): RemoteLiveness {
  const { opsTaskQueue } = ops;
  const client = bookkeepingClient(userClient, ops.bookkeepingNamespace);
  return async (identities) => {
    const pidsByHost = new Map<string, number[]>();
    for (const identity of identities) {
      const named = parsePollerIdentity(identity);
      if (!named || named.host === localHost) continue;
      pidsByHost.set(named.host, [...(pidsByHost.get(named.host) ?? []), named.pid]);
    }
    const answers = new Map<string, ProcessFact>();
    await Promise.all(
      [...pidsByHost].map(async ([host, pids]) => {
        if (!(await controlWorkerPolls(client, hostQueueName(opsTaskQueue, host)))) return;
        const facts = await client.workflow
          .execute(HOST_PROCESSES_TYPE, {
            taskQueue: opsTaskQueue,
            workflowId: `temporal-ops-host-processes-${host}-${nanoid(10)}`,
            args: [{ host, pids }],
            workflowExecutionTimeout: ANSWER_TIMEOUT,
          })
          .catch(() => [] as ProcessFact[]);
        // Only what that host says of itself: a fact about another host is not its to give.
        for (const fact of facts as ProcessFact[])
          if (fact.host === host) answers.set(`${fact.pid}@${host}`, fact);
      }),
    );
    return answers;
  };
}
