// Reading workflow task failures: which one is current, and what class of stall its text names.
// Message markers are the real wordings of the Python SDK and sdk-core (see test/unit/diagnose.test.ts).

import type { WorkflowFacts, WorkflowTaskFailureFact } from '../contract/facts.js';
import type { Verdict } from '../contract/verdicts.js';
import { isPendingLimitCause } from './stall-pending-limit.js';

type WorkflowTaskFailureVerdict = Extract<
  Verdict,
  | 'non-determinism'
  | 'workflow-not-registered'
  | 'sandbox-violation'
  | 'workflow-code-bug'
  | 'pending-limit'
  | 'nexus-operation-failing'
>;

export interface FailureClass {
  verdict: WorkflowTaskFailureVerdict;
  /** False when only a loose word matched ("sandbox", "restricted"): lowers confidence. */
  strong: boolean;
  /** The Python deadlock detector fired ([TMPRL1101]). */
  deadlock: boolean;
}

// The server writes these causes for reasons other than broken workflow code (a reset, a new event
// racing the task, a sticky cache reset): they only matter when the task keeps retrying.
const BENIGN_CAUSES = new Set([
  'RESET_WORKFLOW',
  'UNHANDLED_COMMAND',
  'RESET_STICKY_TASK_QUEUE',
  'FAILOVER_CLOSE_COMMAND',
]);

/** Temporal's cause name without the enum prefix, upper case. */
function causeName(cause: string): string {
  return cause.toUpperCase().replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '');
}

/**
 * The last WorkflowTaskFailed event when it is still current: after the last completed workflow
 * task (a run that failed once and then completed a task has recovered). Attempts after the first
 * are transient and not written to history, so the first failure of the current loop is the one
 * in history and describe's attempt tells whether the task is still retrying.
 */
export function currentWorkflowTaskFailure(facts: WorkflowFacts): WorkflowTaskFailureFact | undefined {
  const failure = facts.lastWorkflowTaskFailure;
  if (!failure || failure.eventId <= (facts.lastWorkflowTaskCompletedEventId ?? 0)) return undefined;
  const retrying = (facts.pendingWorkflowTask?.attempt ?? 0) > 1;
  if (BENIGN_CAUSES.has(causeName(failure.cause)) && !retrying) return undefined;
  return failure;
}

const has = (text: string, ...needles: string[]): boolean => needles.some((n) => text.includes(n));

/** Classifies a workflow task failure by cause, message and failure type, most specific first. */
export function classifyWorkflowTaskFailure(failure: WorkflowTaskFailureFact): FailureClass {
  const text = `${failure.message}\n${failure.failureType ?? ''}`.toLowerCase();
  const cause = causeName(failure.cause);
  const found = (verdict: WorkflowTaskFailureVerdict, strong = true): FailureClass => ({
    verdict,
    strong,
    deadlock: false,
  });

  // The server itself failed the task: the run would pass a per-workflow pending-operation limit.
  if (isPendingLimitCause(cause)) return found('pending-limit');
  // The server refused the ScheduleNexusOperation command: its endpoint does not exist (or bad attributes).
  if (cause === 'BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES') return found('nexus-operation-failing');
  // Python's RestrictedWorkflowAccessError subclasses NondeterminismError, so a sandbox violation
  // may carry the non-determinism cause: its own markers must win over the cause.
  if (has(text, 'restrictedworkflowaccesserror') || /cannot access \S+ from inside a workflow/.test(text)) {
    return found('sandbox-violation');
  }
  if (cause === 'NON_DETERMINISTIC_ERROR') return found('non-determinism');
  // Before the non-determinism words: the Python message lists the registered workflows, and a
  // registered name may contain them ("available workflows: ..., NonDeterministic, ...").
  if (text.includes('not registered') && text.includes('workflow') && !text.includes('activity function')) {
    return found('workflow-not-registered');
  }
  if (
    has(
      text,
      '[tmprl1100]',
      'nondeterminism',
      'non-determinism',
      'nondeterministic',
      'non-deterministic',
      'history mismatch',
    )
  ) {
    return found('non-determinism');
  }
  if (/\bsandbox|\brestricted\b|cannot access/.test(text)) return found('sandbox-violation', false);
  if (has(text, '[tmprl1101]', 'potential deadlock detected')) {
    return { verdict: 'workflow-code-bug', strong: true, deadlock: true };
  }
  return found('workflow-code-bug');
}

/** The verdict a TemporalReportedProblems value list names, when history has nothing current. */
export function verdictFromReportedProblems(problems: readonly string[]): Verdict {
  // The server writes e.g. ["category=WorkflowTaskFailed", "cause=WorkflowTaskFailedCauseNonDeterministicError"].
  const text = problems.join(' ').toLowerCase();
  if (text.includes('nondeterministicerror')) return 'non-determinism';
  if (text.includes('category=workflowtasktimedout')) return 'workflow-task-timeout';
  return 'workflow-code-bug';
}

/** Does an activity failure say the activity type is not registered on the worker? */
export function isActivityNotRegistered(message: string | undefined): boolean {
  if (!message) return false;
  const text = message.toLowerCase();
  return text.includes('not registered') && text.includes('activit');
}

/** A few lines of a stack trace around the failing frame: the first lines, or the last for Python. */
export function stackExcerpt(stackTrace: string | undefined, lines = 6): string | undefined {
  // The Python SDK separates frames with blank lines: they carry nothing.
  const all = (stackTrace?.trim().split('\n') ?? []).filter((line) => line.trim() !== '');
  // Python tracebacks ('  File "x.py", line 3, in run') list the innermost frame last.
  const python = all.some((line) => /^\s*File ".*", line \d+/.test(line));
  const kept = (python ? all.slice(-lines) : all.slice(0, lines)).join('\n');
  return kept ? kept : undefined;
}
