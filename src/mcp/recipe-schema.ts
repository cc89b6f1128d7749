// recipe_start's `input`: the JSON Schema of each startable recipe, validated by the recipe's own
// parser (as `run` does), so errors name the field and the bad value.
import { z } from 'zod';
import { RECIPE_NAMES, recipeInputJsonSchema } from '../contract/schemas.js';

export const RECIPE_START_TYPES = RECIPE_NAMES;

/** The input schema of `type`, as listed in tools/list (without `$schema`, which is the tool's). */
function listedRecipeSchema(type: (typeof RECIPE_START_TYPES)[number]): Record<string, unknown> {
  const schema: Record<string, unknown> = { title: type, ...recipeInputJsonSchema(type) };
  delete schema.$schema;
  return schema;
}

/** Any value passes here: the recipe's parser checks it, while tools/list shows each recipe's schema. */
export function recipeInputProperty(): z.ZodType {
  return z.unknown().meta({
    description: 'The recipe input: the schema whose title is `recipe` (`temporal-ops schema <Recipe>`).',
    anyOf: RECIPE_START_TYPES.map(listedRecipeSchema),
  });
}
