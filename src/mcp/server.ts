// The MCP server: every tool declared once, each calling the CLI's own command functions on one
// shared context (one connection, opened on the first call that needs it); resources and prompts beside.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CliContext } from '../cli/context.js';
import { ExitCode } from '../cli/output.js';
import { CLI_TOOLS, cliArgv, describeCliTool } from './cli-tools.js';
import { outcomeSchema, withProgress as reportProgress } from './outcome.js';
import { registerPrompts } from './prompts.js';
import { approveTool, recipeCancel, recipeProgress, recipeStart } from './recipe-tools.js';
import { RECIPE_START_TYPES, recipeInputProperty } from './recipe-schema.js';
import { registerResources } from './resources.js';
import { runCliTool, type CommandTree } from './run-cli-tool.js';
import { targetTool } from './target-tools.js';
import { TOOL_META, type ToolName } from './tool-meta.js';

const recipeResult = z
  .object({
    state: z
      .enum(['started', 'running', 'waiting-for-approval', 'closed', 'canceled'])
      .describe(
        'started (follow: false), running, waiting-for-approval (answer with approve), closed, canceled.',
      ),
    workflowId: z.string(),
    resourceUri: z.string().describe('temporal-ops://recipe/{workflowId}: read or subscribe to it later.'),
  })
  .loose();

const workflowRef = {
  workflowId: z.string().describe('The target workflow.'),
  runId: z.string().optional().describe('One run of it (default: the latest).'),
};
const jsonArgs = z.array(z.unknown()).optional().describe('Its arguments, a JSON array (default []).');

/** The server with every tool, resource and prompt registered over the CLI's `tree`, and a wait for the calls in flight. */
export function createMcpServer(
  tree: CommandTree,
  context: CliContext,
  version: string,
): { server: McpServer; settled(): Promise<void> } {
  const inFlight = new Set<Promise<unknown>>();
  const withProgress: typeof reportProgress = (extra, run) => {
    const call = reportProgress(extra, run);
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call)).catch(() => undefined);
    return call;
  };
  const server = new McpServer(
    { name: 'temporal-ops', version },
    {
      instructions:
        'Ops recipes for Python Temporal projects. Results carry the CLI exit code (0 ok, 8 stalls found, 9 still running, ...). A recipe that waits for approval returns its pendingApproval; answer it with `approve` and the plan ID. Long recipes send progress; cancelling the call cancels the recipe. Prompts hold the runbook recipes.',
    },
  );
  // Arguments the SDK rejects before a handler runs still answer with a structured outcome (exit 2).
  (server as unknown as { createToolError(message: string): CallToolResult }).createToolError = (message) => {
    const outcome = { exitCode: ExitCode.usage, error: message, log: [] };
    return {
      isError: true,
      structuredContent: outcome,
      content: [{ type: 'text', text: `error (exit 2): ${message}` }],
    };
  };
  const tool = <S extends z.ZodRawShape>(
    name: ToolName,
    description: string,
    inputSchema: S,
    handler: Parameters<typeof server.registerTool<z.ZodObject, S>>[2],
    result?: z.ZodType,
  ) =>
    server.registerTool(
      name,
      { ...TOOL_META[name], description, inputSchema, outputSchema: outcomeSchema(result) },
      handler,
    );

  const program = tree(async () => undefined);
  for (const cli of CLI_TOOLS) {
    const { description, shape } = describeCliTool(cli, program);
    tool(
      cli.name as ToolName,
      description,
      shape,
      (args, extra) =>
        withProgress(extra, (progress) => {
          progress.update({ done: 0, current: `temporal-ops ${cli.command.join(' ')}` });
          return runCliTool(cliArgv(cli, args), tree, context, (line) => progress.line(line));
        }),
      cli.result,
    );
  }
  const env = (
    extra: { signal: AbortSignal },
    progress: Parameters<Parameters<typeof reportProgress>[1]>[0],
  ) => ({
    context,
    progress,
    signal: extra.signal,
  });
  tool(
    'recipe_start',
    'Start a recipe on the control worker and follow it to its report, or until it waits for approval (answer with approve). Steps arrive as progress notifications; cancelling the call cancels the recipe (it ends CANCELED after its cleanup). `follow: false` returns the workflow ID and a resource URI at once. Recipes: CleanStart, TestInteractive, EnsureWorker (a fresh worker), DebugStalled (`act: true` to apply and verify remedies), ClearStalledEnvironment, CheckRecentResults.',
    {
      recipe: z.enum(RECIPE_START_TYPES).describe('The recipe (workflow type).'),
      input: recipeInputProperty(),
      follow: z
        .boolean()
        .optional()
        .describe('Wait for the report or a pending approval (default true); false returns the workflow ID.'),
    },
    (args, extra) => withProgress(extra, (progress) => recipeStart(args, env(extra, progress))),
    recipeResult,
  );
  tool(
    'recipe_progress',
    "A recipe's state, steps and pending approval (with its plan ID); its report once closed. `follow: true` waits as recipe_start does.",
    {
      workflowId: z.string().describe('The recipe workflow ID (recipe_start returns it).'),
      follow: z.boolean().optional().describe('Follow to the report or the next pending approval.'),
    },
    (args, extra) => withProgress(extra, (progress) => recipeProgress(args, env(extra, progress))),
    recipeResult,
  );
  tool(
    'recipe_cancel',
    'Cancel a running recipe: it runs its cleanup (stops the worker it started, reports a half-applied plan) and ends CANCELED; returns once it closed. Only recipes: target workflows are stopped with workflow_terminate.',
    { workflowId: z.string().describe('The recipe workflow ID.') },
    (args, extra) => withProgress(extra, (progress) => recipeCancel(args, env(extra, progress))),
    recipeResult,
  );
  tool(
    'approve',
    'Approve (or reject) the plan a recipe is waiting on. Give the plan ID that recipe_progress (pendingApproval) shows: a plan not seen is not approved.',
    {
      workflowId: z.string().describe('The recipe waiting for approval.'),
      planId: z.string().describe('The pending plan ID, from recipe_progress or recipe_start.'),
      reject: z.boolean().optional().describe('Reject the plan instead.'),
      choice: z.string().optional().describe('The choice to approve, when the plan offers several.'),
      by: z.string().optional().describe('Who answers (default: "$USER via mcp").'),
    },
    (args, extra) => withProgress(extra, (progress) => approveTool(args, tree, context, progress)),
  );
  tool(
    'workflow_signal',
    'Send a signal to a target workflow (never to a recipe).',
    { ...workflowRef, name: z.string().describe('The signal name.'), args: jsonArgs },
    (args, extra) =>
      withProgress(extra, () =>
        targetTool(args, { kind: 'signal', name: args.name, args: args.args }, context, extra.signal),
      ),
  );
  tool(
    'workflow_query',
    'Query a target workflow (never a recipe); a worker must be polling its task queue.',
    { ...workflowRef, name: z.string().describe('The query name.'), args: jsonArgs },
    (args, extra) =>
      withProgress(extra, () =>
        targetTool(args, { kind: 'query', name: args.name, args: args.args }, context, extra.signal),
      ),
  );
  tool(
    'workflow_update',
    "Send an update to a target workflow (never to a recipe) and wait for its result; a failed update carries the handler's error.",
    {
      ...workflowRef,
      name: z.string().describe('The update name.'),
      args: jsonArgs,
      timeoutSeconds: z
        .number()
        .positive()
        .optional()
        .describe('How long to wait for its result (default 60).'),
    },
    (args, extra) =>
      withProgress(extra, () =>
        targetTool(
          args,
          { kind: 'update', name: args.name, args: args.args, timeoutSeconds: args.timeoutSeconds },
          context,
          extra.signal,
        ),
      ),
  );
  tool(
    'workflow_terminate',
    'Terminate a running target workflow (never a recipe: recipe_cancel cancels those); a closed one is left as it is.',
    { ...workflowRef, reason: z.string().optional().describe('Why (kept in its history).') },
    (args, extra) =>
      withProgress(extra, () =>
        targetTool(args, { kind: 'terminate', reason: args.reason }, context, extra.signal),
      ),
  );
  const resources = registerResources(server, tree, context);
  registerPrompts(server);
  return {
    server,
    async settled() {
      resources.stop();
      // Requests read with the end of input reach their handlers a few microtasks later, and
      // answers go out a few microtasks after their handlers return.
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      await turn();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await turn();
    },
  };
}
