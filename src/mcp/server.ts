// The MCP server: every tool declared once, each calling the CLI's own command functions on one
// shared context (one connection, opened on the first call that needs it).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../cli/context.js';
import { CLI_TOOLS, cliArgv, describeCliTool } from './cli-tools.js';
import { withProgress as reportProgress } from './outcome.js';
import { approveTool, recipeProgress, recipeStart } from './recipe-tools.js';
import { RECIPE_START_TYPES, recipeInputProperty } from './recipe-schema.js';
import { runCliTool, type CommandTree } from './run-cli-tool.js';

/** The server with every tool registered over the CLI's `tree`, and a wait for the calls in flight. */
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
        'Ops recipes for Python Temporal projects. Results carry the CLI exit code (0 ok, 8 stalls found, 9 still running, ...). A recipe that waits for approval returns its pendingApproval; answer it with `approve` and the plan ID.',
    },
  );
  const program = tree(async () => undefined);
  for (const tool of CLI_TOOLS) {
    const { description, shape } = describeCliTool(tool, program);
    server.registerTool(tool.name, { description, inputSchema: shape }, (args, extra) =>
      withProgress(extra, (onLine) => runCliTool(cliArgv(tool, args), tree, context, onLine)),
    );
  }
  server.registerTool(
    'recipe_start',
    {
      description:
        'Start a recipe on the control worker (as `temporal-ops run clean-start|test-interactive|clear-stalled`) and follow it to its report, or until it waits for approval; `follow: false` returns the workflow ID at once. Steps arrive as progress notifications.',
      inputSchema: {
        recipe: z.enum(RECIPE_START_TYPES).describe('The recipe (workflow type).'),
        input: recipeInputProperty(),
        follow: z
          .boolean()
          .optional()
          .describe(
            'Wait for the report or a pending approval (default true); false returns the workflow ID.',
          ),
      },
    },
    (args, extra) =>
      withProgress(extra, (onLine) => recipeStart(args, { context, onLine, signal: extra.signal })),
  );
  server.registerTool(
    'recipe_progress',
    {
      description:
        "A recipe's status, steps and pending approval (with its plan ID); its report once closed. `follow: true` waits as recipe_start does.",
      inputSchema: {
        workflowId: z.string().describe('The recipe workflow ID (recipe_start returns it).'),
        follow: z.boolean().optional().describe('Follow to the report or the next pending approval.'),
      },
    },
    (args, extra) =>
      withProgress(extra, (onLine) => recipeProgress(args, { context, onLine, signal: extra.signal })),
  );
  server.registerTool(
    'approve',
    {
      description: `${describeApprove(program)} Give the plan ID that recipe_progress (pendingApproval) shows: a plan not seen is not approved.`,
      inputSchema: {
        workflowId: z.string().describe('The recipe waiting for approval.'),
        planId: z.string().describe('The pending plan ID, from recipe_progress or recipe_start.'),
        reject: z.boolean().optional().describe('Reject the plan instead.'),
        choice: z.string().optional().describe('The choice to approve, when the plan offers several.'),
        by: z.string().optional().describe('Who answers (default: "$USER via mcp").'),
      },
    },
    (args, extra) => withProgress(extra, (onLine) => approveTool(args, tree, context, onLine)),
  );
  return {
    server,
    async settled() {
      // Requests read with the end of input reach their handlers a few microtasks later, and
      // answers go out a few microtasks after their handlers return.
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      await turn();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await turn();
    },
  };
}

function describeApprove(program: Command): string {
  return program.commands.find((c) => c.name() === 'approve')?.description() ?? '';
}
