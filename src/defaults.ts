// Every default a user can read about, in one table: the recipe input schemas, the settings, the
// recipes that apply them, the CLI's --help and the README (checked by test/unit/defaults-docs.test.ts)
// all read it here. Pure, in the base layer beside src/config.ts: workflow code imports it too.

export const DEFAULTS = {
  /** The Temporal server when neither TEMPORAL_ADDRESS nor a profile names one. */
  temporalAddress: 'localhost:7233',
  /** The namespace when neither TEMPORAL_NAMESPACE nor a profile names one. */
  namespace: 'default',
  /** Seconds a fresh worker may take to poll its task queue (a host's TEMPORAL_OPS_READY_TIMEOUT_MS overrides it). */
  readyTimeoutSeconds: 60,
  /** Seconds between SIGTERM and SIGKILL when stopping a worker (a host's TEMPORAL_OPS_GRACE_MS overrides it). */
  graceSeconds: 5,
  /** CleanStart: seconds to wait for the target workflow to close. */
  resultTimeoutSeconds: 300,
  /** TestInteractive: seconds to wait for the interactive workflow to close. */
  interactiveResultTimeoutSeconds: 120,
  /** Seconds a starter command may run. */
  starterTimeoutSeconds: 60,
  /** The control worker's task queue (TEMPORAL_OPS_TASK_QUEUE). */
  opsTaskQueue: 'temporal-ops',
  /** The namespace of our bookkeeping workflows (ProjectHost, HostProcesses, Incident), apart from the user's (TEMPORAL_OPS_BOOKKEEPING_NAMESPACE). */
  bookkeepingNamespace: 'temporal-ops',
  /** The command that starts a target worker when nothing names one (TEMPORAL_WORKER_CMD). */
  workerCommand: 'uv run worker',
  /** CheckRecentResults: how many minutes back. */
  recentMinutes: 30,
  /** CheckRecentResults: at most this many workflows, newest first. */
  recentLimit: 1000,
  /** `workflows recent`: how many minutes back. */
  recentListMinutes: 5,
  /** `workflows recent`: at most this many rows. */
  recentListRows: 200,
  /** `incidents list`: at most this many incidents, newest first. */
  incidentListLimit: 100,
  /** `workflows wait`: seconds before giving up. */
  waitTimeoutSeconds: 60,
  /** `worker logs`: how many lines of the end. */
  logTailLines: 40,
  /** TestInteractive: stop the worker when done. */
  stopWorkerAfter: true,
  /** Restarts after crashes in a row before giving up (restartOnCrash, --supervise). */
  maxRestarts: 5,
  /** DebugStalled act: seconds to watch each remedied workflow. */
  verifySeconds: 60,
  /** DebugStalled act: seconds to wait for a code change (0: the code is fixed already). */
  waitForFixSeconds: 0,
  /** ClearStalledEnvironment: refuse to act on more workflows than this. */
  clearMax: 200,
  /** ClearStalledEnvironment: seconds to watch cancelled workflows close. */
  cancelWaitSeconds: 10,
  /** Seconds a recipe waits for the approve update before giving up (a refusal). */
  approvalTimeoutSeconds: 3600,
  /** Scheduled sweep with --notify: seconds after which an incident still open is notified again (--repeat 4h). */
  notifyRepeatSeconds: 14_400,
  /** DebugStalled: stalled findings kept in the report. */
  maxFindings: 200,
  /** DebugStalled and `workflows stalled`: describe calls in flight during a sweep. */
  sweepConcurrency: 24,
  /**
   * Scheduled sweeps: describe every run at least every this many sweeps; the rest of a repeat sweep
   * comes from what the server reports and what the last sweep found. 3: a new retry storm of a quiet
   * run is found within 3 sweep intervals.
   */
  sweepRecheckEvery: 3,
  /** Replay gate and replay-check: replay at most this many open histories. */
  replayMax: 200,
  /** SDK log level of the CLI and the control worker (TEMPORAL_OPS_LOG_LEVEL). */
  logLevel: 'WARN',
  /** `--log-level`: SDK log lines on the terminal (`never`: the log file only). */
  terminalLogLevel: 'never',
  /** `-o`: the result format. */
  output: 'text',
  /** `--color`: on a terminal without NO_COLOR. */
  color: 'auto',
  /** `--time-format`: times in text output. */
  timeFormat: 'relative',
} as const;
