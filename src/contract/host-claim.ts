// Which host owns a project's worker: what ProjectHost remembers, and what a recipe's placement
// step asks of it through the `claim` update. Pure data.

export interface HostOwner {
  host: string;
  /** When this host became the owner (epoch ms, workflow time). */
  sinceMs: number;
  /** The owner before a forced change or takeover, if any. */
  previous?: string;
}

export interface HostClaim {
  /** The host asking to own the project. */
  host: string;
  /** Take over from this owner (the caller found its control worker gone). */
  takeoverFrom?: string;
  /** The recipe named this host explicitly: it becomes the owner. */
  force?: boolean;
}
