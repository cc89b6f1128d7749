// argv -> command + options. The one place that knows flag names; commands get plain options.
import type { parseArgs } from 'node:util';
import { ExitError } from '../errors.js';
import { envPairs, parseFlags } from './flags.js';
import { ExitCode } from './output.js';
import { WORKER_USAGE } from './worker-cli.js';
import { WORKFLOWS_USAGE } from './workflows-cli.js';

export const USAGE = `temporal-ops — Temporal-native ops recipes for Python Temporal projects

Usage:
  temporal-ops up [--once] [--no-recipe] [target flags] [--json]
      Ensure a server (starts a local dev server if none answers), run the control worker,
      run CleanStart against the target (default: the bundled example), serve until Ctrl-C.
  temporal-ops serve
      Run the control worker only (task queues temporal-ops and temporal-ops@<host>).
  temporal-ops run clean-start [target flags] [--json] [--no-follow]
      Start the CleanStart recipe on a running control worker and follow it.
  temporal-ops run test-interactive [target flags] --interactions JSON [--expect-result JSON]
      Fresh worker, start the interactive workflow, send each signal / update / query in order
      (e.g. '[{"update":"set_note","args":["hi"],"expect":1},{"signal":"approve","args":[{}]}]'),
      wait for the result, compare it with --expect-result, stop the worker.
  temporal-ops run clear-stalled [--query Q] [--task-queue Q] [--mode auto|terminate|cancel]
                               [--auto-approve] [--input JSON] [--json]
      Find stalled workflows, plan terminate/cancel for each (healthy waits untouched), wait for
      approval (unless --auto-approve), carry out the plan. --task-queue here filters the sweep.
  temporal-ops schedule stall-sweep [--every 5m] [--query Q] [--task-queue Q] [--id ID] [--delete] [--json]
      Create (or update in place) a Temporal Schedule that runs DebugStalled every interval;
      --delete removes it. Overlapping sweeps are skipped; missed ones are not caught up.
  temporal-ops approve WORKFLOW_ID [--reject] [--by NAME] [--json]
      Approve (or reject) the plan a recipe is waiting on; shows the plan first.
${WORKER_USAGE}${WORKFLOWS_USAGE}
Target flags:
  --project-dir DIR        target project directory (absolute or relative to cwd)
  --task-queue Q           target task queue
  --worker-command CMD     command that starts the worker (default: $TEMPORAL_WORKER_CMD or "uv run worker")
  --workflow-type T        start this workflow type ... with --args JSON-array and optional --workflow-id ID
  --starter CMD            ... or run this starter command and read "Workflow ID: ..." from its output
  --env KEY=VALUE          extra environment for the worker and starter (repeatable)
  --ready-timeout SEC      how long the fresh worker may take to poll (default 60)
  --result-timeout SEC     how long to wait for the target workflow (default 300)
  --host HOST              run process steps on the control worker of HOST
  --input JSON             the whole recipe input as JSON (flags above override its fields)

Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings and
temporal.toml profiles (TEMPORAL_PROFILE), as for the Temporal CLI.

Exit codes: 0 ok; 1 the recipe reports a problem; 2 bad flags or input; 3 no server / connection
failed; 4 a wait timed out; 5 a COMPLETED result reads like an error; 6 the workflow closed with
another status (FAILED, ...); 7 workflow not found; 8 stalled workflows found; 9 still running;
130 interrupted.
`;

const options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  once: { type: 'boolean' },
  'no-recipe': { type: 'boolean' },
  'no-follow': { type: 'boolean' },
  'project-dir': { type: 'string' },
  'task-queue': { type: 'string' },
  'worker-command': { type: 'string' },
  'workflow-type': { type: 'string' },
  args: { type: 'string' },
  'workflow-id': { type: 'string' },
  starter: { type: 'string' },
  env: { type: 'string', multiple: true },
  'ready-timeout': { type: 'string' },
  'result-timeout': { type: 'string' },
  host: { type: 'string' },
  input: { type: 'string' },
  interactions: { type: 'string' },
  'expect-result': { type: 'string' },
  query: { type: 'string' },
  mode: { type: 'string' },
  'auto-approve': { type: 'boolean' },
  reject: { type: 'boolean' },
  by: { type: 'string' },
  every: { type: 'string' },
  id: { type: 'string' },
  delete: { type: 'boolean' },
} as const;

export type Command =
  | { name: 'help' }
  | { name: 'up'; once: boolean; runRecipe: boolean; json: boolean; input?: Record<string, unknown> }
  | { name: 'serve' }
  | { name: 'run'; recipe: string; json: boolean; follow: boolean; input: Record<string, unknown> }
  | { name: 'approve'; workflowId: string; approve: boolean; by: string; json: boolean }
  | {
      name: 'schedule';
      scheduleId: string;
      every: string;
      input: Record<string, unknown>;
      remove: boolean;
      json: boolean;
    }
  | { name: 'group'; group: 'worker' | 'workflows'; argv: string[] };

function usageError(message: string): ExitError {
  return new ExitError(`${message}\nRun "temporal-ops --help" for usage.`, ExitCode.usage);
}

function json(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw usageError(`--${flag}: expected JSON, got ${JSON.stringify(text)}`);
  }
}

function seconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw usageError(`--${flag}: expected a positive number of seconds, got "${text}"`);
  return value;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** `--input` as a fresh object (empty without the flag). */
function inputObject(v: Values): Record<string, unknown> {
  const base = v.input === undefined ? {} : json('input', v.input);
  if (typeof base !== 'object' || base === null || Array.isArray(base))
    throw usageError(`--input: expected a JSON object, got ${v.input}`);
  return { ...(base as Record<string, unknown>) };
}

/** Input of a sweeping recipe: `--input` plus `--query` and `--task-queue` (a filter here). */
function sweepInput(v: Values): Record<string, unknown> {
  const input = inputObject(v);
  if (v.query !== undefined) input.query = v.query;
  if (v['task-queue'] !== undefined) input.taskQueue = v['task-queue'];
  return input;
}

/** Builds CleanStart input from --input plus target flags; undefined when no target flag was given. */
export function targetInput(v: Values, cwd: string): Record<string, unknown> | undefined {
  const input = inputObject(v);
  if (v['project-dir'] !== undefined)
    input.projectDir = v['project-dir'].startsWith('/') ? v['project-dir'] : `${cwd}/${v['project-dir']}`;
  if (v['task-queue'] !== undefined) input.taskQueue = v['task-queue'];
  if (v['worker-command'] !== undefined) input.workerCommand = v['worker-command'];
  if (v['workflow-type'] !== undefined && v.starter !== undefined)
    throw usageError('--workflow-type and --starter: give one, not both');
  if (v['workflow-type'] === undefined && (v.args !== undefined || v['workflow-id'] !== undefined)) {
    throw usageError('--args and --workflow-id: only with --workflow-type');
  }
  if (v['workflow-type'] !== undefined) {
    const args = v.args === undefined ? [] : json('args', v.args);
    if (!Array.isArray(args)) throw usageError(`--args: expected a JSON array, got ${v.args}`);
    input.start = {
      workflowType: v['workflow-type'],
      args,
      ...(v['workflow-id'] ? { workflowId: v['workflow-id'] } : {}),
    };
  }
  if (v.starter !== undefined) input.start = { command: v.starter };
  const env = envPairs(v.env, usageError);
  if (env !== undefined) input.env = env;
  const ready = seconds('ready-timeout', v['ready-timeout']);
  if (ready !== undefined) input.readyTimeoutSeconds = ready;
  const result = seconds('result-timeout', v['result-timeout']);
  if (result !== undefined) input.resultTimeoutSeconds = result;
  if (v.host !== undefined) input.host = v.host;
  return Object.keys(input).length > 0 ? input : undefined;
}

/** Parses argv (without node and script) into a command. */
export function parseCommandLine(argv: string[], cwd = process.cwd()): Command {
  // Command groups parse their own flags.
  const first = argv.find((arg) => !arg.startsWith('-'));
  if (first === 'worker' || first === 'workflows')
    return { name: 'group', group: first, argv: argv.filter((arg, i) => i !== argv.indexOf(first)) };
  const { values: v, positionals } = parseFlags(argv, options, usageError);
  const words = positionals.join(' ');
  if (v.help || words === '' || words === 'help') return { name: 'help' };
  switch (words) {
    case 'up':
      return {
        name: 'up',
        once: v.once ?? false,
        runRecipe: !v['no-recipe'],
        json: v.json ?? false,
        input: targetInput(v, cwd),
      };
    case 'serve':
      return { name: 'serve' };
    case 'run clean-start':
    case 'run test-interactive': {
      const input = targetInput(v, cwd) ?? {};
      if (v.interactions !== undefined) input.interactions = json('interactions', v.interactions);
      if (v['expect-result'] !== undefined) input.expectResult = json('expect-result', v['expect-result']);
      return { name: 'run', recipe: positionals[1]!, json: v.json ?? false, follow: !v['no-follow'], input };
    }
    case 'schedule stall-sweep': {
      const input = sweepInput(v);
      const every = v.every ?? '5m';
      if (!/^\d+(\.\d+)?\s*(s|m|h|d|ms|seconds?|minutes?|hours?|days?)$/.test(every)) {
        throw usageError(`--every: expected a duration such as 30s, 5m or 1h, got "${every}"`);
      }
      return {
        name: 'schedule',
        scheduleId: v.id ?? 'temporal-ops-stall-sweep',
        every,
        input,
        remove: v.delete ?? false,
        json: v.json ?? false,
      };
    }
    case 'run clear-stalled': {
      const input = sweepInput(v);
      if (v.mode !== undefined) input.mode = v.mode;
      if (v['auto-approve']) input.autoApprove = true;
      if (v.host !== undefined) input.host = v.host;
      return { name: 'run', recipe: 'clear-stalled', json: v.json ?? false, follow: !v['no-follow'], input };
    }
    default:
      if (positionals[0] === 'approve' && positionals.length === 2) {
        return {
          name: 'approve',
          workflowId: positionals[1]!,
          approve: !v.reject,
          by: v.by ?? process.env.USER ?? 'cli',
          json: v.json ?? false,
        };
      }
      throw usageError(`unknown command "${words}"`);
  }
}
