// `temporal-ops workflows <command>`: find stalled target workflows, analyze one, read results, wait.
import { parseFlags } from './flags.js';
import type { WorkflowStatusName } from '../diagnosis/facts.js';
import type { ResultRule } from '../diagnosis/result-check.js';
import { resolveDiagnosisPolicy, type DiagnosisPolicy } from '../diagnosis/verdicts.js';
import { ExitError } from '../errors.js';
import { WAITABLE_STATUSES } from '../inspect/wait.js';
import { workflowsAnalyze } from './commands/workflows-analyze.js';
import { processOut, type Out } from './commands/workflows-format.js';
import { workflowsRecent } from './commands/workflows-recent.js';
import { workflowsResult } from './commands/workflows-result.js';
import { workflowsStalled } from './commands/workflows-stalled.js';
import { workflowsWait } from './commands/workflows-wait.js';
import type { CliContext, CommandGroup } from './context.js';
import { ExitCode } from './output.js';

export const WORKFLOWS_USAGE = `  temporal-ops workflows stalled [--query Q] [--task-queue Q] [--policy JSON] [--concurrency N] [--stalled-only] [--explain-waits] [--json]
      Diagnose every running target workflow (one count, one paginated list, bounded-parallel
      describe): one finding per run with verdict, evidence and remedy; healthy waits are listed as
      healthy-wait. --json prints an array of findings. --explain-waits reads the last events of idle
      runs to tell timer waits from signal waits (one more call each). Exit 8 when any run is
      stalled, 1 when some run could not be described.
  temporal-ops workflows analyze -w ID [--run-id R] [--policy JSON] [--json]
      One workflow, any status: its finding, how it closed (failure chain, terminate reason) and
      our worker's log lines about it. Exit 8 when stalled, 7 when not found.
  temporal-ops workflows result -w ID [--run-id R] [--result-rule JSON] [--json]
      The decoded result of a closed workflow. Exit 5 when COMPLETED but the result reads like an
      error, 6 when it closed otherwise (FAILED, ...), 9 while it runs, 7 when not found.
  temporal-ops workflows wait -w ID [--run-id R] [--status S[,S...]] [--timeout SEC] [--json]
      Long-poll until the workflow has one of the statuses (default COMPLETED; any of
      ${WAITABLE_STATUSES.join(', ')}).
      Exit 0 reached, 6 closed otherwise, 4 timed out (default 60 s), 7 not found.
  temporal-ops workflows recent [--minutes N] [--query Q] [--limit N] [--result-rule JSON] [--json]
      Workflows started or closed in the last N minutes (default 5), with status and result check.
      Exit 5 when a COMPLETED result reads like an error.
  --policy JSON: {"noWorkerAfterMs": 10000, "retryStormAttempts": 3, "pollerFreshMs": 70000, "workflowTaskTimeouts": 2}
  --result-rule JSON: {"statusKeys": [...], "errorValues": [...], "errorKeys": [...], "falseMeansError": [...], "stringPrefixes": [...]}
  Ops workflows (recipes, the ops task queue) are never listed.
`;

const options = {
  json: { type: 'boolean' },
  query: { type: 'string' },
  'task-queue': { type: 'string' },
  policy: { type: 'string' },
  concurrency: { type: 'string' },
  'stalled-only': { type: 'boolean' },
  'explain-waits': { type: 'boolean' },
  'workflow-id': { type: 'string', short: 'w' },
  'run-id': { type: 'string', short: 'r' },
  'result-rule': { type: 'string' },
  status: { type: 'string' },
  timeout: { type: 'string' },
  minutes: { type: 'string' },
  limit: { type: 'string' },
} as const;

type Flag = keyof typeof options;

const FLAGS: Readonly<Record<string, readonly Flag[]>> = {
  stalled: ['json', 'query', 'task-queue', 'policy', 'concurrency', 'stalled-only', 'explain-waits'],
  analyze: ['json', 'workflow-id', 'run-id', 'policy'],
  result: ['json', 'workflow-id', 'run-id', 'result-rule'],
  wait: ['json', 'workflow-id', 'run-id', 'status', 'timeout'],
  recent: ['json', 'minutes', 'query', 'limit', 'result-rule'],
};

function usage(message: string): ExitError {
  return new ExitError(`${message}\nUsage:\n${WORKFLOWS_USAGE}`, ExitCode.usage);
}

function jsonObject(flag: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw usage(`--${flag}: expected a JSON object, got ${JSON.stringify(text)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usage(`--${flag}: expected a JSON object, got ${text}`);
  return value as Record<string, unknown>;
}

function positive(flag: string, text: string | undefined, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw usage(`--${flag}: expected a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  }
  return value;
}

function policyOf(text: string | undefined): Partial<DiagnosisPolicy> | undefined {
  const raw = jsonObject('policy', text);
  if (!raw) return undefined;
  try {
    resolveDiagnosisPolicy(raw as Partial<DiagnosisPolicy>);
  } catch (error) {
    throw usage(`--policy: ${(error as Error).message}`);
  }
  return raw as Partial<DiagnosisPolicy>;
}

function statusesOf(text: string | undefined): WorkflowStatusName[] {
  const names = (text ?? 'COMPLETED')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const bad = names.find((n) => !WAITABLE_STATUSES.includes(n as WorkflowStatusName));
  if (bad !== undefined || names.length === 0)
    throw usage(`--status: expected one or more of ${WAITABLE_STATUSES.join(', ')}, got "${text}"`);
  return names as WorkflowStatusName[];
}

function requireId(id: string | undefined, command: string): string {
  if (!id) throw usage(`workflows ${command}: --workflow-id (-w) is required`);
  return id;
}

/** Parses the group's argv and runs one command; `out` is replaceable for tests. */
export async function runWorkflowsCommand(
  argv: string[],
  ctx: CliContext,
  out: Out = processOut,
): Promise<number> {
  const { values: v, positionals } = parseFlags(argv, options, usage);
  const command = positionals[0] ?? '';
  const allowed = FLAGS[command];
  if (!allowed || positionals.length > 1) throw usage(`unknown command "workflows ${positionals.join(' ')}"`);
  const extra = (Object.keys(v) as Flag[]).find((flag) => !allowed.includes(flag));
  if (extra) throw usage(`workflows ${command}: --${extra} does not apply`);
  const json = v.json ?? false;
  const rule = jsonObject('result-rule', v['result-rule']) as Partial<ResultRule> | undefined;
  const { opsTaskQueue, stateDir } = ctx.settings;
  switch (command) {
    case 'stalled': {
      const concurrency = positive('concurrency', v.concurrency, true);
      return workflowsStalled(
        await ctx.client(),
        {
          query: v.query,
          taskQueue: v['task-queue'],
          policy: policyOf(v.policy),
          concurrency,
          stalledOnly: v['stalled-only'] ?? false,
          explainIdle: v['explain-waits'] ?? false,
          json,
          opsTaskQueue,
        },
        out,
      );
    }
    case 'analyze':
      return workflowsAnalyze(
        await ctx.client(),
        {
          workflowId: requireId(v['workflow-id'], command),
          runId: v['run-id'],
          policy: policyOf(v.policy),
          stateDir,
          json,
        },
        out,
      );
    case 'result':
      return workflowsResult(
        await ctx.client(),
        { workflowId: requireId(v['workflow-id'], command), runId: v['run-id'], rule, json },
        out,
      );
    case 'wait': {
      const timeoutMs = (positive('timeout', v.timeout) ?? 60) * 1000;
      return workflowsWait(
        await ctx.client(),
        {
          workflowId: requireId(v['workflow-id'], command),
          runId: v['run-id'],
          statuses: statusesOf(v.status),
          timeoutMs,
          json,
        },
        out,
      );
    }
    default: {
      const minutes = positive('minutes', v.minutes) ?? 5;
      const limit = positive('limit', v.limit, true);
      return workflowsRecent(
        await ctx.client(),
        { minutes, query: v.query, limit, rule, opsTaskQueue, json },
        out,
      );
    }
  }
}

export const workflowsCli: CommandGroup = (argv, ctx) => runWorkflowsCommand(argv, ctx);
