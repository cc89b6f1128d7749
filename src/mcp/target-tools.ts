// Plain signal, query, update and terminate for target workflows, so an agent need not shell out to
// `temporal`. Ops workflows (our recipes and their internal workflows) are refused: recipes have their own tools.
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CliContext } from '../cli/context.js';
import { ExitCode } from '../cli/output.js';
import { isOpsWorkflow } from '../contract/ops-workflows.js';
import { ExitError } from '../errors.js';
import { readRecentHistory } from '../inspect/history.js';
import { isNotFound } from '../temporal/grpc.js';
import { failedOutcome, type ToolOutcome } from './outcome.js';

export interface TargetArgs {
  workflowId: string;
  runId?: string;
}

export type TargetAction =
  | { kind: 'signal'; name: string; args?: unknown[] }
  | { kind: 'query'; name: string; args?: unknown[] }
  | { kind: 'update'; name: string; args?: unknown[]; timeoutSeconds?: number }
  | { kind: 'terminate'; reason?: string };

const DEFAULT_UPDATE_TIMEOUT_SECONDS = 60;

/** The target's handle once it is proven not ours; exit 7 when it does not exist, 2 when it is an ops workflow. */
async function targetHandle(client: Client, args: TargetArgs, opsTaskQueue: string) {
  const handle = client.workflow.getHandle(args.workflowId, args.runId);
  const description = await handle.describe().catch((error: unknown) => {
    if (isNotFound(error)) throw new ExitError(`workflow ${args.workflowId} not found`, ExitCode.notFound);
    throw error;
  });
  if (isOpsWorkflow(description.type, description.taskQueue, opsTaskQueue))
    throw new ExitError(
      `workflowId: expected a target workflow, got ${JSON.stringify(args.workflowId)}, an ops workflow of type ${description.type} (use recipe_progress, recipe_cancel or approve)`,
      ExitCode.usage,
    );
  return { handle, description };
}

async function act(handle: WorkflowHandle, action: TargetAction, signal: AbortSignal, client: Client) {
  switch (action.kind) {
    case 'signal':
      await handle.signal(action.name, ...(action.args ?? []));
      return { signal: action.name, sent: true };
    case 'query':
      return { query: action.name, result: await handle.query(action.name, ...(action.args ?? [])) };
    case 'update': {
      const seconds = action.timeoutSeconds ?? DEFAULT_UPDATE_TIMEOUT_SECONDS;
      const result = await client
        .withDeadline(Date.now() + seconds * 1000, () =>
          client.withAbortSignal(signal, () =>
            handle.executeUpdate(action.name, { args: (action.args ?? []) as [unknown] }),
          ),
        )
        .catch((error: unknown) => {
          if ((error as { code?: unknown }).code === DEADLINE_EXCEEDED)
            throw new ExitError(
              `update ${action.name} did not complete within ${seconds} s (is a worker polling its task queue?)`,
              ExitCode.timeout,
            );
          throw error;
        });
      return { update: action.name, result };
    }
    case 'terminate':
      await handle.terminate(action.reason ?? 'terminated via temporal-ops mcp');
      return { terminated: true };
  }
}

const DEADLINE_EXCEEDED = 4;

/** The failure chain as one line, each ApplicationFailure with its type (the target's exception class). */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 6; e = e.cause) {
    const type = (e as { type?: unknown }).type;
    if (e.message !== '')
      parts.push(typeof type === 'string' && type !== '' ? `${type}: ${e.message}` : e.message);
  }
  return parts.join(': ');
}

/** Why the target's workflow task fails, when it does (a wedged target answers no update or query). */
async function wedgedBy(client: Client, workflowId: string, runId: string): Promise<string | undefined> {
  const recent = await readRecentHistory(client, { workflowId, runId }).catch(() => undefined);
  const failure = recent?.lastWorkflowTaskFailure;
  if (!failure) return undefined;
  return `its workflow task fails: ${failure.failureType ? `${failure.failureType}: ` : ''}${failure.message}`;
}

/** Runs one action on a target workflow; a failure from the target (a failed update or query) carries its cause. */
export async function targetTool(
  args: TargetArgs,
  action: TargetAction,
  context: CliContext,
  signal: AbortSignal,
): Promise<ToolOutcome> {
  try {
    const client = await context.client();
    const { handle, description } = await targetHandle(client, args, context.settings.opsTaskQueue);
    const ids = { workflowId: args.workflowId, runId: description.runId, type: description.type };
    if (action.kind === 'terminate' && description.status.name !== 'RUNNING')
      return {
        exitCode: ExitCode.ok,
        result: { ...ids, terminated: false, status: description.status.name },
        log: [],
      };
    try {
      return {
        exitCode: ExitCode.ok,
        result: { ...ids, ...(await act(handle, action, signal, client)) },
        log: [],
      };
    } catch (error) {
      if (error instanceof ExitError) throw error;
      const wedged = await wedgedBy(client, args.workflowId, description.runId);
      throw new ExitError(
        `${action.kind} on ${args.workflowId} failed: ${causeChain(error)}${wedged ? `; ${wedged}` : ''}`,
        ExitCode.notOk,
      );
    }
  } catch (error) {
    return failedOutcome(error);
  }
}
