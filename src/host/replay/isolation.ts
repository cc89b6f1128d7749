// Keeping the replay process off the network: on Linux it runs in a network namespace of its own
// (only a loopback that is down), so even code that escaped the hook reaches no server.
import { execa } from 'execa';
import { resolveExecutable } from '../projects/executable.js';

/**
 * `network-namespace`: `unshare --net` (root); `user-network-namespace`: `unshare --user
 * --map-root-user --net` (unprivileged user namespaces); `none`: neither works here (macOS, or a
 * container that forbids both): only the hook and the gate's own address keep the process away.
 */
export type ReplayIsolation = 'network-namespace' | 'user-network-namespace' | 'none';

export interface IsolationPlan {
  kind: ReplayIsolation;
  /** Argv to put before the command (empty for `none`). */
  prefix: string[];
}

let probed: Promise<IsolationPlan> | undefined;

async function works(prefix: string[]): Promise<boolean> {
  const [file, ...args] = prefix as [string, ...string[]];
  const result = await execa(file, [...args, 'true'], { reject: false, timeout: 5000, stdin: 'ignore' });
  return result.exitCode === 0;
}

async function probe(): Promise<IsolationPlan> {
  if (process.platform !== 'linux') return { kind: 'none', prefix: [] }; // no network namespaces (macOS)
  const unshare = resolveExecutable('unshare', '/', `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!unshare) return { kind: 'none', prefix: [] }; // util-linux is not installed
  const candidates: [ReplayIsolation, string[]][] = [
    ['user-network-namespace', [unshare, '--user', '--map-root-user', '--net', '--']],
  ];
  if (process.getuid?.() === 0) candidates.unshift(['network-namespace', [unshare, '--net', '--']]);
  for (const [kind, prefix] of candidates) if (await works(prefix)) return { kind, prefix };
  return { kind: 'none', prefix: [] }; // neither is permitted here
}

/** How this host isolates a replay process; probed once per process. */
export function networkIsolation(): Promise<IsolationPlan> {
  probed ??= probe();
  return probed;
}
