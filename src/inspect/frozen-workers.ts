// Within one sweep: the runs whose workflow tasks time out on a worker name the activity that blocks
// it (evidence.frozenBy), and the run holding that activity is judged `worker-frozen` once the sweep
// has seen them all. Only runs with a started, silent activity wait for the end of the sweep. A run
// analysed alone looks for its victims itself (retryingRunsOn).
import type { Client } from '@temporalio/client';
import type { RunRef, WorkflowFacts } from '../contract/facts.js';
import { frozenWorkerFinding, holderKey } from '../diagnosis/stall-frozen-worker.js';
import type { Finding } from '../contract/verdicts.js';
import { factsFromDescribe } from './describe-facts.js';
import { listExecutions } from './list-executions.js';
import { mapLimit } from './pool.js';

/** Running runs of a queue looked at for victims, at most (as for the holders of a saturated worker). */
const MAX_RUNS = 200;

/** A run gathered and diagnosed. */
export interface Diagnosed {
  facts: WorkflowFacts;
  finding: Finding;
}

/**
 * The running runs of `queue` (but `exceptRunId`) whose workflow task is retrying, gathered and
 * diagnosed by `diagnoseRun`: where the victims of a frozen worker are. One describe per run listed.
 */
export async function retryingRunsOn(
  client: Client,
  queue: string,
  exceptRunId: string,
  diagnoseRun: (run: RunRef) => Promise<Diagnosed | undefined>,
): Promise<Diagnosed[]> {
  const runs: RunRef[] = [];
  const query = `ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(queue)}`;
  for await (const info of listExecutions(client, query, 100)) {
    const run = { workflowId: info.execution?.workflowId ?? '', runId: info.execution?.runId ?? '' };
    if (run.workflowId && run.runId && run.runId !== exceptRunId) runs.push(run);
    if (runs.length >= MAX_RUNS) break;
  }
  const found = await mapLimit(runs, 8, async (run) => {
    const response = await client.workflowService
      .describeWorkflowExecution({ namespace: client.options.namespace, execution: run })
      .catch(() => undefined);
    if (!response || (factsFromDescribe(response).pendingWorkflowTask?.attempt ?? 0) <= 1) return undefined;
    return diagnoseRun(run).catch(() => undefined);
  });
  return found.filter((d): d is Diagnosed => d !== undefined);
}

export class FrozenWorkers {
  private readonly victims = new Map<string, { workerIdentity: string; victims: RunRef[] }>();
  private readonly candidates = new Map<string, string>();

  /** Records a victim: a run whose finding names the activity that blocks its worker (a repeat sweep's remembered ones too). */
  noteVictim(finding: Finding): void {
    const frozen = finding.evidence.frozenBy;
    if (!frozen) return;
    const key = holderKey(frozen.holder);
    const entry = this.victims.get(key) ?? { workerIdentity: frozen.workerIdentity, victims: [] };
    entry.victims.push({ workflowId: finding.workflowId, runId: finding.runId });
    this.victims.set(key, entry);
  }

  /** Records what a diagnosed run says: a victim naming a blocking activity, or a run that may hold one. */
  note(facts: WorkflowFacts, finding: Finding, now: number, freshMs: number): void {
    this.noteVictim(finding);
    if (finding.verdict !== 'healthy-wait') return;
    const silent = facts.pendingActivities.find(
      (a) =>
        a.state === 'started' &&
        a.lastWorkerIdentity !== undefined &&
        (a.lastHeartbeatTimeMs === undefined || now - a.lastHeartbeatTimeMs > freshMs),
    );
    if (silent) this.candidates.set(finding.runId, silent.activityId);
  }

  /** True when the run may hold a frozen worker: its finding waits until every victim was seen. */
  mayHold(finding: Finding): boolean {
    return this.candidates.has(finding.runId);
  }

  /** The run's finding, as `worker-frozen` when victims named its activity. */
  judge(finding: Finding): Finding {
    const activityId = this.candidates.get(finding.runId);
    const named = activityId && this.victims.get(holderKey({ runId: finding.runId, activityId }));
    return activityId && named
      ? frozenWorkerFinding(finding, activityId, named.workerIdentity, named.victims)
      : finding;
  }
}
