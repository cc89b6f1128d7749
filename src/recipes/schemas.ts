// Every recipe's input schema by recipe name: for `temporal-ops schema <Recipe>` and the MCP server.
import { z } from 'zod';
import { checkRecentInputSchema, parseCheckRecentInput } from './check-recent-input.js';
import { cleanStartInputSchema, parseCleanStartInput } from './clean-start-input.js';
import { clearStalledInputSchema, parseClearStalledInput } from './clear-stalled-input.js';
import { debugStalledInputSchema, parseDebugStalledInput } from './debug-stalled-input.js';
import { ensureWorkerInputSchema, parseEnsureWorkerInput } from './ensure-worker-input.js';
import { parseTestInteractiveInput, testInteractiveInputSchema } from './test-interactive-input.js';
import type { InputProblem } from './validate.js';

const schemas = {
  CleanStart: cleanStartInputSchema,
  EnsureWorker: ensureWorkerInputSchema,
  DebugStalled: debugStalledInputSchema,
  ClearStalledEnvironment: clearStalledInputSchema,
  TestInteractive: testInteractiveInputSchema,
  CheckRecentResults: checkRecentInputSchema,
} as const;

/** Every recipe that takes an input, including those not yet exported as workflows. */
export const RECIPE_NAMES = Object.keys(schemas) as (keyof typeof schemas)[];

export type RecipeInputName = keyof typeof schemas;

/** True for a name that has an input schema (exact spelling, as in `--type`). */
export function isRecipeInputName(name: string): name is RecipeInputName {
  return Object.hasOwn(schemas, name);
}

/** The zod schema of a recipe's input. */
export function recipeInputSchema<N extends RecipeInputName>(name: N): (typeof schemas)[N] {
  return schemas[name];
}

/** A recipe's input as JSON Schema (draft 2020-12): what a caller may send, defaults included. */
export function recipeInputJsonSchema(name: RecipeInputName): Record<string, unknown> {
  return z.toJSONSchema(schemas[name], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

const parsers = {
  CleanStart: parseCleanStartInput,
  EnsureWorker: parseEnsureWorkerInput,
  DebugStalled: parseDebugStalledInput,
  ClearStalledEnvironment: parseClearStalledInput,
  TestInteractive: parseTestInteractiveInput,
  CheckRecentResults: parseCheckRecentInput,
} satisfies Record<RecipeInputName, (raw: unknown) => { input?: object; problems: InputProblem[] }>;

/** Parses a recipe's raw input exactly as the recipe itself does; returns the input or every problem. */
export function parseRecipeInput(
  name: RecipeInputName,
  raw: unknown,
): { input?: object; problems: InputProblem[] } {
  return parsers[name](raw);
}
