// Notifications on a real server: a sink that keeps failing marks its incidents undelivered without
// holding the sweep; a command sink runs on the sweep's host under its policy (and is refused
// outside it), a URL sink is posted to only where the policy's notifyUrls say; bad --notify values
// are refused at once, naming the flag and the value.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import type { IncidentEntry } from '../../src/temporal/incidents.js';
import { ExitCode } from '../../src/cli/output.js';
import { policyPath, writePolicyFile } from '../../src/host/projects/load-policy.js';
import { cliIn } from '../helpers/cli-in-process.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';
import { startReceiver } from '../helpers/receiver.js';

let h: Harness;
const targets: WorkflowHandle[] = [];

before(async () => {
  h = await createHarness();
});
after(async () => {
  for (const target of targets) await target.terminate('test cleanup').catch(() => undefined);
  await h.cleanup();
});

/** Runs the CLI in-process on this harness's settings. */
const cli = (...argv: string[]) => cliIn(h, ...argv);

/** A stalled target on a fresh queue. */
async function stalledQueue(): Promise<{ target: WorkflowHandle; taskQueue: string }> {
  const taskQueue = uniqueQueue('notify');
  const target = await h.client.workflow.start('NobodyPolls', {
    taskQueue,
    workflowId: `nobody-${nanoid(8)}`,
    args: [],
  });
  targets.push(target);
  await waitFor(
    'the target to be visible',
    async () => (await h.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count === 1,
    30_000,
  );
  return { target, taskQueue };
}

/** One sweep of `taskQueue` with `notify`, on a control worker in this process. */
function sweep(taskQueue: string, notify: string[]): Promise<DebugStalledReport> {
  return h.withControlWorker(async () => {
    const handle = await h.client.workflow.start<(i: unknown) => Promise<DebugStalledReport>>(
      'DebugStalled',
      {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `sweep-${nanoid(8)}`,
        args: [{ taskQueue, incidents: true, policy: { noWorkerAfterMs: 0 }, notify }],
        workflowExecutionTimeout: '3m',
      },
    );
    return handle.result();
  });
}

/** A stalled target on a fresh queue, and one sweep of that queue with `notify`. */
async function sweepOne(notify: string[]): Promise<{ target: WorkflowHandle; report: DebugStalledReport }> {
  const { target, taskQueue } = await stalledQueue();
  return { target, report: await sweep(taskQueue, notify) };
}

/** The incident about `target` as `incidents list -o json` shows it, once `ready` holds. */
async function listed(
  target: WorkflowHandle,
  ready: (entry: IncidentEntry) => boolean,
): Promise<IncidentEntry> {
  return waitFor(`the incident of ${target.workflowId} in the list`, async () => {
    const out = await cli('incidents', 'list', '-o', 'json');
    assert.equal(out.code, ExitCode.ok, out.err);
    const entry = (JSON.parse(out.out) as IncidentEntry[]).find(
      (e) => e.fingerprint.workflowId === target.workflowId,
    );
    return entry && ready(entry) ? entry : undefined;
  });
}

describe('notification sinks', () => {
  it('a sink that keeps failing marks its incidents undelivered, and the sweep still ends; the next sweep delivers', async () => {
    const receiver = await startReceiver({ status: 503 });
    try {
      const { target, taskQueue } = await stalledQueue();
      const report = await sweep(taskQueue, [receiver.url]);
      assert.equal(report.stalledCount, 1);
      const [outcome] = report.notifications ?? [];
      assert.match(outcome?.failed ?? '', /HTTP 503/);
      assert.ok(receiver.arrived.length >= 2, 'the delivery was retried');
      assert.equal(receiver.accepted.length, 0);
      const entry = await listed(target, (e) => e.notify?.undelivered !== undefined);
      assert.deepEqual(
        entry.notify?.undelivered?.sinks.map((s) => s.label),
        [outcome?.sink],
      );
      assert.deepEqual(
        entry.notify?.pending.map((p) => p.key),
        ['opened'],
        'the notice stays owed',
      );
      const text = await cli('incidents', 'list');
      assert.match(text.out, new RegExp(`undelivered \\(${outcome?.sink ?? ''}\\)`));

      receiver.answer(200);
      const next = await sweep(taskQueue, [receiver.url]);
      assert.deepEqual(
        next.notifications?.map((n) => [n.sent, n.failed]),
        [[1, undefined]],
      );
      const body = receiver.accepted[0]?.body as { notifications: { transition: string }[] };
      assert.deepEqual(
        body.notifications.map((n) => n.transition),
        ['opened'],
        'the owed notice, not lost',
      );
      const cleared = await listed(target, (e) => e.notify?.undelivered === undefined);
      assert.deepEqual(cleared.notify?.pending, []);
    } finally {
      await receiver.close();
    }
  });

  it('a command sink runs on the host with the title and text, and the payload on stdin', async () => {
    const dir = await mkdtemp(join(h.settings.stateDir, 'sink-'));
    const script = join(dir, 'record.sh');
    await writeFile(script, '#!/bin/sh\nprintf "%s\\n%s\\n" "$2" "$3" > "$1.txt"\ncat > "$1.json"\n');
    await chmod(script, 0o755);
    const out = join(dir, 'got');
    const { report } = await sweepOne([`cmd:${script} ${out}`]);
    assert.deepEqual(
      report.notifications?.map((n) => [n.sent, n.failed]),
      [[1, undefined]],
    );
    const [title, text] = (await readFile(`${out}.txt`, 'utf8')).split('\n');
    assert.equal(title, 'temporal-ops: 1 opened incident');
    assert.match(text ?? '', /^\[opened\] no-worker: default\/nobody-/);
    const payload = JSON.parse(await readFile(`${out}.json`, 'utf8')) as { notifications: unknown[] };
    assert.equal(payload.notifications.length, 1);
  });

  it('a command sink outside the host policy is refused, naming the value', async () => {
    const value = 'cmd:echo stalled | logger';
    const { target, report } = await sweepOne([value]);
    const failed = report.notifications?.[0]?.failed ?? '';
    assert.ok(failed.includes(JSON.stringify(value)), failed);
    assert.match(failed, /allowShell/);
    await listed(target, (e) => e.notify?.undelivered !== undefined);

    const refused = await cli('schedule', 'stall-sweep', '--id', `s-${nanoid(6)}`, '--notify', value);
    assert.equal(refused.code, ExitCode.usage);
    assert.ok(refused.err.includes(JSON.stringify(value)), refused.err);
  });

  it('a URL sink outside the host policy is refused, naming its label and not its URL', async () => {
    const receiver = await startReceiver({ status: 200 });
    const secret = `/hook/${nanoid(12)}`;
    const value = `${receiver.url}${secret}`;
    await writePolicyFile(h.settings.stateDir, { notifyUrls: ['https://hooks.slack.com/services/'] });
    try {
      const { target, report } = await sweepOne([value]);
      const failed = report.notifications?.[0]?.failed ?? '';
      assert.match(failed, /notifyUrls/);
      assert.ok(failed.includes(report.notifications?.[0]?.sink ?? '?'), failed);
      assert.ok(!failed.includes(secret), 'the URL path stays out of the refusal');
      assert.equal(receiver.arrived.length, 0, 'nothing was posted');
      await listed(target, (e) => e.notify?.undelivered !== undefined);

      const refused = await cli('schedule', 'stall-sweep', '--id', `s-${nanoid(6)}`, '--notify', value);
      assert.equal(refused.code, ExitCode.usage);
      assert.match(refused.err, /notifyUrls/);
      assert.ok(!refused.err.includes(secret), refused.err);

      // Listed, it is posted to: the refused notice stayed owed, and goes with the new one.
      await writePolicyFile(h.settings.stateDir, { notifyUrls: [`${receiver.url}/hook/`] });
      const { report: next } = await sweepOne([value]);
      assert.deepEqual(
        next.notifications?.map((n) => [n.sent, n.failed]),
        [[2, undefined]],
      );
      assert.equal(receiver.accepted.length, 1);
    } finally {
      await rm(policyPath(h.settings.stateDir), { force: true });
      await receiver.close();
    }
  });

  it('refuses a malformed --notify or --repeat at once, naming the flag and the value', async () => {
    for (const [flag, value] of [
      ['--notify', 'ftp://example.com/hook'],
      ['--notify', 'example.com/hook'],
      ['--notify', 'cmd:'],
      ['--repeat', '10s'],
    ] as const) {
      const out = await cli('schedule', 'stall-sweep', '--id', `s-${nanoid(6)}`, flag, value);
      assert.equal(out.code, ExitCode.usage, `${flag} ${value}`);
      assert.ok(out.err.includes(flag) && out.err.includes(value), out.err);
    }
    const viaInput = await cli(
      'schedule',
      'stall-sweep',
      '--id',
      `s-${nanoid(6)}`,
      '--input',
      JSON.stringify({ notify: ['gopher://x'] }),
    );
    assert.equal(viaInput.code, ExitCode.usage);
    assert.match(viaInput.err, /notify\[0\]: expected .*"gopher:\/\/x"/);
  });

  it('keeps --notify and --repeat on the schedule, and a command sink on this host', async () => {
    const id = `s-${nanoid(6)}`;
    const made = await cli(
      'schedule',
      'stall-sweep',
      '--id',
      id,
      '--notify',
      'https://hooks.slack.com/services/T/B/x',
      '--notify',
      'http://127.0.0.1:9/hook',
      '--notify',
      'cmd:notify-send',
      '--repeat',
      '2h',
    );
    assert.equal(made.code, ExitCode.ok, made.err);
    try {
      const described = await h.client.schedule.getHandle(id).describe();
      const action = described.action as { args?: unknown[] };
      assert.deepEqual(action.args?.[0], {
        incidents: true,
        notify: ['https://hooks.slack.com/services/T/B/x', 'http://127.0.0.1:9/hook', 'cmd:notify-send'],
        notifyRepeatSeconds: 7200,
        host: h.settings.host,
      });
    } finally {
      await h.client.schedule.getHandle(id).delete();
    }
  });
});
