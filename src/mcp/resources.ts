// The MCP resources: recipes recent and in flight, one recipe's live report, our workers, the
// latest stall sweep and the open incidents; a subscribed URI is watched and
// `notifications/resources/updated` sent on change.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { CliContext } from '../cli/context.js';
import { RECIPE_NAMES } from '../contract/ops-workflows.js';
import { ProgressReporter } from './progress.js';
import { recipeProgress } from './recipe-tools.js';
import { runCliTool, type CommandTree } from './run-cli-tool.js';
import {
  INCIDENTS_URI,
  RECIPES_URI,
  RECIPE_URI_TEMPLATE,
  STALLED_URI,
  WORKERS_URI,
  recipeUri,
} from './uris.js';

const RECENT_RECIPES = 50;
const WATCH_RECIPE_MS = 1000;
const WATCH_OTHER_MS = 5000;

const json = (uri: string, value: unknown): ReadResourceResult => ({
  contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
});

const recipeTypes = RECIPE_NAMES.map((name) => JSON.stringify(name)).join(', ');

/** Recipes on the ops queue, newest first: those in flight, then the recent ones that closed. */
async function recipes(context: CliContext): Promise<unknown> {
  const client = await context.client();
  const query = `TaskQueue = ${JSON.stringify(context.settings.opsTaskQueue)} AND WorkflowType IN (${recipeTypes})`;
  const rows: Record<string, unknown>[] = [];
  for await (const w of client.workflow.list({ query, pageSize: RECENT_RECIPES })) {
    rows.push({
      workflowId: w.workflowId,
      runId: w.runId,
      type: w.type,
      status: w.status.name,
      startTime: w.startTime.toISOString(),
      ...(w.closeTime ? { closeTime: w.closeTime.toISOString() } : {}),
      ...(typeof w.memo?.opsTitle === 'string' ? { title: w.memo.opsTitle } : {}),
      resourceUri: recipeUri(w.workflowId),
    });
    if (rows.length >= RECENT_RECIPES) break;
  }
  return {
    inFlight: rows.filter((r) => r.status === 'RUNNING'),
    recent: rows.filter((r) => r.status !== 'RUNNING'),
  };
}

/** One recipe as recipe_progress reads it: state, steps and pending plan, or its report once closed. */
async function recipe(context: CliContext, workflowId: string): Promise<unknown> {
  const env = {
    context,
    progress: new ProgressReporter({ sendNotification: () => Promise.resolve() }),
    signal: new AbortController().signal,
  };
  const outcome = await recipeProgress({ workflowId }, env);
  return outcome.result ?? { workflowId, exitCode: outcome.exitCode, error: outcome.error };
}

/** The report of the latest DebugStalled that completed (a scheduled sweep, or one started by hand). */
async function latestSweep(context: CliContext): Promise<unknown> {
  const client = await context.client();
  const query = `TaskQueue = ${JSON.stringify(context.settings.opsTaskQueue)} AND WorkflowType = "DebugStalled" AND ExecutionStatus = "Completed"`;
  for await (const w of client.workflow.list({ query, pageSize: 1 })) {
    const report: unknown = await client.workflow.getHandle(w.workflowId, w.runId).result();
    return { workflowId: w.workflowId, closeTime: w.closeTime?.toISOString(), report };
  }
  return {
    workflowId: null,
    report: null,
    hint: 'no stall sweep has completed yet: schedule one with schedule_stall_sweep, or start DebugStalled with recipe_start',
  };
}

/** What a CLI command prints with --json, or its exit code and error. */
async function cliResult(argv: string[], tree: CommandTree, context: CliContext): Promise<unknown> {
  const outcome = await runCliTool([...argv, '--json'], tree, context, () => undefined);
  return outcome.result ?? { exitCode: outcome.exitCode, error: outcome.error };
}

/** Registers the resources on `server` and answers subscriptions; `stop` ends every watch. */
export function registerResources(
  server: McpServer,
  tree: CommandTree,
  context: CliContext,
): { stop(): void } {
  const read = (uri: string): Promise<unknown> => {
    if (uri === RECIPES_URI) return recipes(context);
    if (uri === WORKERS_URI) return cliResult(['worker', 'list'], tree, context);
    if (uri === INCIDENTS_URI) return cliResult(['incidents', 'list'], tree, context);
    if (uri === STALLED_URI) return latestSweep(context);
    const prefix = recipeUri('');
    if (uri.startsWith(prefix)) return recipe(context, decodeURIComponent(uri.slice(prefix.length)));
    return Promise.resolve({ error: `no resource ${uri}` });
  };
  const fixed = [
    [RECIPES_URI, 'recipes', 'Recipes', 'Recipes in flight and recently closed, newest first.'],
    [WORKERS_URI, 'workers', 'Workers', 'Our target workers on this host and the pollers of their queues.'],
    [STALLED_URI, 'stalled', 'Latest stall sweep', 'The report of the latest completed DebugStalled sweep.'],
    [
      INCIDENTS_URI,
      'incidents',
      'Incidents',
      'Unresolved incidents of the scheduled stall sweeps (open, reopened, acknowledged, snoozed), newest first, as a JSON array; move them with incident_ack and incident_snooze.',
    ],
  ] as const;
  for (const [uri, name, title, description] of fixed)
    server.registerResource(name, uri, { title, description, mimeType: 'application/json' }, async () =>
      json(uri, await read(uri)),
    );
  server.registerResource(
    'recipe',
    new ResourceTemplate(RECIPE_URI_TEMPLATE, { list: undefined }),
    {
      title: 'Recipe report',
      description:
        "One recipe's live state: its steps and pending plan while it runs, its report once closed. Subscribe to be told of each change.",
      mimeType: 'application/json',
    },
    async (uri) => json(uri.href, await read(uri.href)),
  );

  const watches = new Map<string, NodeJS.Timeout>();
  const unwatch = (uri: string) => {
    clearTimeout(watches.get(uri));
    watches.delete(uri);
  };
  const watch = (uri: string) => {
    if (watches.has(uri)) return;
    let last: string | undefined;
    const isRecipe = uri.startsWith(recipeUri(''));
    const tick = async () => {
      const value = await read(uri).catch((error: unknown) => ({ error: String(error) }));
      const text = JSON.stringify(value);
      if (!watches.has(uri)) return;
      if (last !== undefined && text !== last)
        await server.server.sendResourceUpdated({ uri }).catch(() => undefined);
      last = text;
      const state = (value as { state?: string }).state;
      if (isRecipe && state !== undefined && state !== 'running' && state !== 'waiting-for-approval') {
        unwatch(uri);
        return;
      }
      watches.set(uri, setTimeout(() => void tick(), isRecipe ? WATCH_RECIPE_MS : WATCH_OTHER_MS).unref());
    };
    watches.set(uri, setTimeout(() => void tick(), 0).unref());
  };
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    watch(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    unwatch(request.params.uri);
    return {};
  });
  return {
    stop() {
      for (const uri of [...watches.keys()]) unwatch(uri);
    },
  };
}
