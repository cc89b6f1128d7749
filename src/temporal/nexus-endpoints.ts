// Where a Nexus endpoint sends its operations: the operator service's endpoint registry, by name.
import type { Client } from '@temporalio/client';

/** The namespace and task queue a Nexus endpoint routes to. */
export interface NexusEndpointTarget {
  namespace: string;
  taskQueue: string;
}

/**
 * The worker target of the endpoint named `name`; undefined when no such endpoint exists, it targets
 * something else than a worker (an external URL), or the registry cannot be read (e.g. no permission).
 */
export async function nexusEndpointTarget(
  client: Client,
  name: string,
): Promise<NexusEndpointTarget | undefined> {
  try {
    const response = await client.connection.operatorService.listNexusEndpoints({ name, pageSize: 1 });
    const worker = response.endpoints?.find((e) => e.spec?.name === name)?.spec?.target?.worker;
    return worker?.namespace && worker.taskQueue
      ? { namespace: worker.namespace, taskQueue: worker.taskQueue }
      : undefined;
  } catch {
    return undefined;
  }
}
