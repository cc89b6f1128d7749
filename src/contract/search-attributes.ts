// Typed keys of our search attributes (registered by the dev-server profile).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const OpsRecipe = defineSearchAttributeKey('OpsRecipe', SearchAttributeType.KEYWORD);
export const OpsProject = defineSearchAttributeKey('OpsProject', SearchAttributeType.KEYWORD);
export const OpsOutcome = defineSearchAttributeKey('OpsOutcome', SearchAttributeType.KEYWORD);

/** Values of OpsOutcome. */
export type Outcome = 'running' | 'ok' | 'failed' | 'canceled' | 'waiting-approval';

/** An incident's state (Incident workflows in the bookkeeping namespace): the Web UI's incident list filters on it. */
export const OpsIncidentState = defineSearchAttributeKey('OpsIncidentState', SearchAttributeType.KEYWORD);
/** The verdict an incident is about. */
export const OpsVerdict = defineSearchAttributeKey('OpsVerdict', SearchAttributeType.KEYWORD);

/** The search attributes the bookkeeping namespace needs for incidents, all Keyword. */
export const INCIDENT_SEARCH_ATTRIBUTES = [OpsIncidentState.name, OpsVerdict.name] as const;
