// `temporal-ops schema <recipe>`: a recipe's input as JSON Schema, for editors, agents and the README.
import { usageError } from '../options.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface SchemaOptions {
  recipe: string;
}

/** Prints the recipe's input JSON Schema to stdout; exit 2 naming the known recipes for any other name. */
export async function recipeSchema(options: SchemaOptions, ctx: CommandContext): Promise<number> {
  const { isRecipeInputName, recipeInputJsonSchema, RECIPE_NAMES } =
    await import('../../contract/schemas.js');
  if (!isRecipeInputName(options.recipe))
    throw usageError(`<recipe>: expected one of ${RECIPE_NAMES.join(', ')}, got "${options.recipe}"`);
  ctx.out.write(`${JSON.stringify(recipeInputJsonSchema(options.recipe), null, 2)}\n`);
  return ExitCode.ok;
}
