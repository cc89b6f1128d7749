// Every recipe's input schema by recipe name: for `temporal-ops schema <Recipe>` and the MCP server.
import { z } from 'zod';
import { checkRecentInputSchema } from './check-recent-input.js';
import { cleanStartInputSchema } from './clean-start-input.js';
import { clearStalledInputSchema } from './clear-stalled-input.js';
import { debugStalledInputSchema } from './debug-stalled-input.js';
import { ensureWorkerInputSchema } from './ensure-worker-input.js';
import { testInteractiveInputSchema } from './test-interactive-input.js';

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
