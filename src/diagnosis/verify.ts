// Whether an applied remedy worked, judged from progress facts read after it. Pure: the verify
// activity calls it on every poll, and the tables in test/unit/remedy-verify.test.ts pin it.
import type { PollerFact, WorkflowStatusName } from '../contract/facts.js';

/** What a run did, read from describe, its history and its queue's pollers. */
export interface ProgressFacts {
  workflowId: string;
  runId: string;
  status: WorkflowStatusName;
  /** Time (epoch ms) of the last WorkflowTaskCompleted event. */
  lastWorkflowTaskCompletedMs?: number;
  /** True when history has a WorkflowTaskStarted event. */
  workflowTaskStarted: boolean;
  /** Completion time (epoch ms) of each completed activity, by activity id. */
  activityCompletedMs: Record<string, number>;
  /** Values of TemporalReportedProblems; undefined when the server does not set it. */
  reportedProblems?: string[];
  /** Pollers of the run's task queue (workflow tasks), when fetched. */
  pollers?: PollerFact[];
  /** The run's pending activities as describe shows them. */
  pendingActivities?: { activityId: string; paused: boolean; attempt: number; lastStartedTimeMs?: number }[];
}

/**
 * - `resumes`: after a worker restart at `sinceMs`, the run completed a workflow task (or its
 *   failing activity) after it, or closed COMPLETED; and no problem is reported.
 * - `picked-up`: a live poller of our new worker polls the queue and the workflow task started.
 * - `replaced`: the old run is TERMINATED; the new run (rerun or reset) is RUNNING or COMPLETED,
 *   and after a reset it also completed a workflow task after `sinceMs`.
 * - `activity-completes`: after an unpause at `sinceMs`, the activity completed, or the run closed
 *   COMPLETED; an attempt that only started again is progress, not yet proof.
 */
export type VerifyGoal =
  | { kind: 'resumes'; sinceMs: number; activityId?: string }
  | { kind: 'picked-up'; pollerIdentity?: string; pollerFreshMs: number }
  | { kind: 'replaced'; how: 'terminate' | 'reset'; sinceMs: number; expectNewRun: boolean }
  | { kind: 'activity-completes'; sinceMs: number; activityId: string };

export interface Verification {
  verified: boolean;
  /** The old run's status when judged. */
  statusAfter: WorkflowStatusName;
  /** The facts the judgement rests on, in words. */
  evidence: string;
}

function resumes(goal: { sinceMs: number; activityId?: string }, run: ProgressFacts): Verification {
  const base = { statusAfter: run.status };
  const problems = run.reportedProblems ?? [];
  if (run.status === 'COMPLETED') return { ...base, verified: true, evidence: 'the run closed COMPLETED' };
  if (run.status !== 'RUNNING')
    return { ...base, verified: false, evidence: `the run closed ${run.status}, not COMPLETED` };
  const task = (run.lastWorkflowTaskCompletedMs ?? 0) > goal.sinceMs;
  const activity =
    goal.activityId !== undefined && (run.activityCompletedMs[goal.activityId] ?? 0) > goal.sinceMs;
  if (!task && !activity)
    return {
      ...base,
      verified: false,
      evidence: `no workflow task${goal.activityId ? ` nor activity ${goal.activityId}` : ''} completed after the restart`,
    };
  if (problems.length > 0)
    return {
      ...base,
      verified: false,
      evidence: `progress after the restart, but TemporalReportedProblems is still ${problems.join(', ')}`,
    };
  return {
    ...base,
    verified: true,
    evidence: activity
      ? `activity ${goal.activityId} completed after the restart`
      : 'a workflow task completed after the restart',
  };
}

function pickedUp(
  goal: { pollerIdentity?: string; pollerFreshMs: number },
  run: ProgressFacts,
  nowMs: number,
): Verification {
  const base = { statusAfter: run.status };
  const live = (run.pollers ?? []).filter((p) => nowMs - p.lastAccessTimeMs < goal.pollerFreshMs);
  const ours = live.filter((p) => goal.pollerIdentity === undefined || p.identity === goal.pollerIdentity);
  if (ours.length === 0)
    return {
      ...base,
      verified: false,
      evidence: `no live poller${goal.pollerIdentity ? ` "${goal.pollerIdentity}"` : ''} on the queue (live: ${live.map((p) => p.identity).join(', ') || 'none'})`,
    };
  if (!run.workflowTaskStarted && run.status !== 'COMPLETED')
    return {
      ...base,
      verified: false,
      evidence: `${ours[0]!.identity} polls, but no workflow task started yet`,
    };
  return { ...base, verified: true, evidence: `${ours[0]!.identity} polls and the workflow task started` };
}

function replaced(
  goal: { how: 'terminate' | 'reset'; sinceMs: number; expectNewRun: boolean },
  old: ProgressFacts,
  next: ProgressFacts | undefined,
): Verification {
  const base = { statusAfter: old.status };
  if (old.status !== 'TERMINATED')
    return { ...base, verified: false, evidence: `the old run is ${old.status}, not TERMINATED` };
  if (!goal.expectNewRun) return { ...base, verified: true, evidence: 'the old run is TERMINATED' };
  if (!next)
    return { ...base, verified: false, evidence: 'the old run is TERMINATED, but there is no new run' };
  if (next.status !== 'RUNNING' && next.status !== 'COMPLETED')
    return { ...base, verified: false, evidence: `the new run ${next.runId} is ${next.status}` };
  if (
    goal.how === 'reset' &&
    next.status === 'RUNNING' &&
    (next.lastWorkflowTaskCompletedMs ?? 0) <= goal.sinceMs
  )
    return {
      ...base,
      verified: false,
      evidence: `the new run ${next.runId} completed no workflow task after the reset`,
    };
  return {
    ...base,
    verified: true,
    evidence: `the old run is TERMINATED; the new run ${next.runId} is ${next.status}`,
  };
}

function activityCompletes(goal: { sinceMs: number; activityId: string }, run: ProgressFacts): Verification {
  const base = { statusAfter: run.status };
  const id = goal.activityId;
  if ((run.activityCompletedMs[id] ?? 0) > goal.sinceMs)
    return { ...base, verified: true, evidence: `activity ${id} completed after the unpause` };
  if (run.status === 'COMPLETED') return { ...base, verified: true, evidence: 'the run closed COMPLETED' };
  if (run.status !== 'RUNNING')
    return { ...base, verified: false, evidence: `the run closed ${run.status}, not COMPLETED` };
  const pending = run.pendingActivities?.find((a) => a.activityId === id);
  if (!pending)
    return {
      ...base,
      verified: false,
      evidence: `activity ${id} is no longer pending, but no completion was seen`,
    };
  if (pending.paused) return { ...base, verified: false, evidence: `activity ${id} is still paused` };
  const started = (pending.lastStartedTimeMs ?? 0) > goal.sinceMs;
  return {
    ...base,
    verified: false,
    evidence: started
      ? `activity ${id} is unpaused and attempt ${pending.attempt} started after the unpause, not completed yet`
      : `activity ${id} is unpaused, no attempt started since`,
  };
}

/** Judges one remedy at `nowMs`: `run` is the remedied run, `next` the rerun or the run a reset made. */
export function judgeRemedy(
  goal: VerifyGoal,
  facts: { run: ProgressFacts; next?: ProgressFacts; nowMs: number },
): Verification {
  const { run, next, nowMs } = facts;
  switch (goal.kind) {
    case 'resumes':
      return resumes(goal, run);
    case 'picked-up':
      return pickedUp(goal, run, nowMs);
    case 'replaced':
      return replaced(goal, run, next);
    case 'activity-completes':
      return activityCompletes(goal, run);
  }
}
