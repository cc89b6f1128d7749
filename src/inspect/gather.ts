// Gathering the facts about one run: describe, the tail of history when it matters, and the
// pollers of its task queues. Everything is converted here; diagnose() gets plain data.
import type { Client } from '@temporalio/client';
import type { WorkflowFacts } from '../contract/facts.js';
import { factsFromDescribe } from './describe-facts.js';
import { decodeDescribedFailures } from './failure-attributes.js';
import type { SlotSource } from './held-slots.js';
import { readRecentHistory, type CloseEventFact, type RecentHistory } from './history.js';
import type { PollerCache } from './pollers.js';
import { nexusEndpointTarget } from '../temporal/nexus-endpoints.js';
import { blockerFrom, blockersOf, waitsOnRuns, type RunFindings } from './relations.js';

/**
 * `auto` reads history only when describe shows a reason: a workflow task on attempt > 1, reported
 * problems, a closed run, a quiet run whose history grew past a plain wait (a local activity
 * retrying behind timers shows only there), or (with explainIdle) an idle run whose wait we want to name.
 */
export type HistoryMode = 'auto' | 'always' | 'never';

export interface GatherOptions {
  history?: HistoryMode;
  /** In auto mode, read the last events of idle runs to tell a timer wait from a signal wait (default true). */
  explainIdle?: boolean;
  /** Diagnoses pending children (memoized), so a run waiting on a stalled one is found blocked; omitted, children are not read. */
  children?: RunFindings;
  /** Finds what a worker that stopped polling for activities is busy with; omitted, not looked for. */
  slots?: SlotSource;
  /**
   * Asked with the queues whose slots the run needs: true when the caller adds the slot facts itself
   * later (addSlotFacts), from runs it describes anyway; the gatherer then leaves them out.
   */
  deferSlots?: (queues: string[]) => boolean;
  /** A poller seen this recently is live (the diagnosis policy's pollerFreshMs; default 70 s). */
  pollerFreshMs?: number;
  /**
   * Diagnoses the workflow an idle run signalled last (through `children`), so its wait can name what that
   * workflow is doing. Only for the run asked about: a signal is no recorded wait, and is not followed further.
   */
  followSignal?: boolean;
}

export interface GatheredFacts {
  facts: WorkflowFacts;
  /** When the facts were complete: pass it to diagnose() as `now`. */
  gatheredAtMs: number;
  /** How the run closed, when history was read and the run is closed. */
  close?: CloseEventFact;
  historyRead: boolean;
  /** Set when the slot facts were left to the caller (deferSlots): the quiet activity queues to pass to addSlotFacts. */
  slotsDeferred?: { quiet: string[] };
}

/**
 * A run that started and waits (on a timer, a signal, an update) has fewer events than this; a quiet run
 * with more has been busy, and its newest events say with what. Healthy waits of sweeps stay unread.
 */
export const QUIET_HISTORY_EVENTS = 12;

/** Whether the history tail can change the diagnosis of these describe facts. */
export function needsHistory(facts: WorkflowFacts, mode: HistoryMode = 'auto', explainIdle = true): boolean {
  if (mode !== 'auto') return mode === 'always';
  if (facts.status !== 'RUNNING') return true;
  if ((facts.pendingWorkflowTask?.attempt ?? 0) > 1) return true;
  if ((facts.reportedProblems?.length ?? 0) > 0) return true;
  const quiet =
    facts.pendingActivities.length === 0 && !facts.pendingChildWorkflows && !facts.pendingNexusOperations;
  if (quiet && facts.historyLength > QUIET_HISTORY_EVENTS) return true;
  return quiet && !facts.pendingWorkflowTask && explainIdle;
}

function mergeHistory(facts: WorkflowFacts, recent: RecentHistory): void {
  facts.workflowTaskTimeoutsSinceCompleted = recent.workflowTaskTimeoutsSinceCompleted;
  if (recent.lastEventType !== undefined) facts.lastEventType = recent.lastEventType;
  if (recent.lastWorkflowTaskFailure) facts.lastWorkflowTaskFailure = recent.lastWorkflowTaskFailure;
  if (recent.openUpdates) facts.openUpdates = recent.openUpdates;
  if (recent.lastSignalSent) facts.lastSignalSent = recent.lastSignalSent;
  if (recent.localActivityFailure) facts.localActivityFailure = recent.localActivityFailure;
  if (recent.recoveredFailures) facts.recoveredFailures = recent.recoveredFailures;
  if (recent.lastWorkflowTaskStarted) facts.lastWorkflowTaskStarted = recent.lastWorkflowTaskStarted;
  if (recent.lastWorkflowTaskCompletedEventId !== undefined) {
    facts.lastWorkflowTaskCompletedEventId = recent.lastWorkflowTaskCompletedEventId;
  }
}

/** The pollers of the queues of scheduled activities, by queue; undefined when there are none. */
async function activityPollers(
  facts: WorkflowFacts,
  pollers: PollerCache,
): Promise<WorkflowFacts['activityPollers']> {
  const queues = new Set<string>();
  for (const a of facts.pendingActivities)
    if (a.state === 'scheduled' && a.taskQueue) queues.add(a.taskQueue);
  if (queues.size === 0) return undefined;
  const byQueue: NonNullable<WorkflowFacts['activityPollers']> = {};
  for (const q of queues) {
    const found = await pollers.get(q, 'activity');
    if (found !== undefined) byQueue[q] = found;
  }
  return Object.keys(byQueue).length > 0 ? byQueue : undefined;
}

/**
 * The activity queues where an activity waits while no activity poller is fresh, though some poller
 * was seen: a worker that may be alive with every slot taken.
 */
function quietActivityQueues(
  facts: WorkflowFacts,
  byQueue: WorkflowFacts['activityPollers'],
  now: number,
  freshMs: number,
): string[] {
  const queues = new Set<string>();
  for (const a of facts.pendingActivities) {
    if (a.state !== 'scheduled' || !a.taskQueue) continue;
    const pollers = byQueue?.[a.taskQueue];
    if (pollers && !pollers.some((p) => now - p.lastAccessTimeMs < freshMs)) queues.add(a.taskQueue);
  }
  return [...queues];
}

/** Adds the started activities by worker and the backlogs of the quiet queues to the facts. */
async function addSaturationFacts(facts: WorkflowFacts, slots: SlotSource, queues: string[]): Promise<void> {
  const [held, stats] = await Promise.all([
    Promise.all(queues.map((q) => slots.byWorker(q))),
    Promise.all(queues.map((q) => slots.backlog(q))),
  ]);
  const heldSlots: NonNullable<WorkflowFacts['heldSlots']> = {};
  for (const byWorker of held)
    for (const [identity, list] of Object.entries(byWorker)) (heldSlots[identity] ??= []).push(...list);
  if (Object.keys(heldSlots).length > 0) facts.heldSlots = heldSlots;
  const byQueue: NonNullable<WorkflowFacts['activityQueueStats']> = {};
  queues.forEach((q, i) => {
    const s = stats[i];
    if (s) byQueue[q] = s;
  });
  if (Object.keys(byQueue).length > 0) facts.activityQueueStats = byQueue;
}

/**
 * For a started activity with no heartbeat timeout whose worker does not poll the run's queue: what the
 * worker's host says of its process, so a worker that died running it is told from a busy one.
 */
async function addLostActivityFacts(
  facts: WorkflowFacts,
  pollers: PollerCache,
  freshMs: number,
): Promise<void> {
  const now = Date.now();
  const polling = new Set(
    (facts.workflowPollers ?? [])
      .filter((p) => now - p.lastAccessTimeMs < freshMs && p.process?.running !== false)
      .map((p) => p.identity),
  );
  for (const a of facts.pendingActivities) {
    if (a.state !== 'started' || a.heartbeatTimeoutMs !== undefined || !a.lastWorkerIdentity) continue;
    if (polling.has(a.lastWorkerIdentity)) continue;
    const process = await pollers.processOf(a.lastWorkerIdentity);
    if (process) a.lastWorkerProcess = process;
  }
}

/** Events per history page: 32, or one at a time when events are large (a page must stay under the 4 MiB gRPC limit). */
export function pageSizeFor(facts: Pick<WorkflowFacts, 'historyLength' | 'historySizeBytes'>): number {
  const average = (facts.historySizeBytes ?? 0) / Math.max(1, facts.historyLength);
  return average > 32 * 1024 ? 1 : 32;
}

/** The worker that took the run's workflow task, when those tasks time out: a worker that may be frozen. */
function timingOutOn(facts: WorkflowFacts): string | undefined {
  const identity = facts.lastWorkflowTaskStarted?.identity;
  const timingOut =
    facts.workflowTaskTimeoutsSinceCompleted > 0 || facts.lastEventType === 'WorkflowTaskTimedOut';
  return timingOut ? identity : undefined;
}

/**
 * For a run whose workflow tasks time out on one worker: the activities that worker runs on the run's
 * queue, among which may be one that blocks its event loop.
 */
async function addFrozenWorkerFacts(facts: WorkflowFacts, slots: SlotSource): Promise<void> {
  const identity = timingOutOn(facts);
  if (!identity) return;
  const held = (await slots.byWorker(facts.taskQueue))[identity];
  if (held?.length) facts.heldSlots = { ...facts.heldSlots, [identity]: held };
}

/**
 * What workers hold, where it can name the cause: for activities waiting on `quiet` queues (a worker
 * that may be saturated), and for workflow tasks timing out on one worker (one that may be frozen).
 */
export async function addSlotFacts(facts: WorkflowFacts, slots: SlotSource, quiet: string[]): Promise<void> {
  if (quiet.length > 0) await addSaturationFacts(facts, slots, quiet);
  await addFrozenWorkerFacts(facts, slots);
}

/**
 * For a pending Nexus operation not started that has failed (or is held back): where its endpoint routes it,
 * and the Nexus pollers of that queue when it is in this namespace, so "no handler worker" can be told.
 */
async function addNexusTargets(client: Client, facts: WorkflowFacts, pollers: PollerCache): Promise<void> {
  for (const op of facts.pendingNexusOperations ?? []) {
    const failing = op.state === 'blocked' || op.lastAttemptFailureMessage !== undefined;
    if (op.state === 'started' || !failing || !op.endpoint) continue;
    const target = await nexusEndpointTarget(client, op.endpoint);
    if (!target) continue;
    op.endpointTarget = target;
    if (target.namespace !== client.options.namespace) continue;
    const listed = await pollers.get(target.taskQueue, 'nexus');
    if (listed) op.handlerPollers = listed;
  }
}

/** For an idle run that signalled another workflow last: that workflow's own finding (or that it no longer runs). */
async function addSignalTarget(facts: WorkflowFacts, findings: RunFindings): Promise<void> {
  const sent = facts.lastSignalSent;
  const idle =
    !facts.pendingWorkflowTask && facts.pendingActivities.length === 0 && !facts.pendingChildWorkflows;
  if (!sent || sent.outcome === 'failed' || !idle || facts.pendingNexusOperations) return;
  const run = { workflowId: sent.workflowId, runId: sent.runId ?? '' };
  if (run.workflowId === facts.workflowId) return;
  const found = await findings.of(run).catch(() => null);
  if (found === null) return;
  // Waiting for a signal after signalling a stalled workflow: most likely waiting on its answer.
  if (found?.stalled && !facts.blockers?.length)
    facts.blockers = [
      blockerFrom(found, 'signalled-workflow', `signal "${sent.signalName}" (event ${sent.eventId})`),
    ];
  sent.target = found
    ? {
        running: true,
        runId: found.runId,
        workflowType: found.workflowType,
        verdict: found.verdict,
        stalled: found.stalled,
      }
    : { running: false };
}

/**
 * Describes the run (latest run when runId is omitted), reads its history tail when it matters and
 * adds the pollers of its queues (cached per sweep). Throws the server's error (e.g. not found).
 */
export async function gatherFacts(
  client: Client,
  execution: { workflowId: string; runId?: string },
  pollers: PollerCache,
  options: GatherOptions = {},
): Promise<GatheredFacts> {
  const response = await client.workflowService.describeWorkflowExecution({
    namespace: client.options.namespace,
    execution: { workflowId: execution.workflowId, runId: execution.runId ?? '' },
  });
  const decoding = decodeDescribedFailures(client, response);
  if (decoding) await decoding;
  const facts = factsFromDescribe(response);
  const running = facts.status === 'RUNNING';
  const readHistory = needsHistory(facts, options.history, options.explainIdle);
  // Only what is needed is awaited: most runs of a sweep need no history, and their queues' pollers
  // are known already.
  const history = readHistory
    ? readRecentHistory(
        client,
        { workflowId: facts.workflowId, runId: facts.runId },
        { pageSize: pageSizeFor(facts) },
      )
    : undefined;
  // Awaited below, after the pollers: until then a rejection must not count as unhandled.
  history?.catch(() => undefined);
  const known = running ? pollers.get(facts.taskQueue, 'workflow') : undefined;
  const workflowPollers = known instanceof Promise ? await known : known;
  const byQueue =
    running && facts.pendingActivities.length > 0 ? await activityPollers(facts, pollers) : undefined;
  const recent = history ? await history : undefined;
  if (recent) mergeHistory(facts, recent);
  if (workflowPollers) facts.workflowPollers = workflowPollers;
  if (byQueue) facts.activityPollers = byQueue;
  const quiet =
    options.slots && byQueue
      ? quietActivityQueues(facts, byQueue, Date.now(), options.pollerFreshMs ?? 70_000)
      : [];
  let slotsDeferred: GatheredFacts['slotsDeferred'];
  if (options.slots && running) {
    const frozenQueue = timingOutOn(facts) ? [facts.taskQueue] : [];
    const queues = [...quiet, ...frozenQueue];
    if (queues.length > 0 && options.deferSlots?.(queues)) slotsDeferred = { quiet };
    else await addSlotFacts(facts, options.slots, quiet);
  }
  if (running && facts.pendingActivities.length > 0)
    await addLostActivityFacts(facts, pollers, options.pollerFreshMs ?? 70_000);
  if (running && options.children && waitsOnRuns(facts)) {
    const blockers = await blockersOf(facts, options.children, client.options.namespace);
    if (blockers.length > 0) facts.blockers = blockers;
  }
  if (running && facts.pendingNexusOperations) await addNexusTargets(client, facts, pollers);
  if (running && options.children && options.followSignal) await addSignalTarget(facts, options.children);
  const gathered: GatheredFacts = { facts, gatheredAtMs: Date.now(), historyRead: recent !== undefined };
  if (recent?.close) gathered.close = recent.close;
  if (slotsDeferred) gathered.slotsDeferred = slotsDeferred;
  return gathered;
}
