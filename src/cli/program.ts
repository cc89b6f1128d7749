// The whole command tree, declared once on commander: names, options, help, argv -> options.
// Implementations load lazily inside the actions, so `--help` and a bad flag never load the Temporal SDK.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_SWEEP_SCHEDULE_ID } from '../contract/ops-workflows.js';
import { APPLIED_REMEDIES } from '../contract/debug-stalled-input.js';
import { INCIDENT_STATES, type IncidentState } from '../contract/incidents.js';
import type { ApproveOptions } from './commands/approve.js';
import type { IncidentListOptions, IncidentMoveOptions } from './commands/incidents.js';
import type { SchemaOptions } from './commands/schema.js';
import type { ReplayCheckCliOptions } from './commands/replay-check.js';
import type { ProjectAddOptions } from './commands/project.js';
import type { RunOptions } from './commands/run-recipe.js';
import type { ScheduleOptions } from './commands/schedule.js';
import type { ServeOptions } from './commands/serve.js';
import type { UpOptions } from './commands/up.js';
import type { EnsureOptions } from './commands/worker-ensure.js';
import type { HealthOptions } from './commands/worker-health.js';
import type { ListOptions } from './commands/worker-list.js';
import type { LogsOptions } from './commands/worker-logs.js';
import type { StopOptions } from './commands/worker-stop.js';
import type { StalledOptions } from './commands/workflows-stalled.js';
import type { WaitOptions } from './commands/workflows-wait.js';
import type { CompletionOptions } from './commands/completion.js';
import { completionScript, SHELLS, type Shell } from './completion.js';
import type { CommandFn } from './context.js';
import { DEFAULTS } from '../defaults.js';
import { addGlobalFlags, type GlobalFlags } from './global-flags.js';
import {
  checkRecentInput,
  debugStalledInput,
  recipeInput,
  sweepInput,
  autoRemedyInput,
  usageError,
  workerProject,
  workerTarget,
  type RawRecipeFlags,
  type RawWorkerFlags,
  type Where,
} from './options.js';
import {
  collect,
  commandTimeout,
  envPair,
  interval,
  json,
  jsonArray,
  jsonObject,
  listenAddress,
  notifySink,
  remedyKind,
  numberAtLeast,
  positive,
  repeatSeconds,
} from './values.js';

/** One parsed command line: which command, with which options. */
export interface Call {
  /** The command's words, e.g. `worker ensure`. */
  path: string;
  options: unknown;
  /** --json was given: the output object prints JSON. */
  json: boolean;
  /** The global flags (connection, -o, --color, --time-format, --command-timeout, --log-level). */
  globals: GlobalFlags;
  load(): Promise<CommandFn<never>>;
}

/** Runs (or, in tests, records) a parsed call. */
export type Invoke = (call: Call) => Promise<void>;

// What commander parsed for one command; each mapper reads the flags that command declares.
type Raw = Record<string, unknown>;
/** Declares a command; without `map`, its options are its flags as commander names them (less --json). */
type Leaf = <O>(
  parent: Command,
  nameAndArgs: string,
  description: string,
  load: () => Promise<CommandFn<O>>,
  map?: (raw: Raw, args: string[]) => O,
) => Command;

const FOOTER = `
Exit codes: 0 ok; 1 the recipe reports a problem, or a worker is unhealthy; 2 bad flags, input or
connection settings (a missing --profile, an unreadable --tls-* file); 3 no server answers, or the
connection failed; 4 a wait timed out, or --command-timeout passed; 5 a COMPLETED result reads like an
error; 6 the workflow closed with another status (FAILED, ...); 7 not found; 8 stalled workflows found;
9 still running; 10 an open workflow would break on the current code (replay-check); 11 the namespace
does not exist; 12 the server refused the credentials; 130 interrupted.

Connection: flag, then TEMPORAL_* environment variable, then temporal.toml profile, as for the
Temporal CLI (--address, -n, --api-key, --tls*, --profile, --config-file go before or after the command).
Shell completion: temporal-ops completion bash|zsh|fish.`;

const jsonFlag = (c: Command) => c.option('--json', 'print the result as JSON');

const metricsFlag = [
  '--metrics <address>',
  "serve Prometheus metrics (the SDK's and ours) at http://ADDRESS/metrics, e.g. 127.0.0.1:9464",
  listenAddress,
] as const;
const metricsOption = (raw: Raw): { metrics?: string } =>
  raw.metrics === undefined ? {} : { metrics: raw.metrics as string };

const inputFlag = (c: Command) =>
  c.option(
    '--input <json>',
    'the whole recipe input as a JSON object (flags override its fields)',
    jsonObject,
  );

/** --project-dir ... --input: what CleanStart and TestInteractive take (their result timeouts differ). */
function targetFlags(c: Command, resultTimeoutSeconds: number = DEFAULTS.resultTimeoutSeconds): Command {
  return c
    .option('--project-dir <dir>', 'target project directory (absolute, or relative to the current dir)')
    .option(
      '--project <name>',
      "project name for pid and log files (default: the directory's name, or a free variant of it)",
    )
    .option('--task-queue <queue>', 'target task queue')
    .option(
      '--worker-command <cmd>',
      `command that starts the worker (default $TEMPORAL_WORKER_CMD, else "${DEFAULTS.workerCommand}")`,
    )
    .option('--workflow-type <type>', 'start this workflow type (with --args and --workflow-id) ...')
    .option('--args <json>', 'arguments of --workflow-type, a JSON array', jsonArray)
    .option('--workflow-id <id>', 'workflow ID for --workflow-type')
    .option(
      '--starter <cmd>',
      '... or run this starter command: its "Workflow ID: ...", else the one workflow it started on the queue',
    )
    .option(
      '--by-worker',
      '... or the worker command starts the workflow itself (one file that is worker and starter): the run it started',
    )
    .option('--env <KEY=VALUE>', 'extra environment for the worker and starter (repeatable)', envPair)
    .option(
      '--ready-timeout <sec>',
      `how long the fresh worker may take to poll (default ${DEFAULTS.readyTimeoutSeconds})`,
      positive(),
    )
    .option(
      '--result-timeout <sec>',
      `how long to wait for the target workflow (default ${resultTimeoutSeconds})`,
      positive(),
    )
    .option('--host <host>', 'run process steps on the control worker of HOST')
    .option(
      '--input <json>',
      'the whole recipe input as a JSON object (flags override its fields)',
      jsonObject,
    );
}

/** The flags of worker ensure / start / restart. */
function workerFlags(c: Command): Command {
  return c
    .option(
      '--project-dir <dir>',
      'project directory (default $TEMPORAL_OPS_PROJECT_DIR, else the current dir)',
    )
    .option('--project <name>', "project name (default $TEMPORAL_OPS_PROJECT, else the directory's name)")
    .option('--task-queue <queue>', 'task queue the worker polls (default $TEMPORAL_TASK_QUEUE)')
    .option(
      '--worker-command <cmd>',
      `command that starts the worker (default $TEMPORAL_WORKER_CMD, else "${DEFAULTS.workerCommand}")`,
    )
    .option('--env <KEY=VALUE>', 'extra environment for the worker (repeatable)', envPair)
    .option(
      '--ready-timeout <sec>',
      `how long the fresh worker may take to poll (default $TEMPORAL_OPS_READY_TIMEOUT_MS / 1000, else ${DEFAULTS.readyTimeoutSeconds})`,
      numberAtLeast(1),
    )
    .option(
      '--grace <sec>',
      `SIGTERM to SIGKILL (default $TEMPORAL_OPS_GRACE_MS / 1000, else ${DEFAULTS.graceSeconds})`,
      numberAtLeast(0),
    )
    .option('--host <host>', 'run on machine HOST through its control worker (--project-dir absolute there)')
    .option('--json', 'print the result as JSON');
}

function ensureOptions(mode: EnsureOptions['mode'], raw: Raw, where: Where): EnsureOptions {
  const target = workerTarget(raw as RawWorkerFlags, where, mode === 'restart');
  if (mode !== 'restart' && !target.taskQueue)
    throw usageError(`worker ${mode}: --task-queue is required (or set TEMPORAL_TASK_QUEUE)`);
  if (raw.maxRestarts !== undefined && raw.supervise !== true)
    throw usageError('--max-restarts: only with --supervise');
  return {
    mode,
    target,
    ...(raw.supervise === true && {
      supervise: { maxRestarts: (raw.maxRestarts as number | undefined) ?? DEFAULTS.maxRestarts },
    }),
  };
}

function declareRun(run: Command, leaf: Leaf, where: Where): void {
  const runLeaf = (
    name: RunOptions['recipe'],
    description: string,
    input: (raw: Raw) => RunOptions['input'],
  ) =>
    jsonFlag(
      leaf(
        run,
        name,
        description,
        async () => (await import('./commands/run-recipe.js')).runRecipeCommand,
        (raw): RunOptions => ({ recipe: name, input: input(raw), follow: raw.follow !== false }),
      ).option(
        '--no-follow',
        'print no steps: wait for the report, or for a plan that needs approval, print it with its ID and exit 0',
      ),
    );
  targetFlags(
    runLeaf(
      'clean-start',
      'Start CleanStart: stop the workers proven ours, start one fresh, wait until it polls, start the target workflow, check its result.',
      (raw) => recipeInput(raw as RawRecipeFlags, where) ?? {},
    ),
  );
  targetFlags(
    runLeaf(
      'test-interactive',
      'Start TestInteractive: a fresh worker, the interactive workflow, each signal / update / query in order, the result compared with --expect-result, the worker stopped.',
      (raw) => ({
        ...recipeInput(raw as RawRecipeFlags, where),
        ...(raw.interactions !== undefined && { interactions: raw.interactions }),
        ...(raw.expectResult !== undefined && { expectResult: raw.expectResult }),
        ...(raw.cleanupTarget !== undefined && { cleanupTarget: raw.cleanupTarget }),
      }),
    ),
    DEFAULTS.interactiveResultTimeoutSeconds,
  )
    .option(
      '--interactions <json>',
      `signals, updates and queries in order, e.g. '[{"update":"set_note","args":["hi"],"expect":1},{"signal":"approve","args":[{}]}]'`,
      jsonArray,
    )
    .option('--expect-result <json>', 'the result the workflow must return (JSON)', json)
    .addOption(
      new Option(
        '--cleanup-target <how>',
        'when the test fails with the target still running: terminate it (default) or leave it running',
      ).choices(['terminate', 'leave']),
    );
  inputFlag(
    runLeaf(
      'clear-stalled',
      'Start ClearStalledEnvironment: plan terminate / cancel for each stalled workflow (healthy waits untouched), or with --action for every running workflow that --query / --pattern select (ops workflows never); wait for approval unless --auto-approve, carry out the plan.',
      (raw) => ({
        ...sweepInput(raw),
        ...(raw.pattern !== undefined && { pattern: raw.pattern }),
        ...(raw.action !== undefined && { action: raw.action }),
        ...(raw.mode !== undefined && { mode: raw.mode }),
        ...(raw.max !== undefined && { maxWorkflows: raw.max }),
        ...(raw.autoApprove === true && { autoApprove: true }),
        ...(raw.host !== undefined && { host: raw.host }),
      }),
    )
      .option('--query <query>', 'visibility query selecting the workflows to sweep')
      .option('--task-queue <queue>', 'sweep only this task queue')
      .option(
        '--pattern <glob>',
        'with --action: workflow IDs matching this glob ("order-*"), or this prefix',
      )
      .addOption(
        new Option(
          '--action <action>',
          'bulk: cancel or terminate EVERY running workflow selected, whatever its verdict',
        ).choices(['cancel', 'terminate']),
      )
      .addOption(
        new Option('--mode <mode>', 'what to do with stalled runs').choices(['auto', 'terminate', 'cancel']),
      )
      .option(
        '--max <n>',
        `refuse when more than N workflows are selected (default ${DEFAULTS.clearMax})`,
        positive(true),
      )
      .option('--auto-approve', 'carry out the plan without waiting for approval')
      .option('--host <host>', 'run process steps on the control worker of HOST'),
  );
  inputFlag(
    runLeaf(
      'debug-stalled',
      'Start DebugStalled: a verdict, evidence and remedy per stalled workflow; with --act, plan the remedies, wait for approval (and the code fix), apply them and verify each.',
      (raw) => debugStalledInput(raw as RawRecipeFlags & Raw, where),
    )
      .option('--query <query>', 'visibility query selecting the workflows to sweep')
      .option(
        '--task-queue <queue>',
        "sweep only this task queue; with --act, the queue of the project's worker",
      )
      .option('--workflow-id <id>', 'analyze (and with --act remedy) this one workflow')
      .option('--act', 'apply the remedies after approval and verify them')
      .option('--auto-approve', 'with --act: apply without waiting for approval')
      .option('--reset-attempts', 'with --act: an unpaused activity also starts again from attempt 1')
      .option('--project-dir <dir>', 'with --act: the project whose worker is restarted')
      .option('--project <name>', 'with --act: the project name (default: the directory name)')
      .option('--worker-command <cmd>', 'with --act: command that starts the worker')
      .option(
        '--wait-for-fix <sec>',
        `with --act: how long to wait for a code change (default ${DEFAULTS.waitForFixSeconds}: fixed already)`,
        numberAtLeast(0),
      )
      .addOption(
        new Option('--non-determinism <how>', 'with --act: remedy for a diverged run').choices([
          'terminate',
          'reset',
        ]),
      )
      .option('--no-rerun', 'with --act: do not start a new run after a terminate')
      .option(
        '--verify <sec>',
        `with --act: how long to watch each remedy (default ${DEFAULTS.verifySeconds})`,
        positive(),
      )
      .option('--host <host>', 'run process steps on the control worker of HOST'),
  );
  inputFlag(
    runLeaf(
      'check-recent',
      'Start CheckRecentResults: check the result of every target workflow that closed in the last --minutes (COMPLETED but reading like an error, FAILED, TIMED_OUT, TERMINATED, CANCELED).',
      (raw) => checkRecentInput(raw),
    )
      .option('--minutes <n>', `how far back (default ${DEFAULTS.recentMinutes})`, positive())
      .option('--task-queue <queue>', 'only workflows on this task queue')
      .option('--query <query>', 'visibility filter ANDed with the window')
      .option('--workflow-type <type>', 'only this workflow type (repeatable)', collect, []),
  );
}

function declareWorker(worker: Command, leaf: Leaf, where: Where): void {
  const ensure = (mode: EnsureOptions['mode'], description: string) =>
    workerFlags(
      leaf(
        worker,
        mode,
        description,
        async () => (await import('./commands/worker-ensure.js')).workerEnsure,
        (raw) => ensureOptions(mode, raw, where),
      ),
    );
  ensure(
    'ensure',
    "Stop this project's workers, start one fresh, wait until the server sees it poll; --supervise stays in the foreground and restarts it after crashes.",
  )
    .option(
      '--supervise',
      'restart the worker after crashes, with backoff, until Ctrl-C (the worker keeps running)',
    )
    .option(
      '--max-restarts <n>',
      `with --supervise: give up after N restarts in a row (default ${DEFAULTS.maxRestarts})`,
      numberAtLeast(0, true),
    );
  ensure('start', 'Start a worker and wait until it polls, unless one of ours already runs for the project.');
  ensure(
    'restart',
    'Stop and start again with the recorded command, task queue and env (flags override them).',
  );
  jsonFlag(
    leaf(
      worker,
      'stop',
      "Stop the project's workers proven ours: SIGTERM to the group, grace, SIGKILL, verified gone.",
      async () => (await import('./commands/worker-stop.js')).workerStop,
      (raw): StopOptions => {
        const { project, graceMs } = workerTarget(raw as RawWorkerFlags, where);
        const taskQueue = (raw as { taskQueue?: string }).taskQueue;
        return { project, graceMs, ...(taskQueue === undefined ? {} : { taskQueue }) };
      },
    )
      .option('--project <name>', "project name (default $TEMPORAL_OPS_PROJECT, else the directory's name)")
      .option(
        '--project-dir <dir>',
        'project directory (default $TEMPORAL_OPS_PROJECT_DIR, else the current dir)',
      )
      .option(
        '--task-queue <queue>',
        "only the worker of this task queue (default: all the project's workers)",
      )
      .option(
        '--grace <sec>',
        'SIGTERM to SIGKILL (default $TEMPORAL_OPS_GRACE_MS / 1000, else 5)',
        numberAtLeast(0),
      ),
  );
  jsonFlag(
    leaf(
      worker,
      'stop-all',
      'Stop every worker we started (and the dev servers we started, with --include-server).',
      async () => (await import('./commands/stop-all.js')).workerStopAll,
    ).option('--include-server', 'also stop the dev servers we started'),
  );
  jsonFlag(
    leaf(
      worker,
      'list',
      'Our workers (state, uptime, RSS, pollers, code fingerprint, log), then every poller of their task queues: ours, ours-stale, foreign, silent, ghost.',
      async () => (await import('./commands/worker-list.js')).workerList,
      (raw): ListOptions => ({
        project: workerProject(raw),
        taskQueues: (raw.taskQueue as string[] | undefined) ?? [],
      }),
    )
      .option('--project <name>', 'only this project')
      .option('--task-queue <queue>', 'also classify the pollers of this task queue (repeatable)', collect),
  );
  jsonFlag(
    leaf(
      worker,
      'health',
      'Alive, polling, uptime, restarts, RSS and CPU, last errors in the log. Exit 1 if unhealthy.',
      async () => (await import('./commands/worker-health.js')).workerHealth,
      (raw): HealthOptions => ({ project: workerProject(raw) }),
    ).option('--project <name>', 'only this project'),
  );
  jsonFlag(
    leaf(
      worker,
      'logs',
      "The end of the project's worker log; --follow prints new lines until Ctrl-C.",
      async () => (await import('./commands/worker-logs.js')).workerLogs,
      (raw): LogsOptions => ({
        project: workerProject(raw),
        lines: (raw.lines as number | undefined) ?? DEFAULTS.logTailLines,
        follow: raw.follow === true,
      }),
    )
      .option('--project <name>', 'the project (default: the only one recorded, else the current dir)')
      .option(
        '--lines <n>',
        `how many lines of the end (default ${DEFAULTS.logTailLines})`,
        numberAtLeast(0, true),
      )
      .option('-f, --follow', 'keep printing appended lines until Ctrl-C'),
  );
}

function incidentState(value: string): IncidentState {
  const state = INCIDENT_STATES.find((s) => s === value);
  if (!state) throw new InvalidArgumentError(`expected one of ${INCIDENT_STATES.join(', ')}`);
  return state;
}

function declareIncidents(incidents: Command, leaf: Leaf, where: Where): void {
  const load = (name: 'incidentsAck' | 'incidentsSnooze' | 'incidentsResolve') => async () =>
    (await import('./commands/incidents.js'))[name];
  const moveOptions = (raw: Raw, args: string[]): IncidentMoveOptions => ({
    id: args[0] ?? '',
    by: (raw.by as string | undefined) ?? (where.env.USER || 'cli'),
    ...(raw.for === undefined ? {} : { forMs: raw.for as number }),
    ...(raw.reason === undefined ? {} : { reason: raw.reason as string }),
  });
  const byFlag = (c: Command) => jsonFlag(c.option('--by <name>', 'who answers (default: $USER)'));
  jsonFlag(
    leaf(
      incidents,
      'list',
      'List incidents, newest first: by default the unresolved ones (open, reopened, acknowledged, snoozed).',
      async () => (await import('./commands/incidents.js')).incidentsList,
      (raw): IncidentListOptions => ({
        ...(raw.all === true
          ? { states: [] }
          : raw.state === undefined
            ? {}
            : { states: raw.state as IncidentState[] }),
        limit: (raw.limit as number | undefined) ?? DEFAULTS.incidentListLimit,
      }),
    )
      .option(
        '--state <state>',
        `only incidents in this state: ${INCIDENT_STATES.join(', ')} (repeatable)`,
        (value: string, previous: IncidentState[] | undefined) => [...(previous ?? []), incidentState(value)],
      )
      .option('--all', 'every state, resolved included')
      .option('--limit <n>', `at most this many (default ${DEFAULTS.incidentListLimit})`, positive(true)),
  );
  jsonFlag(
    leaf(
      incidents,
      'show <id>',
      'Show one incident: its run, verdict, failure signature, remedy, counts and history (exit 7 when unknown).',
      async () => (await import('./commands/incidents.js')).incidentsShow,
      (_raw, args) => ({ id: args[0] ?? '' }),
    ),
  );
  byFlag(
    leaf(
      incidents,
      'ack <id>',
      'Acknowledge an incident: it stays acknowledged through later sweeps until it is resolved (needs a running control worker).',
      load('incidentsAck'),
      moveOptions,
    ),
  );
  byFlag(
    leaf(
      incidents,
      'snooze <id>',
      'Snooze an incident for a while (--for 1h); it opens again when that time is up (needs a running control worker).',
      load('incidentsSnooze'),
      (raw, args) => {
        if (raw.for === undefined) throw usageError('incidents snooze: --for is required (e.g. --for 1h)');
        return moveOptions(raw, args);
      },
    ).option('--for <duration>', 'how long, at least 1s (30s, 5m, 1h)', (text: string) =>
      commandTimeout(interval(text)),
    ),
  );
  byFlag(
    leaf(
      incidents,
      'resolve <id>',
      'Resolve an incident by hand; a sweep that finds the same stall again reopens it (needs a running control worker).',
      load('incidentsResolve'),
      moveOptions,
    ).option('--reason <text>', 'why it is resolved (default: resolved by hand)'),
  );
}

function declareWorkflows(workflows: Command, leaf: Leaf): void {
  const id = (c: Command) =>
    c
      .requiredOption('-w, --workflow-id <id>', 'the workflow')
      .option('-r, --run-id <id>', 'one run of it (default: the latest)');
  const policy = '--policy <json>';
  const policyHelp = 'diagnosis thresholds, e.g. {"noWorkerAfterMs": 10000, "retryStormAttempts": 3}';
  const rule = '--result-rule <json>';
  const ruleHelp =
    'what reads like an error: {"statusKeys", "errorValues", "errorKeys", "falseMeansError", "stringPrefixes"}';
  jsonFlag(
    leaf(
      workflows,
      'stalled',
      'Diagnose every running target workflow: one finding per run with verdict, evidence and remedy. Exit 8 when any run is stalled, 1 when some run could not be described.',
      async () => (await import('./commands/workflows-stalled.js')).workflowsStalled,
      (raw): StalledOptions => ({
        query: raw.query as string | undefined,
        taskQueue: raw.taskQueue as string | undefined,
        policy: raw.policy as StalledOptions['policy'],
        concurrency: raw.concurrency as number | undefined,
        stalledOnly: raw.stalledOnly === true,
        explainIdle: raw.explainWaits === true,
      }),
    )
      .option('--query <query>', 'visibility query narrowing the running workflows')
      .option('--task-queue <queue>', 'only this task queue')
      .option(policy, policyHelp, jsonObject)
      .option(
        '--concurrency <n>',
        `describe calls in flight (default ${DEFAULTS.sweepConcurrency})`,
        positive(true),
      )
      .option('--stalled-only', 'JSON: print only stalled findings')
      .option('--explain-waits', 'read the last events of idle runs to tell timer waits from signal waits'),
  );
  jsonFlag(
    id(
      leaf(
        workflows,
        'analyze',
        "One workflow, any status: its finding, how it closed, our worker's log lines about it. Exit 8 when stalled, 7 when not found.",
        async () => (await import('./commands/workflows-analyze.js')).workflowsAnalyze,
      ),
    ).option(policy, policyHelp, jsonObject),
  );
  jsonFlag(
    id(
      leaf(
        workflows,
        'result',
        'The decoded result of a closed workflow. Exit 5 when COMPLETED but it reads like an error, 6 when closed otherwise, 9 while running, 7 when not found.',
        async () => (await import('./commands/workflows-result.js')).workflowsResult,
      ),
    ).option(rule, ruleHelp, jsonObject),
  );
  jsonFlag(
    id(
      leaf(
        workflows,
        'wait',
        'Long-poll until the workflow has one of the statuses. Exit 0 reached, 6 closed otherwise, 4 timed out, 7 not found.',
        async () => (await import('./commands/workflows-wait.js')).workflowsWait,
        (raw): WaitOptions => ({
          workflowId: raw.workflowId as string,
          runId: raw.runId as string | undefined,
          statuses: String(raw.status)
            .split(',')
            .map((s) => s.trim().toUpperCase())
            .filter(Boolean),
          timeoutMs: (raw.timeout as number) * 1000,
        }),
      ),
    )
      .option(
        '--status <S[,S...]>',
        'the statuses to wait for (RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW)',
        'COMPLETED',
      )
      .option('--timeout <sec>', 'give up after this long', positive(), DEFAULTS.waitTimeoutSeconds),
  );
  jsonFlag(
    leaf(
      workflows,
      'recent',
      'Workflows started or closed in the last N minutes, with status and result check. Exit 5 when a COMPLETED result reads like an error.',
      async () => (await import('./commands/workflows-recent.js')).workflowsRecent,
    )
      .option('--minutes <n>', 'how far back', positive(), DEFAULTS.recentListMinutes)
      .option('--query <query>', 'visibility query narrowing the list')
      .option('--limit <n>', `at most this many rows (default ${DEFAULTS.recentListRows})`, positive(true))
      .option(rule, ruleHelp, jsonObject),
  );
}

/**
 * Starts the MCP server over the CLI's own tree. The server sits above the CLI (it runs each tool
 * as a command), so the entry point hands it in; without it, `mcp` answers with a usage error.
 */
export type McpLoader = (tree: (invoke: Invoke) => Command) => Promise<CommandFn<unknown>>;

/** `temporal-ops --version` (alone on the line: runCli dispatches it, commander only lists the flag). */
export const VERSION_FLAGS: readonly string[] = ['--version', '-V'];
export const versionCall: Call = {
  path: 'version',
  options: {},
  json: false,
  globals: {},
  load: async () => (await import('./commands/version.js')).version,
};

/** Builds the tree; each action maps its flags to options (paths and defaults from `where`) and hands them to `invoke`. */
export function buildProgram(invoke: Invoke, where: Where, mcp?: McpLoader): Command {
  const program = addGlobalFlags(
    new Command('temporal-ops')
      .description('Temporal-native ops recipes for Python Temporal projects.')
      .option(
        '-V, --version',
        'print the versions of temporal-ops and of the Temporal CLI and server it finds',
      )
      .addHelpText('after', FOOTER)
      .configureHelp({ showGlobalOptions: true })
      .showSuggestionAfterError(),
  );
  const leaf: Leaf = (parent, nameAndArgs, description, load, map) => {
    const command = parent.command(nameAndArgs).description(description);
    return command.action(async () => {
      const { json = false, ...raw } = command.opts<Raw & { json?: boolean }>();
      const words: string[] = [];
      for (let c: Command | null = command; c?.parent; c = c.parent) words.unshift(c.name());
      await invoke({
        path: words.join(' '),
        options: map ? map(raw, command.args) : raw,
        json,
        globals: program.opts<GlobalFlags>(),
        load: load as () => Promise<CommandFn<never>>,
      });
    });
  };
  const group = (name: string, description: string) => program.command(name).description(description);

  jsonFlag(
    targetFlags(
      leaf(
        program,
        'up',
        'Ensure a server (starts a local dev server if none answers), run the control worker, run CleanStart against the target (default: the bundled example), serve until Ctrl-C.',
        async () => (await import('./commands/up.js')).up,
        (raw): UpOptions => ({
          recipeInput: recipeInput(raw as RawRecipeFlags, where),
          runRecipe: raw.recipe !== false,
          once: raw.once === true,
          ...metricsOption(raw),
        }),
      )
        .option('--once', 'exit after the recipe instead of serving')
        .option('--no-recipe', 'run no recipe, only serve')
        .option(...metricsFlag),
    ),
  );
  leaf(
    program,
    'serve',
    'Run the control worker only (task queues temporal-ops and temporal-ops@<host>).',
    async () => (await import('./commands/serve.js')).serve,
    (raw): ServeOptions => metricsOption(raw),
  ).option(...metricsFlag);
  declareRun(
    group('run', 'Start a recipe on a running control worker and follow its steps live.'),
    leaf,
    where,
  );
  const projects = group(
    'project',
    'Projects registered on this host: what recipes from a shared server may run here.',
  );
  jsonFlag(
    leaf(
      projects,
      'add <dir>',
      'Register a project directory (its real path) with its commands; with --task-queue, add or replace the worker of that queue (a project may have several); without, re-adding replaces the default registration.',
      async () => (await import('./commands/project.js')).projectAdd,
      (raw, args): ProjectAddOptions => ({
        projectDir: args[0] ?? '',
        ...(raw.project === undefined ? {} : { project: raw.project as string }),
        ...(raw.workerCommand === undefined ? {} : { workerCommand: raw.workerCommand as string }),
        ...(raw.startCommand === undefined ? {} : { starterCommand: raw.startCommand as string }),
        ...(raw.taskQueue === undefined ? {} : { taskQueue: raw.taskQueue as string }),
        allowShell: raw.allowShell === true,
        ...(raw.envAllow === undefined ? {} : { envAllow: raw.envAllow as string[] }),
        ...(raw.passEnv === undefined ? {} : { passEnv: raw.passEnv as string[] }),
        ...(raw.allowSharedDir === true ? { allowSharedDir: true } : {}),
      }),
    )
      .option('--project <name>', 'the project key (default: the directory name)')
      .option('--worker-command <cmd>', 'the command that starts its worker (default: TEMPORAL_WORKER_CMD)')
      .option('--start-command <cmd>', 'the command that starts its workflow (a starter)')
      .option(
        '--task-queue <queue>',
        "the task queue this worker polls: registers the project's worker for that queue, keeping its other workers",
      )
      .option('--allow-shell', 'let its commands use shell syntax')
      .option(
        '--env-allow <name>',
        'an environment name recipe input may set for it beyond the default allow-list (NAME or PREFIX_*; repeatable)',
        collect,
      )
      .option(
        '--pass-env <name>',
        'a connection secret its processes inherit, e.g. TEMPORAL_API_KEY (repeatable)',
        collect,
      )
      .option(
        '--allow-shared-dir',
        'run it although its directory is world-writable or owned by another user',
      ),
  );
  jsonFlag(
    leaf(
      projects,
      'list',
      'List the projects this host knows (registered, or seen by a recipe).',
      async () => (await import('./commands/project.js')).projectList,
      () => ({}),
    ),
  );
  jsonFlag(
    leaf(
      projects,
      'remove <key-or-dir>',
      'Forget a project (refused while its worker runs), or with --task-queue only the worker of that queue.',
      async () => (await import('./commands/project.js')).projectRemove,
      (raw, args) => ({
        keyOrDir: args[0] ?? '',
        ...(raw.taskQueue === undefined ? {} : { taskQueue: raw.taskQueue as string }),
      }),
    ).option('--task-queue <queue>', 'forget only the worker registered for this task queue'),
  );
  jsonFlag(
    leaf(
      group('schedule', 'Temporal Schedules that run recipes.'),
      'stall-sweep',
      'Create (or update in place) a Temporal Schedule that runs DebugStalled every interval and reports its findings to the incidents (temporal-ops incidents list); --delete removes it. Overlapping sweeps are skipped; missed ones are not caught up.',
      async () => (await import('./commands/schedule.js')).scheduleStallSweep,
      (raw): ScheduleOptions => ({
        scheduleId: raw.id as string,
        every: raw.every as string,
        input: {
          ...sweepInput(raw),
          ...autoRemedyInput(raw, where),
          ...(raw.notify === undefined ? {} : { notify: raw.notify as string[] }),
          ...(raw.repeat === undefined ? {} : { notifyRepeatSeconds: raw.repeat as number }),
        },
        remove: raw.delete === true,
      }),
    )
      .option('--every <duration>', 'interval between sweeps, at least 1s (30s, 5m, 1h)', interval, '5m')
      .option(
        '--notify <sink>',
        'send one message per sweep about incidents opened, reopened, resolved or still open to an http(s) URL (JSON), slack+https://… or a hooks.slack.com URL (Slack), or cmd:<command> (run on this host under its policy); repeatable',
        notifySink,
      )
      .option(
        '--repeat <duration>',
        `with --notify: notify again about an incident still open (not acknowledged or snoozed) after this long (default ${DEFAULTS.notifyRepeatSeconds / 3600}h)`,
        repeatSeconds,
      )
      .option(
        '--auto-remedy <kind>',
        `apply remedies of this kind on its own, without approval (${APPLIED_REMEDIES.join(', ')}; repeatable), to the project of --project-dir, each recorded on its incident`,
        remedyKind,
      )
      .option(
        '--project-dir <dir>',
        'with --auto-remedy: the project whose worker it starts (default: the current dir)',
      )
      .option('--worker-command <cmd>', 'with --auto-remedy: command that starts the worker')
      .option('--query <query>', 'visibility query selecting the workflows to sweep')
      .option('--task-queue <queue>', 'sweep only this task queue')
      .option('--id <id>', 'schedule ID', DEFAULT_SWEEP_SCHEDULE_ID)
      .option('--delete', 'delete the schedule instead')
      .option(
        '--input <json>',
        'the whole DebugStalled input as a JSON object (flags override its fields)',
        jsonObject,
      ),
  );
  declareIncidents(
    group(
      'incidents',
      'Incidents the scheduled stall sweep keeps (Incident workflows in the bookkeeping namespace): list, show, acknowledge, snooze, resolve.',
    ),
    leaf,
    where,
  );
  jsonFlag(
    leaf(
      program,
      'approve <workflow-id>',
      'Approve (or reject) the plan a recipe is waiting on; shows the plan first. Approving needs --plan-id (the plan you read), or a yes at a terminal.',
      async () => (await import('./commands/approve.js')).approvePlan,
      (raw, args): ApproveOptions => ({
        workflowId: args[0] ?? '',
        ...(raw.planId === undefined ? {} : { planId: raw.planId as string }),
        approve: raw.reject !== true,
        by: (raw.by as string | undefined) ?? (where.env.USER || 'cli'),
        ...(raw.choice === undefined ? {} : { choice: raw.choice as string }),
      }),
    )
      .option('--plan-id <id>', 'the plan ID shown with the plan: only that plan is approved')
      .option('--reject', 'reject the plan instead')
      .option(
        '--choice <choice>',
        'the choice to approve, when the plan offers several (e.g. restart-anyway)',
      )
      .option('--by <name>', 'who answers (default: $USER)'),
  );
  jsonFlag(
    leaf(
      program,
      'replay-check',
      "Replay the open workflows of a task queue against the project's current code (its own worker command and registrations). Exit 10 when some would break.",
      async () => (await import('./commands/replay-check.js')).replayCheckCommand,
      (raw): ReplayCheckCliOptions => ({
        projectDir: resolve(where.cwd, (raw.projectDir as string | undefined) ?? '.'),
        ...(raw.taskQueue === undefined ? {} : { taskQueue: raw.taskQueue as string }),
        ...(raw.workerCommand === undefined ? {} : { workerCommand: raw.workerCommand as string }),
        ...(raw.max === undefined ? {} : { max: raw.max as number }),
      }),
    )
      .option('--project-dir <dir>', 'the project (default: the current directory)')
      .option('--task-queue <queue>', "its worker's task queue (default: registered or recorded)")
      .option(
        '--worker-command <cmd>',
        'the command that starts its worker (default: registered, else the one recorded for the directory, else TEMPORAL_WORKER_CMD)',
      )
      .option(
        '--max <n>',
        `replay at most this many open workflows, newest first (default ${DEFAULTS.replayMax})`,
        positive(true),
      ),
  );
  leaf(
    program,
    'mcp',
    'Serve the Model Context Protocol over stdio for coding agents: the worker, workflows and recipe commands as tools.',
    async () => {
      if (!mcp) throw usageError('the MCP server is served by the temporal-ops executable only');
      return mcp((invoke) => buildProgram(invoke, where));
    },
  );
  leaf(
    program,
    'completion <shell>',
    'Print the shell completion script for bash, zsh or fish, e.g. source <(temporal-ops completion bash), or temporal-ops completion fish | source.',
    async () => (await import('./commands/completion.js')).printCompletion,
    (_raw, args): CompletionOptions => {
      const shell = args[0] as Shell;
      if (!SHELLS.includes(shell))
        throw usageError(`completion: expected bash, zsh or fish, got "${args[0]}"`);
      return { script: completionScript(shell, program) };
    },
  );
  leaf(
    program,
    'schema <recipe>',
    'Print the input of a recipe (CleanStart, TestInteractive, ...) as JSON Schema.',
    async () => (await import('./commands/schema.js')).recipeSchema,
    (_raw, args): SchemaOptions => ({ recipe: args[0] ?? '' }),
  );
  declareWorker(
    group(
      'worker',
      'Target worker processes on this machine (no control worker needed; --host runs ensure / start / restart on another).',
    ),
    leaf,
    where,
  );
  declareWorkflows(
    group('workflows', 'Diagnosis and results of target workflows; ops workflows are never listed.'),
    leaf,
  );
  return program;
}
