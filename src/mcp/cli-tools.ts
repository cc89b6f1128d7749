// The MCP tools that are CLI commands: each tool's arguments map to that command's flags, so the
// tool runs the same code, defaults and checks as the command line. Descriptions come from the CLI's help.
import type { Command } from 'commander';
import { z } from 'zod';
import { incidentResult } from './incident-schema.js';

/**
 * How one argument becomes flags: text and numbers as values, flags as presence, JSON as text, env
 * as KEY=VALUE, lists as a repeated flag; `positional` is the command's argument (after `--`).
 */
type Kind = 'text' | 'number' | 'flag' | 'json' | 'env' | 'list' | 'positional';

interface Arg {
  /** The flag, or for a positional argument its name in the command's usage (`<dir>`). */
  flag: string;
  kind: Kind;
  required?: boolean;
  /** A positional argument's description (commander declares none for them). */
  description?: string;
}

export interface CliTool {
  name: string;
  /** The command's words. */
  command: string[];
  args: Record<string, Arg>;
  /** Used instead of the command's help where that names flags: a tool's description names its arguments. */
  description?: string;
  /** The shape of its --json result, when the tool's outputSchema says more than "any JSON". */
  result?: z.ZodType;
}

const text = (flag: string, required = false): Arg => ({ flag, kind: 'text', required });
const number = (flag: string): Arg => ({ flag, kind: 'number' });
const flag = (name: string): Arg => ({ flag: name, kind: 'flag' });
const json = (name: string): Arg => ({ flag: name, kind: 'json' });

const workerArgs = {
  projectDir: text('--project-dir'),
  project: text('--project'),
  taskQueue: text('--task-queue'),
  workerCommand: text('--worker-command'),
  env: { flag: '--env', kind: 'env' },
  readyTimeoutSeconds: number('--ready-timeout'),
  graceSeconds: number('--grace'),
  host: text('--host'),
} satisfies Record<string, Arg>;

const positional = (name: string, description: string): Arg => ({
  flag: name,
  kind: 'positional',
  required: true,
  description,
});
const list = (name: string): Arg => ({ flag: name, kind: 'list' });

const workflowArgs = { workflowId: text('--workflow-id', true), runId: text('--run-id') };

const incidentId = positional(
  '<id>',
  'The incident: incident-<hash> or the hash alone, as temporal-ops://incidents lists it.',
);

/** Every CLI-backed tool (argument names carry units where the flag's help does: `...Seconds`). */
export const CLI_TOOLS: CliTool[] = [
  {
    name: 'worker_ensure',
    command: ['worker', 'ensure'],
    args: workerArgs,
    description: "Stop this project's workers, start one fresh, wait until the server sees it poll.",
  },
  { name: 'worker_start', command: ['worker', 'start'], args: workerArgs },
  { name: 'worker_restart', command: ['worker', 'restart'], args: workerArgs },
  {
    name: 'worker_stop',
    command: ['worker', 'stop'],
    args: { project: text('--project'), projectDir: text('--project-dir'), graceSeconds: number('--grace') },
  },
  {
    name: 'worker_stop_all',
    command: ['worker', 'stop-all'],
    args: { includeServer: flag('--include-server') },
    description: 'Stop every worker we started (and the dev servers we started, with includeServer).',
  },
  {
    name: 'worker_list',
    command: ['worker', 'list'],
    args: { project: text('--project'), taskQueues: { flag: '--task-queue', kind: 'list' } },
  },
  { name: 'worker_health', command: ['worker', 'health'], args: { project: text('--project') } },
  {
    name: 'worker_logs',
    command: ['worker', 'logs'],
    args: { project: text('--project'), lines: number('--lines') },
    description: "The last `lines` lines of the project's worker log.",
  },
  {
    name: 'workflows_stalled',
    command: ['workflows', 'stalled'],
    args: {
      query: text('--query'),
      taskQueue: text('--task-queue'),
      policy: json('--policy'),
      concurrency: number('--concurrency'),
      stalledOnly: flag('--stalled-only'),
      explainWaits: flag('--explain-waits'),
    },
  },
  {
    name: 'workflows_analyze',
    command: ['workflows', 'analyze'],
    args: { ...workflowArgs, policy: json('--policy') },
  },
  {
    name: 'workflows_result',
    command: ['workflows', 'result'],
    args: { ...workflowArgs, resultRule: json('--result-rule') },
  },
  {
    name: 'workflows_wait',
    command: ['workflows', 'wait'],
    args: { ...workflowArgs, status: text('--status'), timeoutSeconds: number('--timeout') },
  },
  {
    name: 'workflows_recent',
    command: ['workflows', 'recent'],
    args: {
      minutes: number('--minutes'),
      query: text('--query'),
      limit: number('--limit'),
      resultRule: json('--result-rule'),
    },
  },
  {
    name: 'replay_check',
    command: ['replay-check'],
    args: {
      projectDir: text('--project-dir', true),
      taskQueue: text('--task-queue'),
      workerCommand: text('--worker-command'),
      max: number('--max'),
    },
  },
  {
    name: 'schedule_stall_sweep',
    command: ['schedule', 'stall-sweep'],
    description:
      'Create (or update in place) a Temporal Schedule that runs DebugStalled every interval; `delete: true` removes it. Overlapping sweeps are skipped; missed ones are not caught up.',
    args: {
      every: text('--every'),
      query: text('--query'),
      taskQueue: text('--task-queue'),
      id: text('--id'),
      delete: flag('--delete'),
      input: json('--input'),
      notify: list('--notify'),
      repeat: text('--repeat'),
    },
  },
  {
    name: 'project_add',
    command: ['project', 'add'],
    description:
      'Register a project directory (its real path) with its commands, so recipes may run it on this host; with taskQueue, add or replace the worker of that queue (a project may have several); without, re-adding replaces the default registration.',
    args: {
      projectDir: positional('<dir>', 'The project directory (absolute; its real path is registered).'),
      project: text('--project'),
      workerCommand: text('--worker-command'),
      startCommand: text('--start-command'),
      taskQueue: text('--task-queue'),
      allowShell: flag('--allow-shell'),
      envAllow: list('--env-allow'),
      passEnv: list('--pass-env'),
      allowSharedDir: flag('--allow-shared-dir'),
    },
  },
  {
    name: 'incident_ack',
    command: ['incidents', 'ack'],
    args: { id: incidentId, by: text('--by') },
    result: incidentResult,
  },
  {
    name: 'incident_snooze',
    command: ['incidents', 'snooze'],
    description:
      'Snooze an incident for a while (`for`: 30s, 5m, 1h); it opens again when that time is up (needs a running control worker).',
    args: { id: incidentId, for: text('--for', true), by: text('--by') },
    result: incidentResult,
  },
  { name: 'project_list', command: ['project', 'list'], args: {} },
  {
    name: 'project_remove',
    command: ['project', 'remove'],
    description:
      'Forget a project (refused while its worker runs), or with taskQueue only the worker of that queue.',
    args: {
      keyOrDir: positional('<key-or-dir>', 'The project key, or its directory.'),
      taskQueue: text('--task-queue'),
    },
  },
];

const schemaOf: Record<Kind, () => z.ZodType> = {
  text: () => z.string(),
  number: () => z.number(),
  flag: () => z.boolean(),
  json: () => z.record(z.string(), z.unknown()),
  env: () => z.record(z.string(), z.string()),
  list: () => z.array(z.string()),
  positional: () => z.string(),
};

function find(program: Command, words: string[]): Command {
  let command = program;
  for (const word of words) {
    const next = command.commands.find((c) => c.name() === word);
    if (!next) throw new Error(`no CLI command "${words.join(' ')}"`);
    command = next;
  }
  return command;
}

/** The tool's description and input shape, both from the command's own help. */
export function describeCliTool(
  tool: CliTool,
  program: Command,
): { description: string; shape: Record<string, z.ZodType> } {
  const command = find(program, tool.command);
  const shape: Record<string, z.ZodType> = {};
  for (const [key, arg] of Object.entries(tool.args)) {
    if (arg.kind === 'positional') {
      const declared = command.registeredArguments.some((a) => `<${a.name()}>` === arg.flag);
      if (!declared) throw new Error(`${tool.command.join(' ')} has no argument ${arg.flag}`);
      shape[key] = z.string().describe(`${arg.description ?? ''} (CLI: ${arg.flag})`);
      continue;
    }
    const option = command.options.find((o) => o.long === arg.flag);
    if (!option) throw new Error(`${tool.command.join(' ')} has no ${arg.flag}`);
    const schema = schemaOf[arg.kind]().describe(`${option.description} (CLI: ${option.flags})`);
    shape[key] = arg.required ? schema : schema.optional();
  }
  const description = tool.description ?? command.description();
  return { description: `${description} (CLI: temporal-ops ${tool.command.join(' ')})`, shape };
}

/** The command line a call stands for, --json included; `--flag=value` and positionals after `--`, so no value reads as a flag. */
export function cliArgv(tool: CliTool, args: Record<string, unknown>): string[] {
  const argv = [...tool.command];
  const positionals: string[] = [];
  for (const [key, arg] of Object.entries(tool.args)) {
    const value = args[key];
    if (value === undefined) continue;
    if (arg.kind === 'positional') positionals.push(String(value));
    else if (arg.kind === 'flag') {
      if (value === true) argv.push(arg.flag);
    } else if (arg.kind === 'json') argv.push(`${arg.flag}=${JSON.stringify(value)}`);
    else if (arg.kind === 'env')
      for (const [name, v] of Object.entries(value as Record<string, string>))
        argv.push(`${arg.flag}=${name}=${v}`);
    else if (arg.kind === 'list') for (const item of value as string[]) argv.push(`${arg.flag}=${item}`);
    else argv.push(`${arg.flag}=${String(value)}`);
  }
  argv.push('--json');
  if (positionals.length > 0) argv.push('--', ...positionals);
  return argv;
}
