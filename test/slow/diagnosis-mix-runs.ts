// The 1,000-run mix of diagnosis-mix.test.ts: which runs start on which queue, and what each must be
// judged. IDs are drawn from business-like words at random, independent of the scenario, so no verdict
// can be read off a name; children take their parent's ID plus `-child`, stalled or healthy alike.
import { nanoid } from 'nanoid';
import type { Verdict } from '../../src/contract/verdicts.js';
import { uniqueQueue } from '../helpers/harness.js';

/** A verdict a stall must get; `healthy` must not be flagged; `closes` ends before the sweep. */
export type Expect = Verdict | 'healthy' | 'closes';

/** What the test does to a run once every run started: the run then closes. */
type FollowUp = 'signal' | 'update' | 'terminate' | 'cancel' | 'result';

export interface MixRun {
  workflowId: string;
  type: string;
  taskQueue: string;
  args: unknown[];
  expect: Expect;
  workflowTaskTimeout?: string;
  workflowRunTimeout?: string;
  followUp?: FollowUp;
  /** Who starts it: the mass start (default), the late start (it signals a run of the first), its
   * parent workflow, or one of the test's staged set-ups. */
  start?: 'late' | 'parent' | Staged;
}

/** Stalls that need a sequence of steps, run by the test itself. */
type Staged = 'paused' | 'holder' | 'queued' | 'nde' | 'blocker' | 'victim' | 'large' | 'update-bug';

export const queues = {
  a: uniqueQueue('billing'),
  b: uniqueQueue('fulfilment'),
  c: uniqueQueue('notify'),
  /** Its worker is replaced by one running changed workflow code. */
  restarted: uniqueQueue('checkout'),
  /** One activity slot. */
  busy: uniqueQueue('media'),
  /** Its worker's event loop gets blocked by an activity. */
  frozen: uniqueQueue('imports'),
  /** The results worker (result_workflows.py). */
  results: uniqueQueue('ledger'),
  unpolled: uniqueQueue('reports'),
  unpolledToo: uniqueQueue('legacy-sync'),
};

const words = ['order', 'invoice', 'payment', 'shipment', 'refund', 'cart', 'account', 'export', 'email'];
const live = [queues.a, queues.b, queues.c];

/** Deterministic choice for a seed (the mix is reproducible from TEMPORAL_OPS_MIX_SEED). */
function randomFrom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export function buildMix(seed: number): MixRun[] {
  const random = randomFrom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const newId = () => `${pick(words)}-${nanoid(10)}`;
  const runs: MixRun[] = [];
  const add = (count: number, run: Omit<MixRun, 'workflowId' | 'taskQueue' | 'args'> & Partial<MixRun>) => {
    for (let i = 0; i < count; i += 1)
      runs.push({ args: [], taskQueue: pick(live), ...run, workflowId: newId() });
  };
  const child = (parent: MixRun, depth: number, expect: (level: number) => Expect) => {
    for (let level = 1, id = parent.workflowId; level <= depth; level += 1) {
      id = `${id}-child`;
      runs.push({
        workflowId: id,
        type: 'child',
        taskQueue: parent.taskQueue,
        args: [],
        expect: expect(level),
        start: 'parent',
      });
    }
  };

  // Stalls, one or two of each kind the corpus knows.
  add(2, { type: 'CodeBug', expect: 'workflow-code-bug' });
  add(1, { type: 'SandboxViolation', expect: 'sandbox-violation' });
  add(1, { type: 'UnregisteredType', expect: 'workflow-not-registered' });
  add(2, { type: 'RetryStorm', expect: 'activity-retry-storm' });
  add(1, { type: 'LocalRetryStorm', expect: 'activity-retry-storm' });
  add(2, { type: 'MissingActivity', expect: 'activity-not-registered' });
  add(1, {
    type: 'SlowTask',
    args: [{ hangSeconds: 3600 }],
    workflowTaskTimeout: '1s',
    expect: 'workflow-task-timeout',
  });
  add(1, { type: 'NoWorkerTarget', taskQueue: queues.unpolled, expect: 'no-worker' });
  add(1, { type: 'NoWorkerTarget', taskQueue: queues.unpolledToo, expect: 'no-worker' });
  add(1, { type: 'PendingActivitiesFlood', expect: 'pending-limit' });
  add(1, { type: 'Flapping', expect: 'workflow-code-bug' });
  add(1, { type: 'RetryStorm', taskQueue: queues.b, expect: 'activity-paused', start: 'paused' });
  add(1, { type: 'UpdateHandlerBug', expect: 'workflow-code-bug', start: 'update-bug' });
  add(1, { type: 'WaitsForSignal', expect: 'history-limit', start: 'large' });
  add(2, { type: 'NonDeterministic', taskQueue: queues.restarted, expect: 'non-determinism', start: 'nde' });
  const busy = { type: 'LongActivity', taskQueue: queues.busy, args: [{}] };
  add(1, { ...busy, expect: 'healthy', start: 'holder' });
  add(2, { ...busy, expect: 'worker-saturated', start: 'queued' });
  add(1, { type: 'BlocksWorker', taskQueue: queues.frozen, expect: 'worker-frozen', start: 'blocker' });
  const victim = { type: 'WaitsForSignal', taskQueue: queues.frozen, workflowTaskTimeout: '2s' };
  add(2, { ...victim, expect: 'workflow-task-timeout', start: 'victim' });
  for (const depth of [1, 2]) {
    add(1, { type: 'WaitsOnChild', args: [{ depth }], expect: 'blocked' });
    child(runs[runs.length - 1]!, depth, (level) => (level === depth ? 'workflow-code-bug' : 'blocked'));
  }

  // Healthy runs: waits on timers, signals, updates, heartbeating activities, healthy children,
  // a workflow task that failed once and recovered, a peer's answer.
  add(200, { type: 'WaitsForTimer', expect: 'healthy' });
  add(160, { type: 'WaitsForSignal', expect: 'healthy' });
  add(100, { type: 'WaitsForUpdate', expect: 'healthy' });
  add(45, { type: 'LongActivity', args: [{}], expect: 'healthy' });
  add(40, { type: 'FlakyOnce', expect: 'healthy' });
  for (const leaf of ['WaitsForSignal', 'WaitsForTimer', 'WaitsForSignal', 'LongActivity']) {
    for (let i = 0; i < 9; i += 1) {
      const depth = random() < 0.3 ? 2 : 1;
      add(1, { type: 'WaitsOnChild', args: [{ depth, leaf }], expect: 'healthy' });
      child(runs[runs.length - 1]!, depth, () => 'healthy');
    }
  }
  const peers = runs.filter((r) => r.type === 'WaitsForSignal' && r.expect === 'healthy');
  for (let i = 0; i < 20; i += 1)
    add(1, { type: 'AsksPeer', args: [{ peer: pick(peers).workflowId }], expect: 'healthy', start: 'late' });
  add(30, { type: 'WaitsForever', taskQueue: queues.results, args: [{}], expect: 'healthy' });
  // On the queue whose worker has one activity slot: runs that need no activity.
  add(15, { type: 'WaitsForSignal', taskQueue: queues.busy, expect: 'healthy' });
  add(15, { type: 'WaitsForTimer', taskQueue: queues.busy, expect: 'healthy' });
  // On the queue whose worker restarts onto new code: a heartbeating activity cut by the restart is
  // retried (attempt 2, last failure "worker shutting down") and stays healthy.
  add(8, { type: 'LongActivity', taskQueue: queues.restarted, args: [{}], expect: 'healthy' });
  add(15, { type: 'WaitsForTimer', taskQueue: queues.restarted, expect: 'healthy' });
  add(8, { type: 'WaitsForUpdate', taskQueue: queues.restarted, expect: 'healthy' });
  // Idle before the worker freezes: nothing to do, so nothing times out.
  add(10, { type: 'WaitsForTimer', taskQueue: queues.frozen, expect: 'healthy' });

  // Runs that close before the sweep: completed, failed, terminated, cancelled, timed out, a stall
  // terminated by hand, workflow tasks that timed out and then completed.
  add(60, { type: 'WaitsForSignal', expect: 'closes', followUp: 'signal' });
  add(25, { type: 'WaitsForUpdate', expect: 'closes', followUp: 'update' });
  add(25, { type: 'WaitsForTimer', expect: 'closes', followUp: 'terminate' });
  add(20, { type: 'WaitsForSignal', expect: 'closes', followUp: 'cancel' });
  add(20, { type: 'WaitsForTimer', workflowRunTimeout: '3s', expect: 'closes', followUp: 'result' });
  add(40, { type: 'NoWorkerTarget', expect: 'closes', followUp: 'result' });
  add(4, { type: 'CodeBug', expect: 'closes', followUp: 'terminate' });
  add(4, {
    type: 'SlowTask',
    args: [{ blockSeconds: 1.5 }],
    workflowTaskTimeout: '1s',
    expect: 'closes',
    followUp: 'result',
  });
  for (let i = 0; i < 10; i += 1) {
    add(1, {
      type: 'WaitsOnChild',
      args: [{ leaf: 'NoWorkerTarget' }],
      expect: 'closes',
      followUp: 'result',
    });
    child(runs[runs.length - 1]!, 1, () => 'closes');
  }
  const results = {
    taskQueue: queues.results,
    args: [{}],
    expect: 'closes' as const,
    followUp: 'result' as const,
  };
  add(25, { type: 'ReturnsOk', ...results });
  add(10, { type: 'ReturnsError', ...results });
  add(25, { type: 'FailsWorkflow', ...results });
  return runs;
}
