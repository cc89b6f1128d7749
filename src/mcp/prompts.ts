// The runbook's five recipes and its decision tree as MCP prompts: each fills in its arguments and
// tells the agent which tools to call, in order, and what to check in their results.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const text = (body: string): GetPromptResult => ({
  messages: [{ role: 'user', content: { type: 'text', text: body } }],
});

const given = (value: string | undefined, fallback: string) => (value ? `\`${value}\`` : fallback);

/** `"key": value` pairs for the recipe input, leaving out what was not given. */
function inputOf(fields: Record<string, unknown>): string {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
  return JSON.stringify(defined);
}

/** A JSON argument as the value it stands for (prompt arguments are strings); text when it is not JSON. */
function parsedJson(value: string | undefined): unknown {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

const DECISION_TREE = `Decide by the workflow's status (workflows_analyze gives status, verdict, evidence and remedy):
- RUNNING but not moving (stalled):
  - waiting for a signal or update it was written to wait for (verdict healthy-wait) → send it with workflow_signal / workflow_update; nothing is broken.
  - non-determinism → the run cannot recover: workflow_terminate it (or recipe_start DebugStalled with act and nonDeterminism "reset"), fix the code, worker_ensure, start a new run.
  - workflow code bug, type not registered, sandbox violation → fix the code, then worker_ensure: the run resumes by itself (no terminate).
  - activity retry storm or activity not registered → fix the activity, worker_ensure: retries continue with the new code.
  - no worker → worker_ensure on the task queue the workflow uses (check the queue names in the evidence).
  - workflow task timeout → worker_health and worker_logs, then worker_ensure.
- COMPLETED → workflows_result: a result that reads like an error ({"status": "error", ...}, exit 5) is a failure to fix in the code.
- FAILED → workflows_analyze for the cause, fix the code, worker_ensure, start a NEW run.
- TIMED_OUT → raise the timeout, worker_ensure, start a NEW run.
- Never started → worker_list: is a worker polling that task queue, and is the workflow type registered?
Many stalled at once → the clear_stalled prompt. Before restarting onto changed code, replay_check predicts non-determinism.`;

/** Registers the prompts on `server`. */
export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'clean_start',
    {
      title: 'Recipe 1: clean start',
      description:
        "Stop the project's old workers, start one fresh with the current code, run the workflow, check its result.",
      argsSchema: {
        projectDir: z.string().describe('Absolute path of the Python project.'),
        taskQueue: z.string().describe('The task queue its worker polls.'),
        workflowType: z.string().optional().describe('The workflow to start (else give starter).'),
        args: z.string().optional().describe('Its arguments, a JSON array.'),
        starter: z
          .string()
          .optional()
          .describe('Or: the command that starts the workflow, e.g. "uv run starter".'),
      },
    },
    (a) =>
      text(`Run a clean start of the Temporal project at ${a.projectDir}.
1. project_list; if ${a.projectDir} is not listed, project_add with projectDir ${a.projectDir} (and workerCommand when the worker is not started by "uv run worker").
2. recipe_start with recipe "CleanStart" and input ${inputOf({
        projectDir: a.projectDir,
        taskQueue: a.taskQueue,
        start: a.starter
          ? { command: a.starter }
          : { workflowType: a.workflowType ?? '<WorkflowType>', args: parsedJson(a.args) },
      })} (fill in start.workflowType, or start.command for a starter, if not given above). It follows the steps as progress.
3. Read the report: ok, target.status and target.result. A COMPLETED result that reads like an error is NOT a success. On a problem, read worker.logTail and apply the troubleshoot prompt.`),
  );
  server.registerPrompt(
    'debug_stalled',
    {
      title: 'Recipe 2: debug a stalled workflow',
      description: 'Find why a workflow does not move, and fix it with the remedy its verdict calls for.',
      argsSchema: {
        workflowId: z.string().optional().describe('The workflow that looks stuck (else every running one).'),
        taskQueue: z.string().optional().describe('Only this task queue.'),
        projectDir: z.string().optional().describe('The project whose worker runs it (to apply remedies).'),
      },
    },
    (a) =>
      text(`Debug ${a.workflowId ? `workflow ${given(a.workflowId, '')}` : 'the stalled workflows'}${a.taskQueue ? ` on task queue ${given(a.taskQueue, '')}` : ''}.
1. ${a.workflowId ? `workflows_analyze with workflowId ${given(a.workflowId, '')}` : `workflows_stalled${a.taskQueue ? ` with taskQueue ${given(a.taskQueue, '')}` : ''}`}: each finding has a verdict, evidence and a remedy.
2. worker_logs for the project's worker when the evidence points at the worker.
3. Apply the remedy as the troubleshoot prompt says. To let the recipe do it: recipe_start with recipe "DebugStalled" and input ${inputOf({ workflowId: a.workflowId, taskQueue: a.taskQueue, act: true, projectDir: a.projectDir })}, follow: false; read temporal-ops://recipe/<workflowId> (or recipe_progress) until state is waiting-for-approval, show the user pendingApproval.plan, then approve with that workflowId and pendingApproval.planId. Fix the code when the plan asks for it; the recipe restarts the worker and verifies that each workflow moved.`),
  );
  server.registerPrompt(
    'clear_stalled',
    {
      title: 'Recipe 3: clear a stalled environment',
      description:
        'Terminate or cancel the stalled workflows (healthy waits untouched) after approval, then start a fresh worker.',
      argsSchema: {
        taskQueue: z.string().optional().describe('Only this task queue.'),
        query: z.string().optional().describe('A visibility query selecting the workflows.'),
        projectDir: z.string().optional().describe('The project whose worker is restarted afterwards.'),
      },
    },
    (a) =>
      text(`Clear the stalled workflows${a.taskQueue ? ` of task queue ${given(a.taskQueue, '')}` : ''}.
1. workflows_stalled${a.taskQueue ? ` with taskQueue ${given(a.taskQueue, '')}` : ''} to see what is stalled and why.
2. recipe_start with recipe "ClearStalledEnvironment", input ${inputOf({ taskQueue: a.taskQueue, query: a.query })}, follow: false.
3. recipe_progress with that workflowId until state is waiting-for-approval; show the user pendingApproval.plan (which workflows, terminate or cancel).
4. approve with the workflowId and pendingApproval.planId once the user agrees (reject: true otherwise); then recipe_progress with follow: true for the report.
5. worker_ensure${a.projectDir ? ` with projectDir ${given(a.projectDir, '')}` : ''}${a.taskQueue ? ` and taskQueue ${given(a.taskQueue, '')}` : ''} for a fresh worker.`),
  );
  server.registerPrompt(
    'test_interactive',
    {
      title: 'Recipe 4: test an interactive workflow',
      description:
        'Fresh worker, start the workflow, send each signal / update / query in order, compare the result, stop the worker.',
      argsSchema: {
        projectDir: z.string().describe('Absolute path of the Python project.'),
        taskQueue: z.string().describe('The task queue its worker polls.'),
        workflowType: z.string().describe('The interactive workflow.'),
        args: z.string().optional().describe('Its arguments, a JSON array (what its run method takes).'),
        interactions: z
          .string()
          .describe(
            'A JSON array such as [{"signal":"approve","args":[{"approved":true}]}] or {"update":..., "expect":...}.',
          ),
        expectResult: z.string().optional().describe('The result it must return (JSON).'),
      },
    },
    (a) =>
      text(`Test the interactive workflow ${a.workflowType} of ${a.projectDir}.
1. recipe_start with recipe "TestInteractive" and input ${inputOf({
        projectDir: a.projectDir,
        taskQueue: a.taskQueue,
        start: { workflowType: a.workflowType, args: parsedJson(a.args) ?? [] },
        interactions: parsedJson(a.interactions),
        expectResult: parsedJson(a.expectResult),
      })}. Give start.args exactly as the workflow's run method takes them: a workflow started without its argument wedges.
2. Read the report: each interaction's outcome, the result against expectResult, and a failed step's cause from the target.`),
  );
  server.registerPrompt(
    'check_recent',
    {
      title: 'Recipe 5: check recent results',
      description:
        'Check every workflow that closed recently: a COMPLETED result that reads like an error is a failure.',
      argsSchema: {
        minutes: z.string().optional().describe('How far back, in minutes (default 30).'),
        taskQueue: z.string().optional().describe('Only this task queue.'),
      },
    },
    (a) =>
      text(`Check the results of the workflows that closed in the last ${a.minutes ?? '30'} minutes.
1. recipe_start with recipe "CheckRecentResults" and input ${inputOf({ minutes: a.minutes ? Number(a.minutes) : undefined, taskQueue: a.taskQueue })}.
2. For each workflow whose resultOk is false: workflows_result (or workflows_analyze for FAILED / TIMED_OUT) with its workflowId, and say what is wrong. COMPLETED is not success when the result reads like an error.`),
  );
  server.registerPrompt(
    'troubleshoot',
    {
      title: 'Decision tree: what is wrong with this workflow?',
      description: "From a workflow's status and verdict to the fix, as the runbook's decision tree.",
      argsSchema: {
        workflowId: z.string().optional().describe('The workflow that does not behave.'),
      },
    },
    (a) =>
      text(`${a.workflowId ? `Start with workflows_analyze for workflowId ${given(a.workflowId, '')}.` : 'Start with workflows_stalled and workflows_recent.'}
${DECISION_TREE}`),
  );
}
