// Recipe input checks and outcome bookkeeping shared by all recipes.
import { ApplicationFailure, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { FailureType } from '../../src/contract/failure-types.js';
import { OpsOutcome, OpsProject, OpsRecipe, type Outcome } from '../../src/contract/search-attributes.js';
import { describeProblem, type InputProblem } from '../../src/contract/validate.js';

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
    private project: string,
  ) {}

  /** The project (or scope) label, once a step has resolved it (e.g. the canonical project key). */
  setProject(project: string): void {
    this.project = project;
  }

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
