// The recipe tools: start a recipe (and follow it), read a recipe's progress, approve its plan.
// They run the `run` and `approve` commands' own functions, so input checks and approval rules match.
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { Progress } from '../../workflows/lib/checklist.js';
import type { CliContext, CommandContext } from '../cli/context.js';
import { ExitCode, formatTime, plainStyle, type Output } from '../cli/output.js';
import { ExitError } from '../errors.js';
import { isNotFound } from '../temporal/grpc.js';
import { failedOutcome, type ToolOutcome } from './outcome.js';
import { followRecipeRun, type Followed } from './follow-recipe.js';
import { runCliTool, type CommandTree } from './run-cli-tool.js';

/** An Output that keeps the command's progress lines (results are returned, not printed). */
function toolContext(context: CliContext, log: string[], onLine: (line: string) => void): CommandContext {
  const out: Output = {
    json: true,
    style: { ...plainStyle, format: 'json' },
    time: (ms) => formatTime(ms, 'iso', Date.now()),
    result: () => undefined,
    write: () => undefined,
    info: (line) => {
      log.push(line);
      onLine(line);
    },
  };
  return { ...context, out };
}

function followedOutcome(followed: Followed, log: string[]): ToolOutcome {
  if (followed.state === 'waiting-for-approval')
    return { exitCode: ExitCode.stillRunning, result: followed, log };
  return { exitCode: followed.report.ok ? ExitCode.ok : ExitCode.notOk, result: followed, log };
}

/** What a recipe tool runs with: the session's context, where progress lines go, the call's abort signal. */
export interface ToolEnv {
  context: CliContext;
  onLine: (line: string) => void;
  signal: AbortSignal;
}

/** Runs `body` with a command context that keeps its lines; any throw becomes the CLI's error outcome. */
async function guarded(
  env: ToolEnv,
  body: (ctx: CommandContext, log: string[]) => Promise<ToolOutcome>,
): Promise<ToolOutcome> {
  const log: string[] = [];
  try {
    return await body(toolContext(env.context, log, env.onLine), log);
  } catch (error) {
    return failedOutcome(error, log);
  }
}

export interface RecipeStartArgs {
  recipe: 'CleanStart' | 'TestInteractive' | 'ClearStalledEnvironment';
  input: unknown;
  follow?: boolean;
}

/** Starts the recipe as `run` does; follows it to its report or to a pending approval unless `follow: false`. */
export function recipeStart(args: RecipeStartArgs, env: ToolEnv): Promise<ToolOutcome> {
  return guarded(env, async (ctx, log) => {
    const { RUNNABLE_RECIPES, startRecipe } = await import('../cli/commands/run-recipe.js');
    const recipe = RUNNABLE_RECIPES.find((r) => r.type === args.recipe);
    if (!recipe)
      throw new ExitError(
        `recipe: expected one of ${RUNNABLE_RECIPES.map((r) => r.type).join(', ')}, got ${JSON.stringify(args.recipe)}`,
        ExitCode.usage,
      );
    if (typeof args.input !== 'object' || args.input === null || Array.isArray(args.input))
      throw new ExitError(
        `input: expected a JSON object, got ${JSON.stringify(args.input) ?? 'nothing'}`,
        ExitCode.usage,
      );
    const input = args.input as Record<string, unknown>;
    const handle = await startRecipe(() => ctx.client(), { recipe: recipe.name, input }, ctx);
    if (args.follow === false)
      return {
        exitCode: ExitCode.ok,
        result: { state: 'started', workflowId: handle.workflowId, runId: handle.firstExecutionRunId },
        log,
      };
    return followedOutcome(await followRecipeRun(handle, ctx, env.onLine, env.signal), log);
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
      return followedOutcome(await followRecipeRun(handle, ctx, env.onLine, env.signal), log);
    const { status, runId, type } = description;
    const ids = { workflowId: args.workflowId, runId, type, status: status.name };
    if (status.name !== 'RUNNING') {
      const { recipeReport } = await import('../cli/commands/run-recipe.js');
      const report = await recipeReport(handle, false, ctx);
      return {
        exitCode: report.ok ? ExitCode.ok : ExitCode.notOk,
        result: { state: 'closed', ...ids, report },
        log,
      };
    }
    const [progress, pendingApproval] = await Promise.all([
      handle.query<Progress>('progress'),
      handle.query<PendingApproval | null>('pendingApproval'),
    ]);
    const state = pendingApproval ? 'waiting-for-approval' : 'running';
    return {
      exitCode: ExitCode.stillRunning,
      result: { state, ...ids, steps: progress.steps, pendingApproval },
      log,
    };
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
  onLine: (line: string) => void,
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
  argv.push('--json', '--', args.workflowId);
  return runCliTool(argv, tree, context, onLine);
}
