// Progress facts of a remedied run (describe, full history, pollers), for DebugStalled's verify step.
import type { Client } from '@temporalio/client';
import type { PollerFact } from '../src/contract/facts.js';
import type { ProgressFacts } from '../src/diagnosis/verify.js';
import { timestampMs } from '../src/inspect/convert.js';
import { factsFromDescribe } from '../src/inspect/describe-facts.js';
import { eventTypeName, type HistoryEvent } from '../src/inspect/history.js';
import { isPaused } from '../src/diagnosis/stall-rules.js';
import { listPollers } from '../src/temporal/task-queue.js';

/** The run's full history (remedied runs are stalled early, so it is short). */
export async function runHistory(client: Client, workflowId: string, runId: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return history.events ?? [];
}

/** What the run did: status, last completed workflow task, completed activities, problems, pollers. */
export async function progressFacts(
  client: Client,
  run: { workflowId: string; runId: string },
  withPollers = false,
): Promise<ProgressFacts> {
  const described = await client.workflowService.describeWorkflowExecution({
    namespace: client.options.namespace,
    execution: run,
  });
  const facts = factsFromDescribe(described);
  const events = await runHistory(client, run.workflowId, run.runId);
  const activityIds = new Map<string, string>();
  const progress: ProgressFacts = {
    workflowId: run.workflowId,
    runId: run.runId,
    status: facts.status,
    workflowTaskStarted: false,
    activityCompletedMs: {},
  };
  for (const event of events) {
    const type = eventTypeName(event);
    const at = timestampMs(event.eventTime) ?? 0;
    if (type === 'WorkflowTaskStarted') progress.workflowTaskStarted = true;
    else if (type === 'WorkflowTaskCompleted') progress.lastWorkflowTaskCompletedMs = at;
    else if (type === 'ActivityTaskScheduled')
      activityIds.set(String(event.eventId), event.activityTaskScheduledEventAttributes?.activityId ?? '');
    else if (type === 'ActivityTaskCompleted') {
      const id = activityIds.get(String(event.activityTaskCompletedEventAttributes?.scheduledEventId ?? ''));
      if (id !== undefined) progress.activityCompletedMs[id] = at;
    }
  }
  progress.reportedProblems = facts.reportedProblems ?? [];
  progress.pendingActivities = facts.pendingActivities.map((a) => ({
    activityId: a.activityId,
    paused: isPaused(a),
    attempt: a.attempt,
    ...(a.lastStartedTimeMs !== undefined && { lastStartedTimeMs: a.lastStartedTimeMs }),
  }));
  if (withPollers) {
    const pollers: PollerFact[] | undefined = await listPollers(client, facts.taskQueue, 'workflow').catch(
      () => undefined,
    );
    if (pollers) progress.pollers = pollers;
  }
  return progress;
}
