// The recipes. Each exported name is the workflow type users pass to `--type`.
export { CleanStart } from './clean-start.js';
export { DebugStalled } from './debug-stalled.js';
export { EnsureWorker } from './ensure-worker.js';
export { TestInteractive } from './test-interactive.js';
export { ClearStalledEnvironment } from './clear-stalled-environment.js';
export { CheckRecentResults } from './check-recent-results.js';

// Not a recipe: the per-project host registry recipes consult through an update.
export { ProjectHost } from './project-host.js';
// Not a recipe: one host's answer about the processes behind pollers (ghost detection elsewhere).
export { HostProcesses } from './host-processes.js';
// Not a recipe: one incident a scheduled sweep found, in the bookkeeping namespace.
export { Incident } from './incident.js';
