// The state of one recorded worker, named for tables and scripts. Pure.
import type { Ownership } from '../records/identity.js';

/**
 * - `running`: ours, alive, and a poller of its process group is listed on its task queue.
 * - `not-polling`: ours and alive, but no poller of its group is listed (starting, wedged, wrong queue).
 * - `alive`: ours and alive; the server was not asked (unreachable).
 * - `exited`: gone without us stopping it (crash or exit); `exit` has code or signal when seen.
 * - `gave-up`: exited, and crash supervision stopped restarting it.
 * - `foreign`: the recorded pid now runs another process: reported, never signalled.
 */
export type WorkerState = 'running' | 'not-polling' | 'alive' | 'exited' | 'gave-up' | 'foreign';

export interface StateFacts {
  ownership: Ownership;
  /** Live members of its group (orphans of a dead wrapper included). */
  alive: boolean;
  /** Whether a poller of its group is listed; undefined when the server was not asked. */
  polling?: boolean;
  gaveUp: boolean;
}

/** Names the state of a recorded worker from what was observed. */
export function workerState(facts: StateFacts): WorkerState {
  if (facts.ownership === 'recycled') return 'foreign';
  if (!facts.alive) return facts.gaveUp ? 'gave-up' : 'exited';
  if (facts.polling === undefined) return 'alive';
  return facts.polling ? 'running' : 'not-polling';
}
