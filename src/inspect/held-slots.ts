// What a worker that stopped polling for activities is busy with: the started activities of the
// running workflows on a queue, by the worker running them, and the queue's backlog. Fetched only
// for an activity that waits while no activity poller is live, once per queue per analysis; a sweep
// that describes every run of the queue anyway takes them from its own describes (SlotIndex).
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { HeldSlotFact, TaskQueueStatsFact, WorkflowFacts } from '../contract/facts.js';
import { durationMs, toNumber } from './convert.js';
import { factsFromDescribe } from './describe-facts.js';
import { listExecutions } from './list-executions.js';
import { mapLimit } from './pool.js';

const { temporal } = proto;

/** Running workflows looked at per queue: a saturated worker's holders are among the oldest few. */
const MAX_RUNS = 200;

type Held = Record<string, HeldSlotFact[]>;

/** Where the gatherer finds what workers hold and what waits behind them. */
export interface SlotSource {
  /** Started activities of the running workflows on `queue`, by the identity of the worker running them. */
  byWorker(queue: string): Promise<Held>;
  /** The activity backlog of `queue`, when the server reports stats. */
  backlog(queue: string): Promise<TaskQueueStatsFact | undefined>;
}

/** Adds the run's started activities to `held`, under the worker running each: the slots it holds. */
function addSlots(
  held: Held,
  run: { workflowId: string; runId: string },
  facts: Pick<WorkflowFacts, 'pendingActivities'>,
): void {
  for (const a of facts.pendingActivities) {
    if (a.state !== 'started' || !a.lastWorkerIdentity) continue;
    const slot: HeldSlotFact = {
      workflowId: run.workflowId,
      runId: run.runId,
      activityId: a.activityId,
      activityType: a.activityType,
    };
    if (a.lastStartedTimeMs !== undefined) slot.startedTimeMs = a.lastStartedTimeMs;
    if (a.lastHeartbeatTimeMs !== undefined) slot.lastHeartbeatTimeMs = a.lastHeartbeatTimeMs;
    (held[a.lastWorkerIdentity] ??= []).push(slot);
  }
}

async function heldOnQueue(client: Client, queue: string): Promise<Held> {
  const runs: { workflowId: string; runId: string }[] = [];
  const query = `ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(queue)}`;
  for await (const info of listExecutions(client, query, 100)) {
    if (info.execution?.workflowId && info.execution.runId)
      runs.push({ workflowId: info.execution.workflowId, runId: info.execution.runId });
    if (runs.length >= MAX_RUNS) break;
  }
  const held: Held = {};
  await mapLimit(runs, 8, async (run) => {
    const response = await client.workflowService
      .describeWorkflowExecution({ namespace: client.options.namespace, execution: run })
      .catch(() => undefined);
    if (response) addSlots(held, run, factsFromDescribe(response));
  });
  return held;
}

async function statsOfQueue(client: Client, queue: string): Promise<TaskQueueStatsFact | undefined> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportStats: true,
  });
  if (!response.stats) return undefined;
  const stats: TaskQueueStatsFact = {
    backlogCount: toNumber(response.stats.approximateBacklogCount as never),
  };
  const age = durationMs(response.stats.approximateBacklogAge);
  if (age !== undefined) stats.backlogAgeMs = age;
  return stats;
}

/** Memoizes, per queue and for `ttlMs`, the started activities by worker and the backlog; failures read as unknown. */
export class HeldSlots implements SlotSource {
  private readonly held = new Map<string, { at: number; value: Promise<Held> }>();
  private readonly stats = new Map<string, { at: number; value: Promise<TaskQueueStatsFact | undefined> }>();

  constructor(
    private readonly client: Client,
    private readonly ttlMs = 15_000,
  ) {}

  private cached<T>(
    map: Map<string, { at: number; value: Promise<T> }>,
    key: string,
    fetch: () => Promise<T>,
    fallback: T,
  ): Promise<T> {
    const now = Date.now();
    const entry = map.get(key);
    if (entry && now - entry.at <= this.ttlMs) return entry.value;
    const value = fetch().catch(() => fallback);
    map.set(key, { at: now, value });
    return value;
  }

  /** Started activities of the running workflows on `queue`, by the identity of the worker running them. */
  byWorker(queue: string): Promise<Held> {
    return this.cached(this.held, queue, () => heldOnQueue(this.client, queue), {});
  }

  /** The activity backlog of `queue`, when the server reports stats. */
  backlog(queue: string): Promise<TaskQueueStatsFact | undefined> {
    return this.cached(this.stats, queue, () => statsOfQueue(this.client, queue), undefined);
  }
}

/**
 * The slots held on each queue, taken from the runs a sweep describes anyway: complete for a queue once
 * the sweep has described every running run on it, so no run is described twice. The backlog is asked
 * of the server (one call per queue).
 */
export class SlotIndex implements SlotSource {
  private readonly byQueue = new Map<string, Held>();

  constructor(private readonly stats: Pick<SlotSource, 'backlog'>) {}

  /** Records the slots a described run holds. */
  add(facts: WorkflowFacts): void {
    if (!facts.pendingActivities.some((a) => a.state === 'started')) return;
    let held = this.byQueue.get(facts.taskQueue);
    if (!held) this.byQueue.set(facts.taskQueue, (held = {}));
    addSlots(held, facts, facts);
  }

  byWorker(queue: string): Promise<Held> {
    return Promise.resolve(this.byQueue.get(queue) ?? {});
  }

  backlog(queue: string): Promise<TaskQueueStatsFact | undefined> {
    return this.stats.backlog(queue);
  }
}
