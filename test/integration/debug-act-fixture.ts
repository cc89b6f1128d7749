// Shared by the DebugStalled `act` tests: a copy of the stall fixtures (no git: the fingerprint
// falls back to file names, sizes and mtimes) whose code a test really edits, its worker, and the
// recipe started on the harness's control worker.
import { copyFile, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { DiagnosisPolicy } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { targetEnv } from '../../src/control-worker.js';
import type { PidRecord } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { ensureWorker } from '../../src/host/workers/workers.js';
import { venvPython } from '../../src/host/projects/example.js';
import { testTarget, type Harness } from '../helpers/harness.js';
import { scratchDir, waitFor } from '../helpers/processes.js';
import { fixtureDir, waitUntil } from './diagnosis-fixture.js';

export const FIXTURE_WORKER = `${venvPython} worker.py`;

export interface FixtureCopy {
  dir: string;
  project: string;
  /** Replaces `from` (which must occur) with `to` in the copy's `file`. */
  edit(file: string, from: string, to: string): Promise<void>;
}

/** The stall fixtures copied to a fresh directory, named after the project. */
export async function copyFixtures(name: string): Promise<FixtureCopy> {
  const project = `${name}-${nanoid(6)}`;
  const dir = await realpath(await scratchDir(project));
  for (const file of await readdir(fixtureDir))
    if (/\.(py|sh)$/.test(file)) await copyFile(join(fixtureDir, file), join(dir, file));
  return {
    dir,
    project,
    async edit(file, from, to) {
      const text = await readFile(join(dir, file), 'utf8');
      if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
      await writeFile(join(dir, file), text.replace(from, to));
    },
  };
}

/** Starts (or replaces) the copy's worker, as a user would, and waits until it polls. */
export async function startCopyWorker(
  h: Harness,
  copy: FixtureCopy,
  taskQueue: string,
  codeVersion: '1' | '2' = '1',
  command = FIXTURE_WORKER,
): Promise<PidRecord> {
  const outcome = await ensureWorker(
    {
      stateDir: h.settings.stateDir,
      project: copy.project,
      projectDir: copy.dir,
      command,
      taskQueue,
      env: { FIXTURE_CODE_VERSION: codeVersion },
      baseEnv: targetEnv(testTarget()),
      graceMs: 3000,
    },
    { mode: 'restart', ready: { timeoutMs: 30_000, pollers: clientPollerSource(h.client) } },
  );
  return outcome.record;
}

/** The diagnosis policy of the act tests: a task nobody picks up is no-worker after 2 s. */
export const ACT_POLICY = { noWorkerAfterMs: 2000, retryStormAttempts: 3 } satisfies Partial<DiagnosisPolicy>;

/** DebugStalled's input with act for the copy (the caller adds what it tests). */
export function actInput(copy: FixtureCopy, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    act: true,
    projectDir: copy.dir,
    project: copy.project,
    workerCommand: FIXTURE_WORKER,
    graceSeconds: 3,
    policy: ACT_POLICY,
    ...extra,
  };
}

/** Starts DebugStalled on the harness's ops queue (a control worker must be running). */
export function startDebug(h: Harness, input: Record<string, unknown>): Promise<WorkflowHandle> {
  return h.client.workflow.start('DebugStalled', {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `debug-act-${nanoid(8)}`,
    args: [input],
    workflowExecutionTimeout: '10m',
  });
}

/** Resolves once the recipe shows that it waits for a code change in the copy. */
export async function fixWaitShown(handle: WorkflowHandle, copy: FixtureCopy): Promise<void> {
  await waitUntil(
    'the recipe to wait for a code change',
    async () =>
      (await handle.describe()).memo?.opsSummary === `waiting for a code change in ${copy.dir}`
        ? true
        : undefined,
    90_000,
  );
}

/** Resolves once the run has failed a workflow task (a code bug the worker hit). */
export async function workflowTaskFailed(h: Harness, workflowId: string): Promise<void> {
  await waitUntil(
    `${workflowId} to fail a workflow task`,
    async () => {
      const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
      return (history.events ?? []).some((e) => eventTypeName(e) === 'WorkflowTaskFailed') ? true : undefined;
    },
    30_000,
  );
}

/** Waits until `workflowId` is diagnosed no-worker under `policy`: its task waited past noWorkerAfterMs. */
export async function untilNoWorkerVerdict(
  client: Client,
  workflowId: string,
  policy: Partial<DiagnosisPolicy>,
): Promise<void> {
  await waitFor(`${workflowId} to be diagnosed no-worker`, async () => {
    const { finding } = await analyzeWorkflow(client, { workflowId }, { policy });
    return finding.verdict === 'no-worker';
  });
}
