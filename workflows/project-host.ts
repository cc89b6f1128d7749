// ProjectHost: one small entity workflow per project directory that remembers which host owns the
// project's worker, so recipes that do not name a host all pin the same one. It is not a recipe:
// recipes reach it through the `claim` update (update-with-start), never users.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineUpdate,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { HostClaim, HostOwner } from '../src/contract/host-claim.js';

const claimHostUpdate = defineUpdate<HostOwner, [HostClaim]>('claim');

/** Continue as new well before the history grows large. */
const MAX_CLAIMS = 500;

/** Answers claims for one project's host until it continues as new. */
export async function ProjectHost(state: { owner?: HostOwner } = {}): Promise<void> {
  let owner = state.owner;
  let claims = 0;
  setHandler(
    claimHostUpdate,
    (claim) => {
      claims += 1;
      const takeover = claim.takeoverFrom !== undefined && claim.takeoverFrom === owner?.host;
      if (!owner || claim.force || takeover) {
        const previous = owner && owner.host !== claim.host ? owner.host : undefined;
        owner = { host: claim.host, sinceMs: Date.now(), ...(previous ? { previous } : {}) };
      }
      return owner;
    },
    {
      validator: (claim) => {
        if (typeof claim?.host !== 'string' || claim.host === '')
          throw new Error(`host: expected a host name, got ${JSON.stringify(claim?.host)}`);
      },
    },
  );
  await condition(() => claims >= MAX_CLAIMS || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof ProjectHost>({ owner: owner && { host: owner.host, sinceMs: owner.sinceMs } });
}
