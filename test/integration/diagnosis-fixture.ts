// Shared by the diagnosis integration tests: the Python stall fixtures run as real target workers
// (through the process layer, under the harness's state dir), polling, output capture, a CLI context.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import type { Finding } from '../../src/contract/verdicts.js';
import type { DiagnosisPolicy } from '../../src/contract/verdicts.js';
import { sweep } from '../../src/inspect/sweep.js';
import type { CliContext } from '../../src/cli/context.js';
import type { Sink } from '../../src/cli/output.js';
import { packageRoot } from '../../src/config.js';
import { targetEnv } from '../../src/control-worker.js';
import type { PidRecord } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { ensureWorker } from '../../src/host/workers/workers.js';
import { venvBin, venvPython } from '../../src/host/projects/example.js';
import type { ConnectTarget } from '../../src/temporal/connection.js';
import { testTarget, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

export const fixtureDir = join(packageRoot, 'test', 'fixtures', 'python');

/** Starts (or, for another code version, replaces) the project's fixture worker and waits until it polls. */
export async function startFixtureWorker(
  h: Harness,
  options: {
    project: string;
    taskQueue: string;
    codeVersion?: '1' | '2';
    env?: Record<string, string>;
    /** Another server than the tests' own: its target, and a client of it to see the worker poll. */
    server?: { target: ConnectTarget; client: Client };
  },
): Promise<PidRecord> {
  const outcome = await ensureWorker(
    {
      stateDir: h.settings.stateDir,
      project: options.project,
      projectDir: fixtureDir,
      command: `${venvPython} worker.py`,
      taskQueue: options.taskQueue,
      env: { FIXTURE_CODE_VERSION: options.codeVersion ?? '1', ...options.env },
      baseEnv: targetEnv(options.server?.target ?? testTarget()),
      graceMs: 3000,
    },
    {
      mode: 'restart',
      ready: { timeoutMs: 30_000, pollers: clientPollerSource(options.server?.client ?? h.client) },
    },
  );
  return outcome.record;
}

/** Starts the results fixture worker (result_workflows.py) on `taskQueue` and waits until it polls. */
export async function startResultsWorker(h: Harness, taskQueue: string): Promise<PidRecord> {
  const outcome = await ensureWorker(
    {
      stateDir: h.settings.stateDir,
      project: uniqueId('results'),
      projectDir: fixtureDir,
      command: `${venvPython} results_worker.py`,
      taskQueue,
      env: {},
      baseEnv: targetEnv(testTarget()),
      graceMs: 3000,
    },
    { ready: { timeoutMs: 30_000, pollers: clientPollerSource(h.client) } },
  );
  return outcome.record;
}

/** The workflow ids of one run per way a results fixture ends. */
export interface ResultRunIds {
  ok: string;
  error: string;
  failed: string;
  terminated: string;
  running: string;
}

/**
 * Runs each results fixture once on `taskQueue` and waits until it ended its way: COMPLETED ok,
 * COMPLETED error-like, FAILED, TERMINATED ("test: stop it"); `running` keeps waiting.
 */
export async function runResultFixtures(h: Harness, taskQueue: string, ids: ResultRunIds): Promise<void> {
  const start = (type: string, workflowId: string) =>
    h.client.workflow.start(type, { taskQueue, workflowId, args: [{}] });
  await Promise.all([
    start('ReturnsOk', ids.ok),
    start('ReturnsError', ids.error),
    start('FailsWorkflow', ids.failed),
    start('WaitsForever', ids.terminated),
    start('WaitsForever', ids.running),
  ]);
  await h.client.workflow.getHandle(ids.terminated).terminate('test: stop it');
  for (const id of [ids.ok, ids.error, ids.failed])
    await h.client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
}

/** `waitFor` for probes of the server that may fail while it settles: polled every `intervalMs`, errors retried. */
export function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  return waitFor(what, probe, timeoutMs, { intervalMs, retryErrors: true });
}

/** Terminates each workflow that is still running; ignores the ones already closed. */
export async function terminateAll(client: Client, workflowIds: string[]): Promise<void> {
  await Promise.all(
    workflowIds.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('test cleanup')
        .catch(() => undefined),
    ),
  );
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${nanoid(8)}`;
}

/** A unique Nexus endpoint name: the server takes letters, digits and inner dashes only (nanoid also gives `_`). */
export function uniqueEndpoint(prefix: string): string {
  return `${prefix}-${nanoid(8).replace(/[^a-zA-Z0-9]/g, 'x')}`;
}

/** An Out that keeps what commands print. */
export function captureOut(): Sink & { out: string; err: string } {
  const captured = {
    out: '',
    err: '',
    stdout(text: string) {
      captured.out += text;
    },
    stderr(text: string) {
      captured.err += text;
    },
  };
  return captured;
}

/** A CLI context over the harness's client and settings (no connection of its own). */
export function cliContext(h: Harness): CliContext {
  return { settings: h.settings, target: testTarget(), cwd: packageRoot, client: async () => h.client };
}

/** Every finding of a sweep of `taskQueue`, by workflow ID; a run the sweep could not read fails the test. */
export async function sweepFindings(
  client: Client,
  options: { taskQueue: string; opsTaskQueue: string; policy: Partial<DiagnosisPolicy> },
): Promise<Map<string, Finding>> {
  const found = new Map<string, Finding>();
  for await (const item of sweep(client, options)) {
    assert.notEqual(item.kind, 'error', JSON.stringify(item));
    if (item.kind === 'finding') found.set(item.finding.workflowId, item.finding);
  }
  return found;
}

/** `temporal operator nexus endpoint <args>` on the test server. */
export function nexusEndpointCli(...args: string[]) {
  return execa(join(venvBin, 'temporal'), [
    'operator',
    'nexus',
    'endpoint',
    ...args,
    '--address',
    testTarget().address,
  ]);
}
