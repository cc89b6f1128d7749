// Typed keys of our search attributes (registered by the dev-server profile).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const OpsRecipe = defineSearchAttributeKey('OpsRecipe', SearchAttributeType.KEYWORD);
export const OpsProject = defineSearchAttributeKey('OpsProject', SearchAttributeType.KEYWORD);
export const OpsOutcome = defineSearchAttributeKey('OpsOutcome', SearchAttributeType.KEYWORD);

/** Values of OpsOutcome. */
export type Outcome = 'running' | 'ok' | 'failed' | 'canceled' | 'waiting-approval';
