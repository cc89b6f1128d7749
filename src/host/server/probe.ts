// Is a Temporal server there, is the namespace served, are our search attributes registered?
import type { Client } from '@temporalio/client';
import { OPS_SEARCH_ATTRIBUTES } from './profile.js';

export interface ServerCheck {
  address: string;
  namespace: string;
  healthy: boolean;
  serverVersion?: string;
  namespaceOk: boolean;
  missingSearchAttributes: string[];
  problems: string[];
}

/** Checks health, namespace and search attributes; reports problems instead of throwing. */
export async function checkServer(client: Client, address: string): Promise<ServerCheck> {
  const namespace = client.options.namespace;
  const check: ServerCheck = {
    address,
    namespace,
    healthy: false,
    namespaceOk: false,
    missingSearchAttributes: [],
    problems: [],
  };
  try {
    const info = await client.workflowService.getSystemInfo({});
    check.healthy = true;
    check.serverVersion = info.serverVersion ?? undefined;
  } catch (error) {
    check.problems.push(`server at ${address} does not answer: ${(error as Error).message}`);
    return check;
  }
  try {
    await client.workflowService.describeNamespace({ namespace });
    check.namespaceOk = true;
  } catch (error) {
    check.problems.push(`namespace "${namespace}" is not served: ${(error as Error).message}`);
    return check;
  }
  try {
    const listed = await client.connection.operatorService.listSearchAttributes({ namespace });
    const present = new Set(Object.keys(listed.customAttributes ?? {}));
    check.missingSearchAttributes = Object.keys(OPS_SEARCH_ATTRIBUTES).filter((name) => !present.has(name));
    if (check.missingSearchAttributes.length > 0) {
      check.problems.push(
        `search attributes ${check.missingSearchAttributes.join(', ')} are not registered; recipes keep their outcome in memo only`,
      );
    }
  } catch (error) {
    // Temporal Cloud does not serve the operator service to every API key.
    check.missingSearchAttributes = Object.keys(OPS_SEARCH_ATTRIBUTES);
    check.problems.push(`cannot list search attributes: ${(error as Error).message}`);
  }
  return check;
}
