// Fault injection for crash tests: `TEMPORAL_OPS_FAILPOINT=<name>[,<name>...]` makes this process
// kill itself with SIGKILL when it reaches a named instant, exactly as `kill -9` would. Only the
// process started with the variable is affected; without it every call is a no-op.

/** The named instants of the process steps; crash tests pick one. */
export const FAILPOINTS = [
  'ensure:locked',
  'ensure:before-spawn',
  'ensure:after-spawn',
  'ensure:after-record',
  'ensure:during-stop',
  'ensure:during-ready',
  'starter:before-spawn',
  'starter:after-spawn',
  'starter:during-wait',
  'starter:after-exit',
] as const;

export type Failpoint = (typeof FAILPOINTS)[number];

/** Kills this process at once when `name` is armed in TEMPORAL_OPS_FAILPOINT. */
export function failpoint(name: Failpoint): void {
  const armed = process.env.TEMPORAL_OPS_FAILPOINT;
  if (armed && armed.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}
