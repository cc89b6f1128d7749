// A repeat sweep's two helpers: the state of each workflow task queue now (live pollers, or the
// backlog when none is live), and the memory the sweep leaves for the next one of its scope.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { temporal as api } from '@temporalio/proto';
import type { RememberedRun, SweepMemory } from '../contract/sweep-memory.js';
import { isOpsWorkflow } from '../contract/ops-workflows.js';
import type { Finding } from '../contract/verdicts.js';
import { judgePoller } from '../diagnosis/poller-liveness.js';
import { queueState } from '../diagnosis/sweep-recheck.js';
import { toNumber } from './convert.js';
import { executionSummary } from './describe-facts.js';
import { listExecutions } from './list-executions.js';
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
  build(
    sweeps: number,
    listedFromMs: number,
    queues: Record<string, string>,
  ): Pick<SweepMemory, 'sweeps' | 'listedFromMs' | 'queues' | 'runs'> {
    return { sweeps, listedFromMs, queues, runs: this.runs };
  }
}

/** A running run of the scope, as the list (or the memory) gives it to the sweep. */
export interface ListedRun {
  workflowId: string;
  runId: string;
  taskQueue: string;
  hasParent: boolean;
  /** TemporalReportedProblems, joined. */
  problems: string;
}

type ExecutionInfo = api.api.workflow.v1.IWorkflowExecutionInfo;

/** The run a visibility entry names, or undefined for an ops workflow. */
export function listedRun(info: ExecutionInfo, opsTaskQueue: string): ListedRun | undefined {
  const run = executionSummary(info);
  if (isOpsWorkflow(run.workflowType, run.taskQueue, opsTaskQueue)) return undefined;
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    taskQueue: run.taskQueue,
    hasParent: Boolean(info.parentExecution?.workflowId),
    problems: run.reportedProblems.join('\n'),
  };
}

/**
 * Visibility is eventually consistent and clocks differ: a repeat sweep lists the runs started or closed
 * since this long before the last sweep began listing. A run the lists still miss is described on its
 * rotation slot (and found closed then).
 */
const LIST_MARGIN_MS = 120_000;

/** The visibility queries of a repeat sweep: the scope's running runs, and its closed ones. */
export interface ScopeQueries {
  running: string;
  closed: string;
}

async function collect(client: Client, query: string): Promise<ExecutionInfo[]> {
  const out: ExecutionInfo[] = [];
  for await (const info of listExecutions(client, query)) out.push(info);
  return out;
}

/**
 * The runs of a repeat sweep, without listing the whole scope: the remembered runs that did not close,
 * with the problems the server reports now, then the runs started since the last sweep. Three lists
 * whose length follows change: runs started since, closed since, and those with reported problems;
 * when the server refuses them, `everyRun` (the whole scope's list).
 */
export async function* changedRuns(
  client: Client,
  queries: ScopeQueries,
  previous: SweepMemory,
  opsTaskQueue: string,
  everyRun: () => AsyncGenerator<ListedRun>,
): AsyncGenerator<ListedRun> {
  const since = JSON.stringify(new Date(previous.listedFromMs - LIST_MARGIN_MS).toISOString());
  let lists: ExecutionInfo[][];
  try {
    lists = await Promise.all([
      collect(client, `${queries.running} AND StartTime >= ${since}`),
      collect(client, `${queries.running} AND TemporalReportedProblems IS NOT NULL`),
      collect(client, `${queries.closed} AND CloseTime >= ${since}`),
    ]);
  } catch {
    // A server that cannot answer these (no TemporalReportedProblems) is listed whole, as a full sweep does.
    yield* everyRun();
    return;
  }
  const [started = [], flagged = [], closed = []] = lists;
  const closedRuns = new Set(closed.map((info) => info.execution?.runId ?? ''));
  // A remembered run that closed may have a successor whose start time is older than the margin (a
  // reset keeps the original's): its workflow's running run, asked for by ID, within the scope.
  const successors: ExecutionInfo[] = [];
  const ended = Object.entries(previous.runs)
    .filter(([, r]) => closedRuns.has(r.runId))
    .map(([workflowId]) => JSON.stringify(workflowId));
  for (let i = 0; i < ended.length; i += 100)
    successors.push(
      ...(await collect(
        client,
        `${queries.running} AND WorkflowId IN (${ended.slice(i, i + 100).join(', ')})`,
      )),
    );
  const listed = new Map<string, ListedRun>();
  for (const info of [...successors, ...started, ...flagged]) {
    const run = listedRun(info, opsTaskQueue);
    if (run) listed.set(run.workflowId, run);
  }
  for (const [workflowId, r] of Object.entries(previous.runs)) {
    if (closedRuns.has(r.runId)) continue;
    const now = listed.get(workflowId);
    if (now && now.runId !== r.runId) continue;
    listed.delete(workflowId);
    yield now ?? { workflowId, runId: r.runId, taskQueue: r.taskQueue, hasParent: false, problems: '' };
  }
  yield* listed.values();
}
