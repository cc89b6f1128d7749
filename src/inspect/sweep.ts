// The stall sweep: a count, one paginated visibility list of RUNNING target workflows, and a
// bounded-concurrency describe (+ history tail when it matters) per run, streamed so memory stays
// flat in the number of workflows. Ops workflows are left out by type and by ops task queue.
import type { Client } from '@temporalio/client';
import { diagnose } from '../diagnosis/diagnose.js';
import {
  resolveDiagnosisPolicy,
  summarizeFindings,
  type DiagnosisPolicy,
  type Finding,
  type Verdict,
} from '../contract/verdicts.js';
import type { LivenessOracle, RemoteLiveness } from '../diagnosis/poller-liveness.js';
import { excludeOpsClause } from '../contract/ops-workflows.js';
import { DEFAULTS } from '../defaults.js';
import { toNumber } from './convert.js';
import { FrozenWorkers } from './frozen-workers.js';
import { addSlotFacts, gatherFacts, type GatheredFacts, type HistoryMode } from './gather.js';
import { isNotFound } from '../temporal/grpc.js';
import { HeldSlots, SlotIndex } from './held-slots.js';
import { listExecutions } from './list-executions.js';
import { PollerCache } from './pollers.js';
import { mapBounded } from './pool.js';
import { RunFindings } from './relations.js';
import type { RememberedRun, SweepMemory, SweepRecall } from '../contract/sweep-memory.js';
import { recheckKind, recheckReason } from '../diagnosis/sweep-recheck.js';
import { changedRuns, listedRun, MemoryBuilder, QueueStates, type ListedRun } from './sweep-memory.js';

export { listExecutions };

export interface SweepOptions {
  /** Extra visibility filter, ANDed with ExecutionStatus = "Running". */
  query?: string;
  /** Only workflows on this task queue. */
  taskQueue?: string;
  /** The ops task queue; workflows on it (and recipe types) are never swept. */
  opsTaskQueue: string;
  policy?: Partial<DiagnosisPolicy>;
  /** Describe calls in flight (default 24). */
  concurrency?: number;
  /** Visibility page size (default 500). */
  pageSize?: number;
  history?: HistoryMode;
  /**
   * Read the last events of idle runs (nothing pending) to tell a timer wait from a signal wait.
   * Off by default: it doubles the calls for the most common healthy run and changes no verdict.
   */
  explainIdle?: boolean;
  /** Called after each run is diagnosed. */
  onProgress?: (scanned: number) => void;
  /**
   * Tells the processes behind poller identities on this host (src/host/workers/pollers.ts), so a
   * dead worker's lingering poller counts as a ghost; omitted, pollers are judged by last access.
   */
  oracle?: LivenessOracle;
  /** Asks other hosts' control workers about the processes their pollers name (see remote-liveness.ts). */
  remote?: RemoteLiveness;
  /**
   * A repeat sweep: runs whose last finding still holds are reported from the memory instead of being
   * described again (see src/diagnosis/sweep-recheck.ts). Omitted, every run is described.
   */
  recall?: SweepRecall;
  /** Receives the memory this sweep leaves for the next one of its scope, once the sweep is done. */
  remember?: (memory: SweepMemoryBody) => void;
}

/** What a sweep hands to `remember`; the caller adds the scope and who wrote it. */
export type SweepMemoryBody = Pick<SweepMemory, 'sweeps' | 'listedFromMs' | 'queues' | 'runs'>;

/** One swept run: its finding, or why it could not be diagnosed. */
export type SweepItem =
  | { kind: 'finding'; finding: Finding; remembered?: true }
  /** A run the memory answers for, whose finding it did not keep (a healthy wait, or a stall past the cap). */
  | { kind: 'remembered'; workflowId: string; taskQueue: string; verdict: Verdict; stalled: boolean }
  | { kind: 'closed'; workflowId: string; runId: string }
  | { kind: 'error'; workflowId: string; runId: string; error: string };

const quote = (value: string): string => JSON.stringify(value);

type ScopeOptions = Pick<SweepOptions, 'query' | 'taskQueue' | 'opsTaskQueue'>;

function scopeQuery(status: string, options: ScopeOptions): string {
  const parts = [status];
  if (options.query?.trim()) parts.push(`(${options.query.trim()})`);
  if (options.taskQueue) parts.push(`TaskQueue = ${quote(options.taskQueue)}`);
  parts.push(excludeOpsClause(options.opsTaskQueue));
  return parts.join(' AND ');
}

/** The visibility query of a sweep: running, optional user filter and queue, ops workflows excluded. */
export function sweepQuery(options: ScopeOptions): string {
  return scopeQuery('ExecutionStatus = "Running"', options);
}

/** The first visibility page of a sweep: small, so describes start while the next page is listed. */
export const FIRST_PAGE_SIZE = 100;

/** CountWorkflowExecutions for the query. */
export async function countWorkflows(client: Client, query: string): Promise<number> {
  const response = await client.workflowService.countWorkflowExecutions({
    namespace: client.options.namespace,
    query,
  });
  return toNumber(response.count as never);
}

/**
 * Running target workflows of the query, diagnosed one by one as they complete (unordered). The
 * first visibility page is asked for at once, so a count the caller awaits runs beside it.
 */
export function sweep(client: Client, options: SweepOptions): AsyncGenerator<SweepItem> {
  const listedFromMs = Date.now();
  const previous = options.recall?.previous;
  const everyRun = () => listScope(client, options);
  if (previous) {
    const queries = {
      running: sweepQuery(options),
      closed: scopeQuery('ExecutionStatus != "Running"', options),
    };
    const runs = changedRuns(client, queries, previous, options.opsTaskQueue, everyRun);
    return sweepListed(client, options, runs, listedFromMs);
  }
  return sweepListed(client, options, everyRun(), listedFromMs);
}

/**
 * The sweep, begun at once: its first describes go out while the caller awaits something else (the
 * count), instead of when it first asks for an item. Its items are handed on as they are asked for.
 */
export function begun(items: AsyncGenerator<SweepItem>): AsyncGenerator<SweepItem> {
  const first = items.next();
  // Consumed below; a caller that gives up before it (a rejected count) leaves it unhandled.
  first.catch(() => undefined);
  return (async function* () {
    try {
      for (let next = await first; !next.done; next = await items.next()) yield next.value;
    } finally {
      await items.return(undefined);
    }
  })();
}

/** Every running run of the scope, page by page; the first page is asked for at once. */
function listScope(client: Client, options: SweepOptions): AsyncGenerator<ListedRun> {
  const pageSize = options.pageSize ?? 500;
  const listed = listExecutions(client, sweepQuery(options), pageSize, Math.min(pageSize, FIRST_PAGE_SIZE));
  const first = listed.next();
  // Consumed by the sweep; a caller that gives up before it (a rejected count) leaves it unhandled.
  first.catch(() => undefined);
  return (async function* () {
    for (let next = await first; !next.done; next = await listed.next()) {
      const run = listedRun(next.value, options.opsTaskQueue);
      if (run) yield run;
    }
  })();
}

interface Target extends ListedRun {
  /** Set when the memory answers for the run: it is not described. */
  remembered?: RememberedRun;
}

/** The item of a run that could not be diagnosed. */
const errorItem = (run: { workflowId: string; runId: string }, error: unknown): SweepItem => ({
  kind: 'error',
  workflowId: run.workflowId,
  runId: run.runId,
  error: error instanceof Error ? error.message : String(error),
});

/**
 * Runs whose slot facts wait for the end of the sweep, at most: past it, a run fetches them itself
 * (one list and up to 200 describes per queue), so memory stays bounded however many runs wait.
 */
const MAX_DEFERRED = 500;

async function* sweepListed(
  client: Client,
  options: SweepOptions,
  runs: AsyncGenerator<ListedRun>,
  listedFromMs: number,
): AsyncGenerator<SweepItem> {
  const pollers = new PollerCache(client, options);
  const policy = options.policy ?? {};
  const { recall, remember } = options;
  const previous = recall?.previous;
  const fetched = new HeldSlots(client);
  // What workers hold, from this sweep's own describes: it sees every running run of a queue unless a
  // filter, or a memory that answers for runs, keeps some out. Runs that need it wait for the end.
  const index = new SlotIndex(fetched);
  const seesWholeQueue = (queue: string) =>
    !previous && !options.query?.trim() && (!options.taskQueue || options.taskQueue === queue);
  const deferred: { target: Target; gathered: GatheredFacts }[] = [];
  let deferring = 0;
  const gatherOptions = {
    history: options.history,
    explainIdle: options.explainIdle ?? false,
    slots: fetched,
    pollerFreshMs: resolveDiagnosisPolicy(policy).pollerFreshMs,
  };
  const queues =
    remember || previous ? new QueueStates(client, pollers, gatherOptions.pollerFreshMs) : undefined;
  const memory = remember ? new MemoryBuilder(recall?.maxFindings ?? DEFAULTS.maxFindings) : undefined;
  // How each described run is to be re-checked, by run ID, until its item is out.
  const kinds = new Map<string, RememberedRun['kind']>();
  let scanned = 0;
  const frozen = new FrozenWorkers();
  const conclude = (gathered: GatheredFacts): Finding => {
    const finding = diagnose(gathered.facts, gathered.gatheredAtMs, policy);
    frozen.note(gathered.facts, finding, gathered.gatheredAtMs, gatherOptions.pollerFreshMs);
    if (memory) kinds.set(gathered.facts.runId, recheckKind(gathered.facts, finding));
    return finding;
  };
  /** The run's facts (undefined when it closed or is gone); `mayDefer` lets its slot facts wait. */
  const gatherRun = async (
    run: { workflowId: string; runId: string },
    mayDefer = false,
  ): Promise<GatheredFacts | undefined> => {
    try {
      const gathered = await gatherFacts(client, run, pollers, mayDefer ? deferringOptions : childOptions);
      if (gathered.facts.status !== 'RUNNING') return undefined;
      index.add(gathered.facts);
      return gathered;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  // A run's finding, or undefined when it closed or is gone; pending children are diagnosed
  // through `related`, so a child the sweep also lists is described once.
  const diagnoseRun = async (run: { workflowId: string; runId: string }): Promise<Finding | undefined> => {
    const gathered = await gatherRun(run);
    return gathered && conclude(gathered);
  };
  const deferSlots = (queues: string[]) => {
    const defer = deferring < MAX_DEFERRED && queues.every(seesWholeQueue);
    if (defer) deferring += 1;
    return defer;
  };
  const related: RunFindings = new RunFindings(diagnoseRun);
  // Built once: a sweep gathers thousands of runs with them.
  const childOptions = { ...gatherOptions, children: related };
  const deferringOptions = { ...childOptions, deferSlots };
  const targets = async function* (): AsyncGenerator<Target> {
    for await (const run of runs) {
      const target: Target = { ...run };
      const queueNow = queues ? await queues.get(run.taskQueue) : undefined;
      if (previous && recall) {
        const remembered = previous.runs[run.workflowId];
        const reason = recheckReason({
          ...target,
          remembered,
          queueNow,
          queueBefore: previous.queues[run.taskQueue],
          sweep: previous.sweeps,
          every: recall.recheckEvery,
        });
        if (reason === undefined) target.remembered = remembered;
      }
      yield target;
    }
  };
  const note = (target: Target, finding: Finding, kind: RememberedRun['kind']) =>
    memory?.add(
      target.workflowId,
      {
        runId: target.runId,
        taskQueue: target.taskQueue,
        verdict: finding.verdict,
        stalled: finding.stalled,
        kind,
        problems: target.problems,
      },
      finding,
    );
  const diagnoseOne = async (target: Target): Promise<SweepItem | undefined> => {
    const run = { workflowId: target.workflowId, runId: target.runId };
    try {
      const remembered = target.remembered;
      if (remembered) {
        memory?.add(target.workflowId, remembered, remembered.finding);
        if (remembered.finding) frozen.noteVictim(remembered.finding);
        return remembered.finding
          ? { kind: 'finding', finding: remembered.finding, remembered: true }
          : {
              kind: 'remembered',
              workflowId: target.workflowId,
              taskQueue: remembered.taskQueue,
              verdict: remembered.verdict,
              stalled: remembered.stalled,
            };
      }
      // Only children can be asked for by another run: only they go through the memo, and their
      // finding is given at once.
      let finding: Finding | undefined;
      if (target.hasParent) finding = await related.of(run);
      else {
        const gathered = await gatherRun(run, true);
        if (gathered?.slotsDeferred) {
          deferred.push({ target, gathered });
          return undefined;
        }
        finding = gathered && conclude(gathered);
      }
      return finding ? settle(target, finding) : { kind: 'closed', ...run };
    } catch (error) {
      return errorItem(run, error);
    } finally {
      scanned += 1;
      options.onProgress?.(scanned);
    }
  };
  // Runs that may hold a frozen worker wait until the victims that would name them were all seen.
  const held: { target: Target; finding: Finding }[] = [];
  /** The run's item, or undefined while it may hold a frozen worker. */
  const settle = (target: Target, finding: Finding): SweepItem | undefined => {
    if (frozen.mayHold(finding)) {
      held.push({ target, finding });
      return undefined;
    }
    note(target, finding, kinds.get(target.runId) ?? 'recheck');
    kinds.delete(target.runId);
    return { kind: 'finding', finding };
  };
  // Without a memory to consult, the listed runs are the targets as they are: no step between.
  for await (const item of mapBounded(
    queues ? targets() : runs,
    options.concurrency ?? DEFAULTS.sweepConcurrency,
    diagnoseOne,
  ))
    if (item) yield item;
  // Every run was described: the slots their workers hold are known.
  for (const { target, gathered } of deferred) {
    try {
      await addSlotFacts(gathered.facts, index, gathered.slotsDeferred?.quiet ?? []);
      const item = settle(target, conclude(gathered));
      if (item) yield item;
    } catch (error) {
      yield errorItem(target, error);
    }
  }
  for (const { target, finding } of held) {
    const judged = frozen.judge(finding);
    note(target, judged, 'recheck');
    yield { kind: 'finding', finding: judged };
  }
  if (memory && remember && queues)
    remember(memory.build((previous?.sweeps ?? 0) + 1, listedFromMs, await queues.all()));
}

/** Running totals of a sweep: counts only, so a 10,000-workflow sweep keeps no findings it need not. */
export class SweepTally {
  scanned = 0;
  stalled = 0;
  closed = 0;
  readonly errors: { workflowId: string; error: string }[] = [];
  readonly counts: Record<Verdict, number> = summarizeFindings([]);

  /** Runs the memory answered for, without a describe. */
  remembered = 0;

  add(item: SweepItem): void {
    this.scanned += 1;
    if (item.kind === 'remembered' || (item.kind === 'finding' && item.remembered)) this.remembered += 1;
    if (item.kind === 'remembered') {
      this.counts[item.verdict] += 1;
      if (item.stalled) this.stalled += 1;
    } else if (item.kind === 'closed') this.closed += 1;
    else if (item.kind === 'error') {
      if (this.errors.length < 20) this.errors.push({ workflowId: item.workflowId, error: item.error });
    } else {
      this.counts[item.finding.verdict] += 1;
      if (item.finding.stalled) this.stalled += 1;
    }
  }

  get errorCount(): number {
    return this.scanned - this.closed - Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}
