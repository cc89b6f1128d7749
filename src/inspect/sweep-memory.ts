// A repeat sweep's two helpers: the state of each workflow task queue now (live pollers, or the
// backlog when none is live), and the memory the sweep leaves for the next one of its scope.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { RememberedRun, SweepMemory } from '../contract/sweep-memory.js';
import type { Finding } from '../contract/verdicts.js';
import { judgePoller } from '../diagnosis/poller-liveness.js';
import { queueState } from '../diagnosis/sweep-recheck.js';
import { toNumber } from './convert.js';
import type { PollerCache } from './pollers.js';

const { temporal } = proto;

async function workflowBacklog(client: Client, taskQueue: string): Promise<number | undefined> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return response.stats ? toNumber(response.stats.approximateBacklogCount as never) : undefined;
}

/** Each workflow task queue's state, asked once per sweep; undefined when the server could not say. */
export class QueueStates {
  private readonly states = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly client: Client,
    private readonly pollers: PollerCache,
    private readonly freshMs: number,
  ) {}

  /** The queue's state (see queueState in src/diagnosis/sweep-recheck.ts). */
  get(taskQueue: string): Promise<string | undefined> {
    let state = this.states.get(taskQueue);
    if (!state) {
      state = this.read(taskQueue).catch(() => undefined);
      this.states.set(taskQueue, state);
    }
    return state;
  }

  private async read(taskQueue: string): Promise<string | undefined> {
    const pollers = await this.pollers.get(taskQueue, 'workflow');
    if (pollers === undefined) return undefined;
    const now = Date.now();
    const live = pollers
      .filter((p) => judgePoller(p, now, this.freshMs).liveness === 'live')
      .map((p) => p.identity);
    return queueState(live, live.length > 0 ? undefined : await workflowBacklog(this.client, taskQueue));
  }

  /** Every queue asked about, with its state (unknown ones left out: they differ from anything next time). */
  async all(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [queue, state] of this.states) {
      const value = await state;
      if (value !== undefined) out[queue] = value;
    }
    return out;
  }
}

/** The memory a sweep leaves: each listed run once, stalled findings kept up to a cap. */
export class MemoryBuilder {
  private readonly runs: Record<string, RememberedRun> = {};
  private findings = 0;

  constructor(private readonly maxFindings: number) {}

  /** Records a run; its finding is kept when it is a stall and the cap allows. */
  add(workflowId: string, run: Omit<RememberedRun, 'finding'>, finding?: Finding): void {
    const entry: RememberedRun = { ...run };
    if (run.stalled && finding && this.findings < this.maxFindings) {
      entry.finding = finding;
      this.findings += 1;
    }
    this.runs[workflowId] = entry;
  }

  /** The memory's body; the caller adds scope and who wrote it. */
  build(sweeps: number, queues: Record<string, string>): Pick<SweepMemory, 'sweeps' | 'queues' | 'runs'> {
    return { sweeps, queues, runs: this.runs };
  }
}
