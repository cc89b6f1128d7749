// The bookkeeping workflows alone: the bundle of the worker in the bookkeeping namespace, which
// never runs a recipe. Each exported name is a workflow type recipes, sweeps and inspections start.
export { ProjectHost } from './project-host.js';
export { HostProcesses } from './host-processes.js';
export { Incident } from './incident.js';
