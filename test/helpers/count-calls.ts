// Counts the workflow-service calls a client makes, by method: what a benchmark reports and what a
// test asserts when it says how many calls a path costs.
import type { Client } from '@temporalio/client';

/** Counts the calls made through `client.workflowService` from now on, by method, into the returned record. */
export function countCalls(client: Client): Record<string, number> {
  const counts: Record<string, number> = {};
  const service = client.workflowService;
  const counted = new Proxy(service, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts[key] = (counts[key] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  Object.defineProperty(client, 'workflowService', { value: counted, configurable: true });
  return counts;
}

/** Stops counting: the client's own workflow service again. */
export function stopCounting(client: Client): void {
  Reflect.deleteProperty(client, 'workflowService');
}
