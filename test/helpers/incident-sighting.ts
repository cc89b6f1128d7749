// One sweep's sighting of a no-worker stall, for the unit tests of incident moves and notices.
import type { IncidentSighting } from '../../src/contract/incidents.js';

export const sighting: IncidentSighting = {
  namespace: 'default',
  workflowId: 'order-1',
  runId: 'run-1',
  verdict: 'no-worker',
  signature: 'no poller',
  workflowType: 'Order',
  taskQueue: 'orders',
  summary: 'nobody polls orders',
  remedy: 'start a worker on orders',
};
