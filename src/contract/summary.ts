// What the Web UI shows of a recipe: a one-line summary and a short markdown of the input. Our CLI
// sets them as the workflow's static summary and details; the recipe also keeps them in memo
// (opsTitle, opsInput), so a recipe started by the plain `temporal` CLI shows them too. Pure:
// workflow code imports it.

/** The input fields a summary names; every recipe input has some of them. */
export interface SummaryFields {
  project?: string;
  projectDir?: string;
  taskQueue?: string;
  query?: string;
}

const projectOf = (input: SummaryFields) =>
  input.project ?? input.projectDir?.split('/').filter(Boolean).pop();

/** `CleanStart of orders on orders-queue`; a sweep names its task queue or query instead. */
export function recipeSummary(type: string, input: SummaryFields): string {
  const project = projectOf(input);
  const of = project !== undefined ? ` of ${project}` : '';
  const on = input.taskQueue !== undefined ? ` on ${input.taskQueue}` : project ? '' : ' on every task queue';
  const where = input.query !== undefined ? ` where ${input.query}` : '';
  return `${type}${of}${on}${where}`;
}

const MAX_VALUE = 160;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text.length <= MAX_VALUE ? text : `${text.slice(0, MAX_VALUE)}…`;
  return `\`${short.replaceAll('`', "'")}\``;
}

/** The input as given, one markdown bullet per field (long values shortened). */
export function recipeDetails(input: Record<string, unknown>): string {
  const lines = Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `- **${key}**: ${shown(value)}`);
  return ['**Input**', '', ...(lines.length > 0 ? lines : ['- (defaults)'])].join('\n');
}
