// Analysis of one workflow run, whatever its status: the stall finding, how it closed (failure
// chain, terminate reason) and our worker's log lines around the failing task.
import type { Client } from '@temporalio/client';
import { diagnose } from '../diagnosis/diagnose.js';
import type { RunHeader, WorkflowFacts } from '../contract/facts.js';
import type { LivenessOracle, RemoteLiveness } from '../diagnosis/poller-liveness.js';
import { resolveDiagnosisPolicy, type DiagnosisPolicy, type Finding } from '../contract/verdicts.js';
import { FrozenWorkers, retryingRunsOn } from './frozen-workers.js';
import { gatherFacts } from './gather.js';
import { isNotFound } from '../temporal/grpc.js';
import { HeldSlots } from './held-slots.js';
import type { CloseEventFact } from './history.js';
import { PollerCache } from './pollers.js';
import { RunFindings } from './relations.js';
import type { LogExcerpt, LogQuery } from '../contract/log-excerpt.js';

export interface Analysis extends RunHeader {
  historyLength: number;
  finding: Finding;
  /** How the run closed (failure chain for FAILED, reason for TERMINATED, ...); absent while RUNNING. */
  close?: CloseEventFact;
  /** Our worker logs' lines about this run (empty when no log names it, or logs were not searched). */
  logs: LogExcerpt[];
}

export interface AnalyzeOptions {
  policy?: Partial<DiagnosisPolicy>;
  /** Searches our worker logs for lines about the run (see src/host/logs); omit to skip the search. */
  logs?: (query: LogQuery) => Promise<LogExcerpt[]>;
  /** Tells the processes behind poller identities on this host (see SweepOptions.oracle). */
  oracle?: LivenessOracle;
  /** Asks other hosts' control workers about the processes their pollers name (see remote-liveness.ts). */
  remote?: RemoteLiveness;
}

/** The moment the logs are searched around: the failing task, else the pending task, else the close. */
function failingTimeMs(facts: WorkflowFacts): number | undefined {
  return (
    facts.lastWorkflowTaskFailure?.timeMs ??
    facts.pendingWorkflowTask?.startedTimeMs ??
    facts.pendingWorkflowTask?.scheduledTimeMs ??
    facts.closeTimeMs
  );
}

/** Gathers everything about one run (always reading its history tail) and diagnoses it. */
export async function analyzeWorkflow(
  client: Client,
  execution: { workflowId: string; runId?: string },
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const policy = options.policy ?? {};
  const pollers = new PollerCache(client, options);
  const shared = {
    slots: new HeldSlots(client),
    pollerFreshMs: resolveDiagnosisPolicy(policy).pollerFreshMs,
  };
  // Children are gathered as a sweep gathers them; the run itself always with its history.
  const children: RunFindings = new RunFindings(async (run) => {
    try {
      const child = await gatherFacts(client, run, pollers, { ...shared, children });
      return child.facts.status === 'RUNNING' ? diagnose(child.facts, child.gatheredAtMs, policy) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
  const gathered = await gatherFacts(client, execution, pollers, {
    ...shared,
    children,
    history: 'always',
    followSignal: true,
  });
  const { facts } = gathered;
  let finding = diagnose(facts, gathered.gatheredAtMs, policy);
  // Alone, a run whose silent activity may freeze its worker looks for the victims a sweep would see.
  const frozen = new FrozenWorkers();
  frozen.note(facts, finding, gathered.gatheredAtMs, shared.pollerFreshMs);
  if (frozen.mayHold(finding)) {
    const victims = await retryingRunsOn(client, facts.taskQueue, facts.runId, async (run) => {
      const victim = await gatherFacts(client, run, pollers, shared);
      return victim.facts.status === 'RUNNING'
        ? { facts: victim.facts, finding: diagnose(victim.facts, victim.gatheredAtMs, policy) }
        : undefined;
    });
    for (const v of victims) frozen.note(v.facts, v.finding, gathered.gatheredAtMs, shared.pollerFreshMs);
    finding = frozen.judge(finding);
  }
  const aroundMs = failingTimeMs(facts);
  const logs = options.logs
    ? await options.logs({
        workflowId: facts.workflowId,
        runId: facts.runId,
        taskQueue: facts.taskQueue,
        ...(aroundMs !== undefined && { aroundMs }),
      })
    : [];
  const analysis: Analysis = {
    workflowId: facts.workflowId,
    runId: facts.runId,
    workflowType: facts.workflowType,
    taskQueue: facts.taskQueue,
    status: facts.status,
    startTimeMs: facts.startTimeMs,
    historyLength: facts.historyLength,
    finding,
    logs,
  };
  if (facts.closeTimeMs !== undefined) analysis.closeTimeMs = facts.closeTimeMs;
  if (gathered.close) analysis.close = gathered.close;
  return analysis;
}
