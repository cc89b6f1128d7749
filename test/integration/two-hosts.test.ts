// Two control workers as two real hosts (own PID and UTS namespaces, own hostname and state dir)
// on one dev server: host-bound work runs on one host per project, a named host takes the project
// over, and a host killed mid-recipe is waited for, never replaced by the other.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { nanoid } from 'nanoid';
import type { WorkflowHandle } from '@temporalio/client';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import type { Progress } from '../../workflows/lib/checklist.js';
import { packageRoot } from '../../src/config.js';
import { exampleProjectDir, venvPython } from '../../src/host/projects/example.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { testClient, testTarget, uniqueQueue } from '../helpers/harness.js';
import { processesOnQueue, waitFor } from '../helpers/processes.js';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

const opsQueue = uniqueQueue('ops-hosts');
let client: Client;

interface Host {
  name: string;
  stateDir: string;
  process: ResultPromise;
  /** The namespace's pid 1 (seen from here): killing it kills everything on the "host". */
  initPid(): number;
  /** The PID namespace of the host, to tell whose a process is. */
  pidNamespace(): string;
}

/** `temporal-ops serve`, as the shell execs it inside the namespaces. */
function serveArgs(): string[] {
  return [process.execPath, join(packageRoot, 'bin', 'temporal-ops.mjs'), 'serve'];
}

/** Starts `temporal-ops serve` as `name` in fresh PID + UTS namespaces. */
async function startHost(name: string, stateDir: string): Promise<Host> {
  const child = execa(
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      '--uts',
      '--',
      'sh',
      '-c',
      'hostname "$0" && exec "$@"',
      name,
      ...serveArgs(),
    ],
    {
      reject: false,
      stdio: 'ignore',
      env: {
        TEMPORAL_ADDRESS: testTarget().address,
        TEMPORAL_OPS_STATE_DIR: stateDir,
        TEMPORAL_OPS_TASK_QUEUE: opsQueue,
      },
    },
  );
  void child.catch(() => undefined);
  const host: Host = {
    name,
    stateDir,
    process: child,
    initPid: () => {
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
      return Number(children.split(/\s+/)[0]);
    },
    pidNamespace: () => readlinkSync(`/proc/${host.initPid()}/ns/pid`),
  };
  return host;
}

async function hostPolling(name: string): Promise<void> {
  await waitFor(
    `host ${name}'s control worker to poll`,
    async () => (await listPollers(client, `${opsQueue}@${name}`, 'activity')).length > 0,
    90_000,
  );
}

function cleanStart(taskQueue: string, extra: Record<string, unknown> = {}): Promise<WorkflowHandle> {
  return client.workflow.start('CleanStart', {
    taskQueue: opsQueue,
    workflowId: `hosts-clean-start-${nanoid(8)}`,
    args: [
      {
        projectDir: exampleProjectDir,
        taskQueue,
        workerCommand: `${venvPython} worker.py`,
        start: { workflowType: 'Order', args: [{ orderId: nanoid(6), items: ['book'] }] },
        ...extra,
      },
    ],
  });
}

/** The pid namespace each live worker of `taskQueue` runs in. */
function workerNamespaces(taskQueue: string): string[] {
  return processesOnQueue(taskQueue).map((pid) => readlinkSync(`/proc/${pid}/ns/pid`));
}

let hosts: Host[] = [];

before(async () => {
  client = await testClient();
});

after(async () => {
  for (const host of hosts) {
    try {
      process.kill(host.initPid(), 'SIGKILL');
    } catch {
      // already gone
    }
    await host.process;
  }
  await client.connection.close();
});

describe('two hosts on one cluster', () => {
  it('pins a project to one host, moves it to a named host, and waits for a killed host', async () => {
    const root = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'hosts-'));
    hosts = [await startHost('host-a', join(root, 'a')), await startHost('host-b', join(root, 'b'))];
    await Promise.all(hosts.map((h) => hostPolling(h.name)));
    const [a, b] = hosts as [Host, Host];
    const taskQueue = uniqueQueue('orders-hosts');

    // Six CleanStarts without a host, whichever control worker takes them: one worker in total.
    const pinned = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const report = (await (await cleanStart(taskQueue)).result()) as CleanStartReport;
      assert.equal(report.ok, true, report.problem);
      pinned.add(report.host ?? '');
      assert.equal(processesOnQueue(taskQueue).length, 1, `exactly one worker after CleanStart ${i + 1}`);
    }
    assert.equal(pinned.size, 1, `every CleanStart ran on one host, not ${[...pinned].join(' and ')}`);
    const owner = [...pinned][0]!;
    const other = owner === 'host-a' ? b : a;

    // Naming the other host moves the project there: its worker runs in that host's namespace.
    const moved = (await (await cleanStart(taskQueue, { host: other.name })).result()) as CleanStartReport;
    assert.equal(moved.ok, true, moved.problem);
    assert.equal(moved.host, other.name);
    assert.match(moved.worker?.pollerIdentity ?? '', new RegExp(`@${other.name}$`));
    assert.deepEqual(workerNamespaces(taskQueue), [other.pidNamespace()], 'one worker, on the named host');

    // Kill the owning host mid-recipe: the recipe waits for it; the surviving host starts nothing.
    const handle = await cleanStart(taskQueue, { readyTimeoutSeconds: 60 });
    await waitFor(
      'the recipe to reach ensure-worker',
      async () => {
        const progress = await handle.query<Progress>('progress').catch(() => undefined);
        return progress?.steps.some((s) => s.name === 'ensure-worker' && s.outcome === 'running');
      },
      60_000,
    );
    const survivor = other === a ? b : a;
    process.kill(other.initPid(), 'SIGKILL');
    await other.process;
    await waitFor('the killed host to be gone', () => workerNamespaces(taskQueue).length === 0, 20_000);
    const restarted = await startHost(other.name, other.stateDir);
    hosts = [survivor, restarted];
    const report = (await handle.result()) as CleanStartReport;
    assert.equal(report.ok, true, report.problem);
    assert.equal(report.host, other.name, 'the retry stayed on its host');
    assert.deepEqual(
      workerNamespaces(taskQueue),
      [restarted.pidNamespace()],
      'no worker on the surviving host',
    );
  });

  it("calls a dead worker on another host a ghost, as that host's control worker says", async () => {
    const root = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'ghosts-'));
    const [c, d] = [await startHost('host-c', join(root, 'c')), await startHost('host-d', join(root, 'd'))];
    hosts.push(c, d);
    await Promise.all([hostPolling(c.name), hostPolling(d.name)]);
    const taskQueue = uniqueQueue('orders-ghost');
    const started = (await (await cleanStart(taskQueue, { host: c.name })).result()) as CleanStartReport;
    assert.equal(started.ok, true, started.problem);
    const identity = started.worker?.pollerIdentity ?? '';
    assert.match(identity, /^\d+@host-c$/);
    const [pid] = processesOnQueue(taskQueue);
    assert.ok(pid, 'the worker runs');
    process.kill(pid, 'SIGKILL');
    await waitFor('the worker to be gone', () => processesOnQueue(taskQueue).length === 0, 20_000);

    // The server still lists the dead worker's poller; only host-c can tell it is gone.
    const order = await client.workflow.start('Order', {
      taskQueue,
      workflowId: `ghost-order-${nanoid(6)}`,
      args: [{ orderId: nanoid(6), items: ['book'] }],
    });
    // The server may hand the first task to the dead worker's last poll: it is then started and
    // times out (10 s) before it waits for a poller again. Diagnose the run once it waits.
    await waitFor(
      "the order's workflow task to wait for a poller",
      async () => {
        const { raw } = await order.describe();
        const state = raw.pendingWorkflowTask?.state;
        return state === temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED;
      },
      30_000,
    );
    try {
      const debug = await client.workflow.start('DebugStalled', {
        taskQueue: opsQueue,
        workflowId: `hosts-debug-${nanoid(8)}`,
        // Diagnosed on host-d; an hour's wait, so no-worker can only come from the ghost.
        args: [
          {
            workflowId: order.workflowId,
            host: d.name,
            policy: { noWorkerAfterMs: 3_600_000, workflowTaskTimeouts: 99 },
          },
        ],
      });
      const report = (await debug.result()) as DebugStalledReport;
      const finding = report.findings[0];
      assert.equal(finding?.verdict, 'no-worker', finding?.evidence.summary);
      assert.equal(report.host, d.name);
      const poller = finding.evidence.pollers?.find((p) => p.identity === identity);
      assert.deepEqual(
        [poller?.liveness, poller?.why],
        ['ghost', `pid ${identity.split('@')[0]} is not running on host-c`],
      );
    } finally {
      await order.terminate('test over').catch(() => undefined);
    }
  });
});
