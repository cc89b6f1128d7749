// Whether a poller DescribeTaskQueue lists still stands for a running worker. The server keeps a dead
// worker's poller listed for about five minutes, so the list alone cannot tell; the host the identity
// names can. One judgement serves `worker list`, the diagnosis and the sweep. Pure: no I/O, no clock.
import type { PollerLiveness, ProcessFact } from '../contract/facts.js';

/** Looks up the process a poller identity names; undefined when the identity cannot be judged here. */
export type LivenessOracle = (identity: string) => ProcessFact | undefined;

/**
 * Asks the other hosts that identities name about their processes (through their control workers);
 * answers, by identity, what those hosts could tell. Identities it cannot judge are left out.
 */
export type RemoteLiveness = (identities: readonly string[]) => Promise<ReadonlyMap<string, ProcessFact>>;

export interface LivenessJudgement {
  liveness: PollerLiveness;
  /** Why, in words: the proof for a ghost, the last poll for the others. */
  why: string;
}

/**
 * A process's start time read from /proc and the server's last-access time may disagree by clock
 * resolution (boot time has whole seconds) and by the skew of a remote server's clock: only a start
 * later than this past the last poll proves the pid was reused.
 */
const START_AFTER_POLL_SLACK_MS = 30_000;

// The Python SDK writes `<pid>@<hostname>`; Linux pids stay below 2^22.
const IDENTITY = /^([1-9]\d{0,6})@([^\s@]+)$/;
export const MAX_PID = 4_194_304;

/** Splits an identity of the exact `<pid>@<host>` form; undefined for any other form (users may set any string). */
export function parsePollerIdentity(identity: string): { pid: number; host: string } | undefined {
  const match = IDENTITY.exec(identity);
  if (!match) return undefined;
  const pid = Number(match[1]);
  return pid <= MAX_PID ? { pid, host: match[2]! } : undefined;
}

/** A duration for humans: seconds under two minutes, then minutes, then hours. */
export function formatAge(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/**
 * The proof that the process an identity named at `seenAtMs` is gone: its pid runs nothing, or a process
 * started after that moment (`seen` says what the moment was). Undefined when the process may be it.
 */
export function processGone(process: ProcessFact, seenAtMs: number, seen: string): string | undefined {
  if (!process.running) return `pid ${process.pid} is not running on ${process.host}`;
  if (process.startTimeMs <= seenAtMs + START_AFTER_POLL_SLACK_MS) return undefined;
  const after = formatAge(process.startTimeMs - seenAtMs);
  return `pid ${process.pid} on ${process.host} is another process: it started ${after} after ${seen}`;
}

/** Judges one poller at `nowMs` from its last access and, when known, the process its identity names. */
export function judgePoller(
  poller: { lastAccessTimeMs: number; process?: ProcessFact },
  nowMs: number,
  freshMs: number,
): LivenessJudgement {
  const age = Math.max(0, nowMs - poller.lastAccessTimeMs);
  const { process } = poller;
  const gone = process && processGone(process, poller.lastAccessTimeMs, "this poller's last poll");
  if (gone) return { liveness: 'ghost', why: gone };
  const polled = `last polled ${formatAge(age)} ago`;
  if (age >= freshMs)
    return { liveness: 'silent', why: `${polled}, longer than a live worker waits between polls` };
  return {
    liveness: 'live',
    why: process ? `pid ${process.pid} runs on ${process.host}; ${polled}` : polled,
  };
}
