// The result of incident_ack and incident_snooze: one incident as `incidents ack / snooze --json`
// prints it (its workflow ID and what its workflow keeps).
import { z } from 'zod';
import { INCIDENT_STATES, type IncidentState } from '../contract/incidents.js';

const state = z.enum(INCIDENT_STATES as [IncidentState, ...IncidentState[]]);

/** One incident after the move; fields beyond these pass through. */
export const incidentResult = z
  .object({
    id: z.string().describe('The incident: its workflow ID in the bookkeeping namespace, incident-<hash>.'),
    state,
    fingerprint: z
      .object({
        namespace: z.string(),
        workflowId: z.string(),
        runId: z.string(),
        verdict: z.string(),
        signature: z.string(),
      })
      .describe('What makes two sightings the same incident.'),
    seenCount: z.number().int(),
    firstSeenMs: z.number(),
    lastSeenMs: z.number(),
    acknowledgedBy: z.string().optional(),
    snoozedUntilMs: z
      .number()
      .optional()
      .describe('While snoozed: when it opens again (ms since the epoch).'),
    transitions: z
      .array(z.object({ atMs: z.number(), from: z.string(), to: state, by: z.string().optional() }).loose())
      .describe('Its latest moves, oldest first.'),
  })
  .loose();
