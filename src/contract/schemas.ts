// Every recipe's input schema by recipe name: for `temporal-ops schema <Recipe>` and the MCP server.
import { z } from 'zod';
import { checkRecentInputSchema, parseCheckRecentInput } from './check-recent-input.js';
import { cleanStartInputSchema, parseCleanStartInput } from './clean-start-input.js';
import { clearStalledInputSchema, parseClearStalledInput } from './clear-stalled-input.js';
import { debugStalledInputSchema, parseDebugStalledInput } from './debug-stalled-input.js';
import { ensureWorkerInputSchema, parseEnsureWorkerInput } from './ensure-worker-input.js';
import { RECIPE_NAMES, type RecipeName } from './ops-workflows.js';
import { parseTestInteractiveInput, testInteractiveInputSchema } from './test-interactive-input.js';
import type { InputProblem } from './validate.js';

export { RECIPE_NAMES };

const schemas = {
  CleanStart: cleanStartInputSchema,
  EnsureWorker: ensureWorkerInputSchema,
  DebugStalled: debugStalledInputSchema,
  ClearStalledEnvironment: clearStalledInputSchema,
  TestInteractive: testInteractiveInputSchema,
  CheckRecentResults: checkRecentInputSchema,
} as const satisfies Record<RecipeName, unknown>;

/** Every recipe takes an input: the names are ops-workflows.ts's list, which a test checks against the exports. */
export type RecipeInputName = RecipeName;

/** True for a name that has an input schema (exact spelling, as in `--type`). */
export function isRecipeInputName(name: string): name is RecipeInputName {
  return Object.hasOwn(schemas, name);
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
