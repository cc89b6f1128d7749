// Warm replay processes. Most of a replay process's start-up is the SDK's import, which does not
// depend on the project's code. So after a check, a long-lived caller (the control worker) starts
// the Python that the check's hook ran in again, directly (python-launch.ts), with the hook waiting:
// it imports the SDK and stops before the program's own code runs, and `ps` shows our warm program,
// not the project's worker command. The next check of the same command, environment and wrapper
// files writes its spec and lets it go, and the program then imports the project's code as it is.
// A warm process owns a directory, a gate address and a replay-run record of its own, reads end of
// input (and exits) once its owner is gone, and is stopped after WARM_IDLE_MS unused.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { tokenFile } from '../records/spawn-token.js';
import { SPAWN_TOKEN_ENV } from '../records/token-name.js';
import { openGateAddress, type GateAddress } from './gate-address.js';
import { gateConfigFile } from './hook-command.js';
import type { IsolationPlan } from './isolation.js';
import { endReplayRun, recordReplayRun, type ReplayRunRecord } from './replay-runs.js';
import { shardPaths, type ShardPaths } from './replay-shards.js';
import type { PythonLaunch } from './python-launch.js';
import { launchHooked, type Launched } from './run-hook.js';

/** A warm process nobody used for this long is stopped. */
const WARM_IDLE_MS = 10 * 60_000;

/** What a warm process is started with: a check may use it only when all of it is the same. */
export interface WarmSpec {
  stateDir: string;
  command: string;
  cwd: string;
  /** The worker command's environment, without the check's own spawn token. */
  env: Record<string, string>;
  isolation: IsolationPlan;
}

/** One warm process and everything it was started with. */
export interface WarmSlot {
  stateDir: string;
  dir: string;
  paths: ShardPaths;
  gate: GateAddress;
  configFilePath: string;
  launched: Launched;
  record: ReplayRunRecord;
  expiry?: NodeJS.Timeout;
}

const pool = new Map<string, WarmSlot[]>();
/** The Python each key's warm processes start, and the wrapper facts (launchFacts) it was recorded under. */
const launches = new Map<string, { python: PythonLaunch; facts: string }>();
/** How many warm processes to keep per key: the most shards a check of it used. */
const targets = new Map<string, number>();
const starting = new Map<string, number>();
/** Starts in flight, so that a drain waits for them. */
const inFlight = new Set<Promise<void>>();

/** The key of a command and its environment: same key, same process up to the program's code. */
export function warmKey(spec: WarmSpec): string {
  const env = Object.entries(spec.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const facts = JSON.stringify([spec.stateDir, spec.command, spec.cwd, env, spec.isolation.prefix]);
  return createHash('sha256').update(facts).digest('hex');
}

/** Stops a warm process (whatever still carries its token) and drops its directory. */
export async function releaseSlot(slot: WarmSlot, keepFiles = false): Promise<void> {
  clearTimeout(slot.expiry);
  slot.launched.stdin?.destroy();
  await endReplayRun(slot.stateDir, slot.record);
  await slot.gate.close();
  if (!keepFiles) await rm(slot.dir, { recursive: true, force: true });
}

/**
 * Up to `count` live warm processes for `key`, taken out of the pool; none when the wrapper files
 * changed since they were recorded (`facts`, launchFacts): those are stopped.
 */
export function takeWarm(key: string, count: number, facts: string): WarmSlot[] {
  const slots = pool.get(key) ?? [];
  if (launches.get(key)?.facts !== facts) {
    launches.delete(key);
    pool.delete(key);
    for (const slot of slots) void releaseSlot(slot);
    return [];
  }
  const taken: WarmSlot[] = [];
  while (taken.length < count && slots.length > 0) {
    const slot = slots.shift() as WarmSlot;
    clearTimeout(slot.expiry);
    if (slot.launched.reaped())
      void releaseSlot(slot); // exited meanwhile
    else taken.push(slot);
  }
  return taken;
}

async function startSlot(spec: WarmSpec, python: PythonLaunch): Promise<WarmSlot> {
  const checksDir = join(spec.stateDir, 'replay');
  await mkdir(checksDir, { recursive: true });
  const dir = await mkdtemp(join(checksDir, 'warm-'));
  const gate = await openGateAddress();
  let record: ReplayRunRecord | undefined;
  try {
    record = await recordReplayRun(spec.stateDir, { command: spec.command, cwd: spec.cwd });
    const env: Record<string, string> = { ...spec.env, [SPAWN_TOKEN_ENV]: record.spawnToken };
    const configFilePath = join(dir, 'temporal.toml');
    await writeFile(configFilePath, gateConfigFile(gate.address, env.TEMPORAL_PROFILE));
    const paths = shardPaths(dir, 0);
    const launched = await launchHooked(
      {
        command: spec.command,
        cwd: spec.cwd,
        env,
        tokenFile: tokenFile(spec.stateDir, record.spawnToken),
        specPath: paths.specPath,
        logPath: paths.logPath,
        gateAddress: gate.address,
        configFilePath,
        isolation: spec.isolation,
        python,
      },
      join(dir, 'ready.jsonl'),
    );
    return { stateDir: spec.stateDir, dir, paths, gate, configFilePath, launched, record };
  } catch (error) {
    if (record) await endReplayRun(spec.stateDir, record);
    await gate.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function expire(key: string, slot: WarmSlot): void {
  const slots = pool.get(key) ?? [];
  const at = slots.indexOf(slot);
  if (at >= 0) slots.splice(at, 1);
  void releaseSlot(slot);
}

/**
 * Starts warm processes for `spec` in the background until the pool holds as many as the most
 * shards a check of it used (`count` or more): each starts `python` (recorded by a check's hook,
 * or the one recorded before) under `facts`. Failures only mean the next check starts cold.
 */
export function keepWarm(spec: WarmSpec, count: number, facts: string, python?: PythonLaunch): void {
  if (spec.isolation.kind === 'none') return; // without a network namespace, nothing may wait with user code
  const key = warmKey(spec);
  if (python) launches.set(key, { python, facts });
  const launch = launches.get(key);
  if (!launch || launch.facts !== facts) return;
  const target = Math.max(count, targets.get(key) ?? 0);
  targets.set(key, target);
  const missing = target - (pool.get(key)?.length ?? 0) - (starting.get(key) ?? 0);
  for (let i = 0; i < missing; i++) {
    starting.set(key, (starting.get(key) ?? 0) + 1);
    const start: Promise<void> = startSlot(spec, launch.python)
      .then(
        (slot) => {
          slot.expiry = setTimeout(() => expire(key, slot), WARM_IDLE_MS);
          slot.expiry.unref();
          void slot.launched.exited.then(() => {
            const slots = pool.get(key) ?? [];
            if (slots.includes(slot)) expire(key, slot);
          });
          pool.set(key, [...(pool.get(key) ?? []), slot]);
        },
        () => undefined,
      )
      .finally(() => {
        starting.set(key, (starting.get(key) ?? 1) - 1);
        inFlight.delete(start);
      });
    inFlight.add(start);
  }
}

/** Resolves once every warm process being started has imported the SDK and waits (or ended); bounded by `timeoutMs`. */
export async function whenWarm(timeoutMs = 30_000): Promise<void> {
  await Promise.all(inFlight);
  const deadline = Date.now() + timeoutMs;
  for (const slot of [...pool.values()].flat())
    while (!slot.launched.reaped() && Date.now() < deadline) {
      const ready = await readFile(join(slot.dir, 'ready.jsonl'), 'utf8').catch(() => '');
      if (ready.includes('"warm"')) break;
      await sleep(20);
    }
}

/** Stops every warm process of this process (a control worker's shutdown). */
export async function drainWarm(): Promise<void> {
  await Promise.all(inFlight);
  const slots = [...pool.values()].flat();
  pool.clear();
  targets.clear();
  launches.clear();
  await Promise.all(slots.map((slot) => releaseSlot(slot)));
}
