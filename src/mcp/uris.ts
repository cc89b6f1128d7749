// The URIs of the MCP resources, shared by the tools that point at them and the resources that serve them.

export const RECIPES_URI = 'temporal-ops://recipes';
export const WORKERS_URI = 'temporal-ops://workers';
export const STALLED_URI = 'temporal-ops://stalled';
export const INCIDENTS_URI = 'temporal-ops://incidents';
export const RECIPE_URI_TEMPLATE = 'temporal-ops://recipe/{workflowId}';

/** The live report of one recipe, to read (or subscribe to) later. */
export function recipeUri(workflowId: string): string {
  return `temporal-ops://recipe/${encodeURIComponent(workflowId)}`;
}
