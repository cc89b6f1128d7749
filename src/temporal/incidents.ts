// Incidents in the bookkeeping namespace: their workflow IDs, the search attributes they need, the
// sightings a sweep sends (update-with-start, one update ID per sweep and incident), the list the
// Web UI shows, and the moves people make (ack, snooze, resolve).
import { createHash } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import {
  ACTIVE_INCIDENT_STATES,
  fingerprintKey,
  INCIDENT_MEMO,
  INCIDENT_UPDATE,
  type Incident,
  type IncidentAnswer,
  type IncidentEvent,
  type IncidentFingerprint,
  type IncidentSighting,
  type IncidentState,
} from '../contract/incidents.js';
import type { NotifyConfig } from '../contract/notify.js';
import { INCIDENT_TYPE } from '../contract/ops-workflows.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../contract/search-attributes.js';
import { IncidentAttributesMissingError } from '../errors.js';
import { isLoopbackAddress } from './address.js';
import { isNotFound } from './grpc.js';

/** An incident as listed: its workflow ID and what its memo holds. */
export interface IncidentEntry extends Incident {
  id: string;
}

const ID_PREFIX = 'incident-';

/** The workflow ID of the incident with this fingerprint, for the control workers of `opsTaskQueue`. */
function incidentId(opsTaskQueue: string, fingerprint: IncidentFingerprint): string {
  const hash = createHash('sha256').update(opsTaskQueue).update('\0').update(fingerprintKey(fingerprint));
  return `${ID_PREFIX}${hash.digest('hex').slice(0, 16)}`;
}

/** The workflow ID a user typed: the full ID, or the hash without its prefix. */
export function normalizeIncidentId(typed: string): string {
  return typed.startsWith(ID_PREFIX) ? typed : `${ID_PREFIX}${typed}`;
}

async function missingAttributes(client: Client): Promise<string[]> {
  const namespace = client.options.namespace;
  const listed = await client.connection.operatorService.listSearchAttributes({ namespace });
  const present = new Set(Object.keys(listed.customAttributes ?? {}));
  return INCIDENT_SEARCH_ATTRIBUTES.filter((name) => !present.has(name));
}

/**
 * Makes sure the bookkeeping namespace of `client` has OpsIncidentState and OpsVerdict: registered
 * when missing on a loopback (dev) server; elsewhere IncidentAttributesMissingError names the command.
 */
export async function ensureIncidentAttributes(
  client: Client,
  address: string,
): Promise<'exists' | 'created'> {
  const missing = await missingAttributes(client);
  if (missing.length === 0) return 'exists';
  const namespace = client.options.namespace;
  if (!(await isLoopbackAddress(address)))
    throw new IncidentAttributesMissingError(namespace, address, missing);
  const keyword = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await client.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
  });
  return 'created';
}

/**
 * Reports one sweep's sighting: starts the incident when new, else counts it once per sweep (the
 * update ID is the sweep's, so a retried sweep gets the first answer back). Answers with its ID.
 */
export async function reportSighting(
  bookkeeping: Client,
  opsTaskQueue: string,
  sweep: string,
  sighting: IncidentSighting,
  atMs: number,
  notify?: NotifyConfig,
): Promise<IncidentAnswer & { id: string }> {
  const workflowId = incidentId(opsTaskQueue, sighting);
  const event: IncidentEvent = { kind: 'seen', sweep, atMs, sighting, ...(notify ? { notify } : {}) };
  const answer = await bookkeeping.workflow.executeUpdateWithStart<
    () => Promise<void>,
    IncidentAnswer,
    [IncidentEvent]
  >(INCIDENT_UPDATE, {
    args: [event],
    updateId: `seen:${sweep}`,
    startWorkflowOperation: new WithStartWorkflowOperation(INCIDENT_TYPE, {
      workflowId,
      taskQueue: opsTaskQueue,
      args: [{}],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `${sighting.verdict}: ${sighting.workflowId} (${sighting.namespace})`,
    }),
  });
  return { id: workflowId, ...answer };
}

/**
 * Records on the incident of `sighting` a remedy its sweep applied; once per sweep (update ID). An
 * incident that does not exist (the sweep reported none) is left alone: answers undefined.
 */
export async function recordRemedy(
  bookkeeping: Client,
  opsTaskQueue: string,
  sighting: IncidentSighting,
  event: Extract<IncidentEvent, { kind: 'remedied' }>,
): Promise<IncidentAnswer | undefined> {
  const id = incidentId(opsTaskQueue, sighting);
  return moveIncident(bookkeeping, id, event, `remedied:${event.sweep}`).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
}

/** Sends one move to an existing incident; `updateId` makes a retried sweep's move count once. */
export function moveIncident(
  bookkeeping: Client,
  id: string,
  event: IncidentEvent,
  updateId?: string,
): Promise<IncidentAnswer> {
  return bookkeeping.workflow.getHandle(id).executeUpdate<IncidentAnswer, [IncidentEvent]>(INCIDENT_UPDATE, {
    args: [event],
    ...(updateId ? { updateId } : {}),
  });
}

/** The visibility query of the incidents of `opsTaskQueue`, in `states` (all states when empty). */
function incidentQuery(opsTaskQueue: string, states: readonly IncidentState[]): string {
  const base = `WorkflowType = "${INCIDENT_TYPE}" AND TaskQueue = ${JSON.stringify(opsTaskQueue)}`;
  if (states.length === 0) return base;
  return `${base} AND OpsIncidentState IN (${states.map((s) => JSON.stringify(s)).join(', ')})`;
}

/** Lists incidents (newest first) with what their memos hold; at most `limit`. */
export async function listIncidents(
  bookkeeping: Client,
  opsTaskQueue: string,
  options: { states?: readonly IncidentState[]; limit?: number } = {},
): Promise<IncidentEntry[]> {
  const query = incidentQuery(opsTaskQueue, options.states ?? ACTIVE_INCIDENT_STATES);
  const entries: IncidentEntry[] = [];
  const seen = new Set<string>();
  for await (const execution of bookkeeping.workflow.list({ query })) {
    // A continued-as-new incident is listed once per run: the newest (listed first) is current.
    if (seen.has(execution.workflowId)) continue;
    seen.add(execution.workflowId);
    const incident = execution.memo?.[INCIDENT_MEMO] as Incident | undefined;
    if (incident) entries.push({ id: execution.workflowId, ...incident });
    if (options.limit !== undefined && entries.length >= options.limit) break;
  }
  return entries;
}

/** One incident as its latest run's memo holds it (no control worker needed); undefined when unknown. */
export async function readIncident(bookkeeping: Client, id: string): Promise<IncidentEntry | undefined> {
  const described = await bookkeeping.workflow.getHandle(id).describe();
  if (described.type !== INCIDENT_TYPE) return undefined;
  const incident = described.memo?.[INCIDENT_MEMO] as Incident | undefined;
  return incident && { id, ...incident };
}
