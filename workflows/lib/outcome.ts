// Recipe input checks and outcome bookkeeping shared by all recipes.
import { ApplicationFailure, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { FailureType } from '../../src/recipes/failure-types.js';
import { failureDetails, failureMessage, failureType } from './checklist.js';
import { OpsOutcome, OpsProject, OpsRecipe, type Outcome } from '../../src/recipes/search-attributes.js';
import { describeProblem, type InputProblem } from '../../src/recipes/validate.js';

/** Fails the workflow (not the task) when input is bad, naming every bad field and value. */
export function requireInput<T>(recipe: string, parsed: { input?: T; problems: InputProblem[] }): T {
  if (parsed.input && parsed.problems.length === 0) return parsed.input;
  throw ApplicationFailure.create({
    message: `${recipe} input is invalid: ${parsed.problems.map(describeProblem).join('; ')}`,
    type: FailureType.InvalidInput,
    nonRetryable: true,
    details: parsed.problems,
  });
}

/**
 * Records where the recipe stands in search attributes (when the server has them registered,
 * else the upsert would fail the workflow task) and always in memo, which outlives the worker.
 */
export class OutcomeRecorder {
  private searchable = false;

  constructor(
    private readonly recipe: string,
    private readonly project: string,
  ) {}

  /** Call once the server check says our search attributes exist. */
  enableSearchAttributes(registered: boolean): void {
    this.searchable = registered;
  }

  record(outcome: Outcome, summary: string): void {
    if (this.searchable) {
      upsertSearchAttributes([
        { key: OpsRecipe, value: this.recipe },
        { key: OpsProject, value: this.project },
        { key: OpsOutcome, value: outcome },
      ]);
    }
    upsertMemo({
      opsRecipe: this.recipe,
      opsProject: this.project,
      opsOutcome: outcome,
      opsSummary: summary,
    });
  }
}

/** Turns a failed step into the report's problem; input errors fail the workflow instead. */
export function recordFailure(
  recipe: string,
  error: unknown,
  report: { problem?: string; worker?: { logTail?: string } },
): void {
  if (failureType(error) === FailureType.InvalidInput) {
    throw ApplicationFailure.create({
      message: `${recipe} input is invalid: ${failureMessage(error)}`,
      type: FailureType.InvalidInput,
      nonRetryable: true,
    });
  }
  report.problem = failureMessage(error);
  if (report.worker && failureType(error) === FailureType.WorkerNotReady) {
    report.worker.logTail = failureDetails<{ logTail: string }>(error)?.logTail;
  }
}
