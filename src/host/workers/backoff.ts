// Crash-restart decisions: exponential backoff over the current streak of crashes, and a give-up
// state. Pure: the caller passes the crash history and acts on the decision.
import { DEFAULTS } from '../../defaults.js';

export interface RestartPolicy {
  /** Restarts allowed in one streak of crashes; 0 never restarts. */
  maxRestarts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** A run at least this long was healthy: the crash that ends it starts a new streak. */
  resetAfterMs: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  maxRestarts: DEFAULTS.maxRestarts,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  factor: 2,
  resetAfterMs: 60_000,
};

/** One run of the worker that ended without us stopping it (a failed restart is a run too). */
export interface CrashFact {
  /** How long the run lasted, spawn to exit. */
  ranMs: number;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; attempt: number }
  | { action: 'give-up'; attempts: number; reason: string };

/** Crashes since the last healthy run, counting the crash that ended that run. */
export function crashStreak(
  crashes: readonly CrashFact[],
  policy: Pick<RestartPolicy, 'resetAfterMs'>,
): number {
  let streak = 0;
  for (let i = crashes.length - 1; i >= 0; i--) {
    streak++;
    if ((crashes[i]?.ranMs ?? 0) >= policy.resetAfterMs) break;
  }
  return streak;
}

/** Decides what to do after the last crash in `crashes` (oldest first). */
export function nextRestart(policy: RestartPolicy, crashes: readonly CrashFact[]): RestartDecision {
  const streak = crashStreak(crashes, policy);
  if (streak === 0) return { action: 'restart', delayMs: 0, attempt: 0 };
  if (streak > policy.maxRestarts) {
    const restarts = policy.maxRestarts === 1 ? '1 restart' : `${policy.maxRestarts} restarts`;
    return {
      action: 'give-up',
      attempts: streak - 1,
      reason: `crashed ${streak} times in a row, each within ${policy.resetAfterMs / 1000} s of starting; gave up after ${restarts}`,
    };
  }
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (streak - 1));
  return { action: 'restart', delayMs: Math.round(delayMs), attempt: streak };
}
