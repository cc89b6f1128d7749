// The recipes. Each exported name is the workflow type users pass to `--type`.
export { CleanStart } from './clean-start.js';
export { DebugStalled } from './debug-stalled.js';
export { EnsureWorker } from './ensure-worker.js';
export { TestInteractive } from './test-interactive.js';
export { ClearStalledEnvironment } from './clear-stalled-environment.js';
export { CheckRecentResults } from './check-recent-results.js';

// Not recipes: the per-project host registry recipes consult through an update, one host's answer
// about the processes behind pollers, and the incidents a scheduled sweep found. Their namespace's
// worker loads them alone (./bookkeeping.ts); here they serve where one namespace holds both.
export { ProjectHost, HostProcesses, Incident } from './bookkeeping.js';
