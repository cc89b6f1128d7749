// The recipe tools: start a recipe (and follow it), read a recipe's progress, cancel it, approve its
// plan. They run the `run` and `approve` commands' own functions, so input checks and approval rules match.
import { nanoid } from 'nanoid';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { Progress } from '../../workflows/lib/checklist.js';
import type { CliContext, CommandContext } from '../cli/context.js';
import { ExitCode, formatTime, plainStyle, type Output } from '../cli/output.js';
import { parseEnsureWorkerInput } from '../contract/ensure-worker-input.js';
import { isRecipeType, RECIPE_NAMES, type RecipeName } from '../contract/ops-workflows.js';
import { recipeDetails, recipeSummary } from '../contract/summary.js';
import { describeProblem } from '../contract/validate.js';
import { ExitError } from '../errors.js';
import { isNotFound } from '../temporal/grpc.js';
import { failedOutcome, type ToolOutcome } from './outcome.js';
import { cancelRecipe, canceledReport, followRecipeRun, type Followed } from './follow-recipe.js';
import type { ProgressReporter } from './progress.js';
import { runCliTool, type CommandTree } from './run-cli-tool.js';
import { recipeUri } from './uris.js';

/** An Output that keeps the command's progress lines (results are returned, not printed). */
function toolContext(context: CliContext, log: string[]): CommandContext {
  const out: Output = {
    json: true,
    style: { ...plainStyle, format: 'json' },
    time: (ms) => formatTime(ms, 'iso', Date.now()),
    result: () => undefined,
    write: () => undefined,
    info: (line) => {
      log.push(line);
    },
  };
  return { ...context, out };
}

function followedOutcome(followed: Followed, log: string[]): ToolOutcome {
  const result = { ...followed, resourceUri: recipeUri(followed.workflowId) };
  if (followed.state === 'waiting-for-approval') return { exitCode: ExitCode.stillRunning, result, log };
  if (followed.state === 'canceled') return { exitCode: ExitCode.notOk, result, log };
  return { exitCode: followed.report.ok ? ExitCode.ok : ExitCode.notOk, result, log };
}

/** What a recipe tool runs with: the session's context, where progress goes, the call's abort signal. */
export interface ToolEnv {
  context: CliContext;
  progress: ProgressReporter;
  signal: AbortSignal;
}

/** Runs `body` with a command context that keeps its lines; any throw becomes the CLI's error outcome. */
async function guarded(
  env: ToolEnv,
  body: (ctx: CommandContext, log: string[]) => Promise<ToolOutcome>,
): Promise<ToolOutcome> {
  const log: string[] = [];
  try {
    return await body(toolContext(env.context, log), log);
  } catch (error) {
    return failedOutcome(error, log);
  }
}

export interface RecipeStartArgs {
  recipe: RecipeName;
  input: unknown;
  follow?: boolean;
}

const projectOf = (input: { projectDir: string; project?: string }) =>
  input.project ?? input.projectDir.split('/').filter(Boolean).pop() ?? 'project';

/** Starts EnsureWorker (not a `run` command: the CLI reaches it through `worker ensure --host`). */
async function startEnsureWorker(raw: Record<string, unknown>, ctx: CommandContext) {
  const { input, problems } = parseEnsureWorkerInput(raw);
  if (!input)
    throw new ExitError(`invalid input: ${problems.map(describeProblem).join('; ')}`, ExitCode.usage);
  const handle = await (
    await ctx.client()
  ).workflow.start('EnsureWorker', {
    taskQueue: ctx.settings.opsTaskQueue,
    workflowId: `ensure-worker-${projectOf(input)}-${nanoid(8)}`,
    args: [raw],
    staticSummary: recipeSummary('EnsureWorker', input),
    staticDetails: recipeDetails(raw),
  });
  ctx.out.info(`EnsureWorker started: workflow ${handle.workflowId}`);
  return handle;
}

/** Starts the recipe as `run` does; follows it to its report or to a pending approval unless `follow: false`. */
export function recipeStart(args: RecipeStartArgs, env: ToolEnv): Promise<ToolOutcome> {
  return guarded(env, async (ctx, log) => {
    const { RUNNABLE_RECIPES, startRecipe } = await import('../cli/commands/run-recipe.js');
    if (!RECIPE_NAMES.includes(args.recipe))
      throw new ExitError(
        `recipe: expected one of ${RECIPE_NAMES.join(', ')}, got ${JSON.stringify(args.recipe)}`,
        ExitCode.usage,
      );
    if (typeof args.input !== 'object' || args.input === null || Array.isArray(args.input))
      throw new ExitError(
        `input: expected a JSON object, got ${JSON.stringify(args.input) ?? 'nothing'}`,
        ExitCode.usage,
      );
    const input = args.input as Record<string, unknown>;
    const runnable = RUNNABLE_RECIPES.find((r) => r.type === args.recipe);
    const handle = runnable
      ? await startRecipe(() => ctx.client(), { recipe: runnable.name, input }, ctx)
      : await startEnsureWorker(input, ctx);
    if (args.follow === false)
      return {
        exitCode: ExitCode.ok,
        result: {
          state: 'started',
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
          resourceUri: recipeUri(handle.workflowId),
        },
        log,
      };
    const followed = await followRecipeRun(handle, ctx, (p) => env.progress.update(p), env.signal);
    return followedOutcome(followed, log);
  });
}

/** The workflow's handle and description; exit 7 when there is no such workflow. */
async function described(context: CliContext, workflowId: string) {
  const handle = (await context.client()).workflow.getHandle(workflowId);
  const description = await handle.describe().catch((error: unknown) => {
    if (isNotFound(error)) throw new ExitError(`workflow ${workflowId} not found`, ExitCode.notFound);
    throw error;
  });
  return { handle, description };
}

/** A recipe's status, steps and pending plan; with `follow`, follows it like recipe_start. */
export function recipeProgress(
  args: { workflowId: string; follow?: boolean },
  env: ToolEnv,
): Promise<ToolOutcome> {
  return guarded(env, async (ctx, log) => {
    const { handle, description } = await described(env.context, args.workflowId);
    if (args.follow === true)
      return followedOutcome(
        await followRecipeRun(handle, ctx, (p) => env.progress.update(p), env.signal),
        log,
      );
    const { status, runId, type } = description;
    const ids = {
      workflowId: args.workflowId,
      runId,
      type,
      status: status.name,
      resourceUri: recipeUri(args.workflowId),
    };
    if (status.name === 'CANCELLED')
      return {
        exitCode: ExitCode.notOk,
        result: { state: 'canceled', ...ids, report: await canceledReport(handle) },
        log,
      };
    if (status.name !== 'RUNNING') {
      const { recipeReport } = await import('../cli/commands/run-recipe.js');
      const report = await recipeReport(handle, false, ctx);
      return {
        exitCode: report.ok ? ExitCode.ok : ExitCode.notOk,
        result: { state: 'closed', ...ids, report },
        log,
      };
    }
    const pendingApproval = await handle.query<PendingApproval | null>('pendingApproval');
    const progress = await handle.query<Progress>('progress');
    const state = pendingApproval ? 'waiting-for-approval' : 'running';
    return {
      exitCode: ExitCode.stillRunning,
      result: { state, ...ids, steps: progress.steps, pendingApproval },
      log,
    };
  });
}

/** Cancels a running recipe (never a target workflow) and returns once it closed after its cleanup. */
export function recipeCancel(args: { workflowId: string }, env: ToolEnv): Promise<ToolOutcome> {
  return guarded(env, async (_ctx, log) => {
    const { handle, description } = await described(env.context, args.workflowId);
    if (!isRecipeType(description.type))
      throw new ExitError(
        `workflowId: expected a recipe (${RECIPE_NAMES.join(', ')}), got ${JSON.stringify(args.workflowId)} of type ${description.type} (workflow_terminate stops target workflows)`,
        ExitCode.usage,
      );
    const ids = {
      workflowId: args.workflowId,
      type: description.type,
      resourceUri: recipeUri(args.workflowId),
    };
    if (description.status.name !== 'RUNNING')
      return {
        exitCode: ExitCode.ok,
        result: { state: 'closed', ...ids, status: description.status.name },
        log,
      };
    env.progress.update({ done: 0, current: `cancelling ${args.workflowId}: waiting for its cleanup` });
    const canceled = await cancelRecipe(handle);
    const { status } = await handle.describe();
    return { exitCode: ExitCode.ok, result: { ...canceled, ...ids, status: status.name }, log };
  });
}

export interface ApproveArgs {
  workflowId: string;
  planId: string;
  reject?: boolean;
  choice?: string;
  by?: string;
}

/** Runs `approve` once the caller names the plan pending now (so nobody approves a plan unseen). */
export async function approveTool(
  args: ApproveArgs,
  tree: CommandTree,
  context: CliContext,
  progress: ProgressReporter,
): Promise<ToolOutcome> {
  try {
    const { handle } = await described(context, args.workflowId);
    // When the plan cannot be read, `approve` itself reads it again and says why.
    const pending = await handle.query<PendingApproval | null>('pendingApproval').catch(() => null);
    if (pending && pending.planId !== args.planId)
      throw new ExitError(
        `planId: expected the plan pending now, ${JSON.stringify(pending.planId)}, got ${JSON.stringify(args.planId)} (read it with recipe_progress)`,
        ExitCode.usage,
      );
  } catch (error) {
    return failedOutcome(error);
  }
  const argv = ['approve', `--by=${args.by ?? `${process.env.USER ?? 'someone'} via mcp`}`];
  if (args.reject === true) argv.push('--reject');
  if (args.choice !== undefined) argv.push(`--choice=${args.choice}`);
  // Where the CLI's approve names the plan too, it checks the ID itself, as it does on a terminal.
  const approve = tree(async () => undefined).commands.find((c) => c.name() === 'approve');
  if (approve?.options.some((o) => o.long === '--plan-id')) argv.push(`--plan-id=${args.planId}`);
  argv.push('--json', '--', args.workflowId);
  return runCliTool(argv, tree, context, (line) => progress.line(line));
}
