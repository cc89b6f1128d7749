// `temporal-ops run <recipe>`: validate input, start the recipe workflow, follow it, print its report.
import {
  ApplicationFailure,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { CheckRecentReport } from '../../../workflows/check-recent-results.js';
import type { CleanStartReport } from '../../../workflows/clean-start.js';
import type { DebugStalledReport } from '../../../workflows/debug-stalled.js';
import type { TestInteractiveReport } from '../../../workflows/test-interactive.js';
import type { ClearStalledReport } from '../../../workflows/clear-stalled-environment.js';
import { parseClearStalledInput, type ClearStalledInput } from '../../contract/clear-stalled-input.js';
import { ExitError } from '../../errors.js';
import { failureChain } from '../../inspect/target.js';
import { parseCheckRecentInput } from '../../contract/check-recent-input.js';
import { parseCleanStartInput } from '../../contract/clean-start-input.js';
import { parseDebugStalledInput, type DebugStalledInput } from '../../contract/debug-stalled-input.js';
import { FailureType } from '../../contract/failure-types.js';
import { parseTestInteractiveInput } from '../../contract/test-interactive-input.js';
import { describeProblem, type InputProblem } from '../../contract/validate.js';
import type { CommandContext } from '../context.js';
import type { PendingApproval } from '../../../workflows/lib/approval.js';
import { followRecipe, untilPlanOrClose } from '../follow.js';
import { describePending } from './approve.js';
import { ExitCode } from '../output.js';
import { recipeDetails, recipeSummary, type SummaryFields } from '../../contract/summary.js';

export type RecipeReport =
  CleanStartReport | TestInteractiveReport | ClearStalledReport | DebugStalledReport | CheckRecentReport;

interface RecipeCli {
  type: RecipeReport['recipe'];
  /** The parsed input and what the recipe works on (for its workflow ID), or every problem. */
  parse(raw: unknown): { input?: SummaryFields; subject?: string; problems: InputProblem[] };
}

/** A recipe's CLI entry: its parser and the subject of its parsed input, typed together. */
function runnable<I extends SummaryFields>(
  type: RecipeReport['recipe'],
  parse: (raw: unknown) => { input?: I; problems: InputProblem[] },
  subject: (input: I) => string,
): RecipeCli {
  return {
    type,
    parse(raw) {
      const { input, problems } = parse(raw);
      return input ? { input, subject: subject(input), problems } : { problems };
    },
  };
}

const projectOf = (input: { projectDir: string; project?: string }) =>
  input.project ?? input.projectDir.split('/').filter(Boolean).pop() ?? 'project';

/** Recipes startable with `run <name>`, by CLI name. */
const RUNNABLE: Record<RunOptions['recipe'], RecipeCli> = {
  'clean-start': runnable('CleanStart', parseCleanStartInput, projectOf),
  'test-interactive': runnable('TestInteractive', parseTestInteractiveInput, projectOf),
  'clear-stalled': runnable(
    'ClearStalledEnvironment',
    parseClearStalledInput,
    (input: ClearStalledInput) => input.taskQueue ?? 'all',
  ),
  'debug-stalled': runnable(
    'DebugStalled',
    parseDebugStalledInput,
    (input: DebugStalledInput) => input.workflowId ?? input.taskQueue ?? 'all',
  ),
  'check-recent': runnable('CheckRecentResults', parseCheckRecentInput, (input) => input.taskQueue ?? 'all'),
};

export interface RunOptions {
  recipe: 'clean-start' | 'test-interactive' | 'clear-stalled' | 'debug-stalled' | 'check-recent';
  /** The recipe input in its documented JSON form. */
  input: Record<string, unknown>;
  /** Print each step as it changes. */
  follow: boolean;
}

/** Human summary of a recipe report. */
export function formatReport(report: RecipeReport): string {
  if (report.recipe === 'CheckRecentResults') {
    const { checked, failing } = report.counts;
    const lines = [
      `CheckRecentResults ${report.ok ? 'OK' : 'NOT OK'} — ${checked} closed, ${failing} not ok`,
    ];
    for (const w of report.workflows)
      lines.push(`  ${w.resultOk ? 'ok    ' : 'NOT OK'} ${w.workflowId} (${w.workflowType}): ${w.reason}`);
    return lines.join('\n');
  }
  if (report.recipe === 'DebugStalled') {
    const lines = [
      `DebugStalled ${report.ok ? 'OK' : 'NOT OK'} — ${report.stalledCount} stalled of ${report.scanned}`,
    ];
    for (const f of report.findings) lines.push(`  ${f.workflowId}: ${f.verdict} — ${f.remedy.text}`);
    for (const a of report.actions ?? [])
      lines.push(
        `  ${a.remedy} ${a.workflowId}: ${a.applied ? (a.verified ? 'verified' : 'NOT verified') : 'not applied'} (${a.detail})`,
      );
    if (report.problem) lines.push(`  problem: ${report.problem}`);
    return lines.join('\n');
  }
  if (report.recipe === 'ClearStalledEnvironment') {
    const lines = [
      `ClearStalledEnvironment ${report.ok ? 'OK' : 'NOT OK'} — ${report.scanned} running workflows ${report.selection ? 'matched' : 'scanned'}`,
    ];
    for (const r of report.cleared)
      lines.push(`  ${r.action} ${r.workflowId}: ${r.result}${r.error ? ` (${r.error})` : ''}`);
    if (report.selection) lines.push(`  selected: ${report.selection.matched} by ${report.selection.query}`);
    for (const s of report.plan.skipped)
      lines.push(`  left alone ${s.workflowId}${s.verdict ? ` (${s.verdict})` : ''}: ${s.why}`);
    if (report.problem) lines.push(`  problem: ${report.problem}`);
    return lines.join('\n');
  }
  const lines = [`${report.recipe} ${report.ok ? 'OK' : 'NOT OK'} — project ${report.project}`];
  if (report.worker) lines.push(`  worker:  pid ${report.worker.pid}, log ${report.worker.logPath}`);
  if (report.target) {
    const t = report.target;
    lines.push(`  target:  ${t.workflowId} (run ${t.runId})${'status' in t ? ` ${t.status}` : ''}`);
    if ('result' in t && t.result !== undefined) lines.push(`  result:  ${JSON.stringify(t.result)}`);
  }
  if (report.problem) lines.push(`  problem: ${report.problem}`);
  if (report.recipe === 'TestInteractive' && report.targetCleanup) {
    const { terminated, leftRunning, status } = report.targetCleanup;
    const what = terminated ? 'terminated by this recipe' : leftRunning ? 'left RUNNING' : status;
    lines.push(`  target after the test: ${what}`);
  }
  if (report.worker?.logTail)
    lines.push('  worker log tail:', ...report.worker.logTail.split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

/** Exit code 2 for input the recipe itself rejected (a bad directory, a query the server refuses), else 1. */
function failureExitCode(error: unknown): number {
  const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
  return cause instanceof ApplicationFailure &&
    (cause.type === FailureType.InvalidInput || cause.type === FailureType.PolicyRefused)
    ? ExitCode.usage
    : ExitCode.notOk;
}

/** Recipes startable with `run <name>`: CLI name and workflow type. */
export const RUNNABLE_RECIPES = Object.entries(RUNNABLE).map(([name, recipe]) => ({
  name: name as RunOptions['recipe'],
  type: recipe.type,
}));

/** Validates input, then (connecting only then) starts the recipe on the ops queue with its UI summary and details. */
export async function startRecipe(
  connect: () => Promise<Client>,
  options: Pick<RunOptions, 'recipe' | 'input'>,
  ctx: CommandContext,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const name = options.recipe;
  const raw = options.input;
  const recipe = RUNNABLE[name];
  const parsed = recipe.parse(raw);
  const { input, subject } = parsed;
  if (!input || subject === undefined) {
    throw new ExitError(`invalid input: ${parsed.problems.map(describeProblem).join('; ')}`, ExitCode.usage);
  }
  const handle = await (
    await connect()
  ).workflow.start(recipe.type, {
    taskQueue: ctx.settings.opsTaskQueue,
    workflowId: `${name}-${subject}-${nanoid(8)}`,
    // The documented JSON form goes to the workflow, which validates it again (it may come from anywhere).
    args: [raw],
    staticSummary: recipeSummary(recipe.type, input),
    staticDetails: recipeDetails(raw),
  });
  ctx.out.info(`${recipe.type} started: workflow ${handle.workflowId}`);
  if (waitsForApproval(name, raw))
    ctx.out.info('it waits for approval unless autoApprove: the plan and its ID show once planned');
  return handle;
}

/** Whether the recipe stops for a person's approval (its input does not say autoApprove). */
function waitsForApproval(name: RunOptions['recipe'], raw: Record<string, unknown>): boolean {
  const approves = name === 'clear-stalled' || (name === 'debug-stalled' && raw.act === true);
  return approves && raw.autoApprove !== true;
}

/** The recipe's failure as the CLI's ExitError, naming its type and workflow ID. */
async function recipeFailed(handle: WorkflowHandle, error: unknown): Promise<ExitError> {
  const message = error instanceof WorkflowFailedError ? failureChain(error.cause) : failureChain(error);
  const type = (await handle.describe().catch(() => undefined))?.type ?? 'recipe';
  return new ExitError(`${type} ${handle.workflowId} failed: ${message}`, failureExitCode(error));
}

/** Waits for the recipe's report (printing each step with `follow`); its failure as an ExitError. */
export async function recipeReport(
  handle: WorkflowHandle,
  follow: boolean,
  ctx: CommandContext,
): Promise<RecipeReport> {
  try {
    if (!follow) return await handle.result();
    const showPlan = (pending: PendingApproval) => ctx.out.info(describePending(handle.workflowId, pending));
    return await followRecipe<RecipeReport>(handle, ctx.out.info, showPlan);
  } catch (error) {
    throw await recipeFailed(handle, error);
  }
}

/** Starts the recipe, follows it and prints its report. */
export async function runRecipe(
  connect: () => Promise<Client>,
  options: RunOptions,
  ctx: CommandContext,
): Promise<RecipeReport> {
  const handle = await startRecipe(connect, options, ctx);
  const report = await recipeReport(handle, options.follow, ctx);
  ctx.out.result(report, formatReport);
  return report;
}

/** What `run --no-follow` prints when the recipe stops for approval. */
interface WaitingForApproval {
  workflowId: string;
  state: 'waiting-for-approval';
  pendingApproval: PendingApproval;
}

/**
 * `--no-follow` on a recipe that asks for approval: its report if it closes first, else its plan
 * and plan ID while it waits (exit 0; `approve --plan-id` answers it).
 */
async function startUntilPlan(options: RunOptions, ctx: CommandContext): Promise<number> {
  const handle = await startRecipe(() => ctx.client(), options, ctx);
  const reached = await untilPlanOrClose<RecipeReport>(handle).catch(async (error: unknown) => {
    throw await recipeFailed(handle, error);
  });
  if ('report' in reached) {
    ctx.out.result(reached.report, formatReport);
    return reached.report.ok ? ExitCode.ok : ExitCode.notOk;
  }
  const waiting: WaitingForApproval = {
    workflowId: handle.workflowId,
    state: 'waiting-for-approval',
    pendingApproval: reached.pending,
  };
  ctx.out.result(waiting, (w) => `waiting for approval\n${describePending(w.workflowId, w.pendingApproval)}`);
  return ExitCode.ok;
}

/** `run <recipe>`: exit 0 when the report is ok (or, with --no-follow, a plan waits), 1 when it names a problem. */
export async function runRecipeCommand(options: RunOptions, ctx: CommandContext): Promise<number> {
  if (!options.follow && waitsForApproval(options.recipe, options.input)) return startUntilPlan(options, ctx);
  const report = await runRecipe(() => ctx.client(), options, ctx);
  return report.ok ? ExitCode.ok : ExitCode.notOk;
}
