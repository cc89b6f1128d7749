// The namespace of our bookkeeping workflows (ProjectHost, HostProcesses, Incident): apart from the user's, so
// their workflow list shows their workflows and the recipes they started, nothing of ours besides.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import { BookkeepingNamespaceMissingError } from '../errors.js';
import { isLoopbackAddress } from './address.js';
import { isNotFound } from './grpc.js';

const ALREADY_EXISTS = 6;

/** How long closed bookkeeping workflows are kept (the dev server's own default). */
const RETENTION = '1 day';

/** A client on `namespace` over `client`'s connection (the same client when the namespaces match). */
export function bookkeepingClient(client: Client, namespace: string): Client {
  if (client.options.namespace === namespace) return client;
  return new Client({
    connection: client.connection,
    namespace,
    dataConverter: client.options.dataConverter,
  });
}

async function exists(connection: NativeConnection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * Makes sure `namespace` exists: on a loopback server (a dev server) it is registered when missing;
 * elsewhere a missing one throws BookkeepingNamespaceMissingError naming the command an admin runs.
 */
export async function ensureBookkeepingNamespace(
  connection: NativeConnection,
  namespace: string,
  address: string,
): Promise<'exists' | 'created'> {
  if (await exists(connection, namespace)) return 'exists';
  if (!(await isLoopbackAddress(address)))
    throw new BookkeepingNamespaceMissingError(namespace, address, 'not a local dev server');
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'temporal-ops bookkeeping: which host owns each project, questions between hosts',
      workflowExecutionRetentionPeriod: msToTs(RETENTION),
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== ALREADY_EXISTS)
      throw new BookkeepingNamespaceMissingError(namespace, address, (error as Error).message);
  }
  // A fresh namespace reaches the server's caches within seconds; pollers before that are refused.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
      return 'created';
    } catch (error) {
      if (!isNotFound(error) || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}
