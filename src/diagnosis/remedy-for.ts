// The remedy each verdict calls for, worded with the run's own queue, type, activity and evidence.
// Pure: imported by workflow code.
import type { WorkflowFacts } from '../contract/facts.js';
import { formatAge } from './poller-liveness.js';
import { nexusOperationName } from './stall-nexus-operation.js';
import type {
  ActivityEvidence,
  BlockedByEvidence,
  PendingLimitEvidence,
  Evidence,
  FrozenByEvidence,
  NexusOperationEvidence,
  Remedy,
  SaturationEvidence,
  Verdict,
  VersionMismatchEvidence,
} from '../contract/verdicts.js';

/** The remedy a verdict calls for, worded with the run's own task queue, type, activity and evidence. */
export function remedyFor(verdict: Verdict, facts: WorkflowFacts, evidence: Partial<Evidence> = {}): Remedy {
  const activity = evidence.activity;
  const queue = `task queue "${facts.taskQueue}"`;
  // A no-worker verdict about an activity names the activity's queue, which may differ.
  const idleQueue = `task queue "${activity?.taskQueue ?? facts.taskQueue}"`;
  const act = activity ? `activity "${activity.activityType}"` : 'the failing activity';
  switch (verdict) {
    case 'no-worker':
      return {
        action: 'start-worker',
        text: `No live worker polls ${idleQueue}. Start one (or fix the task queue name the worker polls); the workflow then resumes by itself.`,
        autoRecovers: true,
      };
    case 'non-determinism':
      return {
        action: 'terminate-or-reset',
        text: `The workflow code no longer replays this run's history. Terminate the run, or reset it to an event before the change, then start a new run; restarting the worker will not help.`,
        autoRecovers: false,
      };
    case 'workflow-code-bug':
      return {
        action: 'fix-code-restart-worker',
        text: `Fix the exception in workflow "${facts.workflowType}" and restart the worker on ${queue}; the workflow task retries and the run resumes by itself.`,
        autoRecovers: true,
      };
    case 'workflow-not-registered':
      return {
        action: 'register-and-restart-worker',
        text: `Register workflow "${facts.workflowType}" on the worker for ${queue} and restart it; the run resumes by itself.`,
        autoRecovers: true,
      };
    case 'sandbox-violation':
      return {
        action: 'fix-code-restart-worker',
        text: `Move the restricted call out of workflow "${facts.workflowType}" (into an activity) or pass the import through the sandbox, then restart the worker on ${queue}; the run resumes by itself.`,
        autoRecovers: true,
      };
    case 'activity-retry-storm':
      if (activity?.local)
        return {
          action: 'fix-code-restart-worker',
          text: `Fix local activity "${activity.activityType}" (it runs inside the workflow's own worker, on ${queue}) and restart that worker; the backoff timer fires, the retries continue and the run resumes by itself.`,
          autoRecovers: true,
        };
      return {
        action: 'fix-code-restart-worker',
        text: `Fix ${act} and restart the worker that runs it; its retries continue and the run resumes by itself.`,
        autoRecovers: true,
      };
    case 'activity-not-registered':
      return {
        action: 'register-and-restart-worker',
        text: `Register ${act} on the worker that polls its task queue (workflow queue: "${facts.taskQueue}") and restart it; the next retry picks it up.`,
        autoRecovers: true,
      };
    case 'workflow-task-timeout':
      if (evidence.frozenBy) return frozenVictimRemedy(evidence.frozenBy);
      return {
        action: 'inspect-worker',
        text: `Workflow tasks on ${queue} keep timing out: the worker is overloaded, blocked in workflow code or dying mid-task. Read its log, then restart it.`,
        autoRecovers: true,
      };
    case 'version-mismatch':
      return versionRemedy(facts, evidence.version);
    case 'activity-paused':
      return pausedRemedy(facts, activity);
    case 'worker-saturated':
      return saturatedRemedy(activity, evidence.saturation);
    case 'activity-on-dead-worker':
      return deadWorkerRemedy(facts, evidence);
    case 'pending-limit':
      return pendingLimitRemedy(facts, evidence.pendingLimit);
    case 'worker-frozen':
      return {
        action: 'fix-code-restart-worker',
        text: `${act} blocks its worker's event loop: make it a plain \`def\` activity or move the blocking call off the loop, then restart the worker.`,
        autoRecovers: true,
      };
    case 'nexus-operation-failing':
      return nexusRemedy(evidence.nexusOperation);
    case 'blocked':
      return blockedRemedy(evidence.blockedBy);
    case 'history-limit':
      return {
        action: 'continue-as-new',
        text:
          `The server terminates this run of "${facts.workflowType}" when its history reaches the limit. Make the workflow ` +
          `continue-as-new before that (Python: \`if workflow.info().is_continue_as_new_suggested(): workflow.continue_as_new(...)\`) ` +
          `and restart the worker on ${queue}; a change that moves commands may not replay, so run the replay check first.`,
        autoRecovers: false,
      };
    case 'healthy-wait':
      return { action: 'none', text: 'Nothing to do: the run is waiting as designed.', autoRecovers: true };
  }
}

function deadWorkerRemedy(facts: WorkflowFacts, evidence: Partial<Evidence>): Remedy {
  const a = evidence.activity;
  const d = evidence.deadWorker;
  const worker = d?.workerIdentity ?? '?';
  const queue = a?.taskQueue ?? facts.taskQueue;
  const start = d?.livePoller === false ? `Start the worker on task queue "${queue}" (none polls it). ` : '';
  const timeout =
    d?.startToCloseTimeoutMs !== undefined
      ? ` (${formatAge(d.startToCloseTimeoutMs)} after the attempt started)`
      : '';
  const when = ` when its start-to-close timeout${timeout} ends`;
  const handle = `workflow_id="${facts.workflowId}", run_id="${facts.runId}", activity_id="${a?.activityId ?? '<id>'}"`;
  return {
    action: 'retry-lost-activity',
    text:
      `${start}Worker ${worker} died running activity "${a?.activityType ?? '?'}": the server retries it only${when}. ` +
      `To retry it now, fail the lost attempt with a retryable failure from an SDK client, and its retry policy schedules ` +
      `the next attempt (Python: \`await client.get_async_activity_handle(${handle}).fail(ApplicationError("worker ${worker} died"))\`); ` +
      `not with \`temporal activity fail\`, which marks the failure non-retryable and fails the activity for good. ` +
      `Give the activity a heartbeat_timeout (and heartbeat in it), so the next dead worker is noticed within that timeout.`,
    autoRecovers: true,
  };
}

const PENDING_LIMIT_WHAT: Readonly<Record<PendingLimitEvidence['kind'], string>> = {
  activities: 'activities',
  'child-workflows': 'child workflows',
  signals: 'signals to other workflows',
  'cancel-requests': 'cancel requests to other workflows',
  'nexus-operations': 'Nexus operations',
};

function pendingLimitRemedy(facts: WorkflowFacts, p: PendingLimitEvidence | undefined): Remedy {
  const what = p ? PENDING_LIMIT_WHAT[p.kind] : 'operations';
  const value = p?.limit !== undefined ? `${p.limit} here` : `${p?.defaultLimit} by default`;
  const setting = p ? `${p.setting} (${value})` : 'its limit.numPending* setting';
  return {
    action: 'fix-code-restart-worker',
    text:
      `Workflow "${facts.workflowType}" keeps more ${what} pending at once than the server allows per workflow, so the server ` +
      `fails each workflow task that would add more. Bound how many it starts at once (batches, or a fan-out over child ` +
      `workflows or continue-as-new), then restart the worker on task queue "${facts.taskQueue}"; or raise the server's ` +
      `dynamic config ${setting}. The workflow task retries and the run resumes by itself.`,
    autoRecovers: true,
  };
}

function frozenVictimRemedy(f: FrozenByEvidence): Remedy {
  const h = f.holder;
  return {
    action: 'inspect-worker',
    text:
      `Worker ${f.workerIdentity} takes this run's workflow tasks but never finishes them: activity "${h.activityType}" of ` +
      `workflow ${h.workflowId} blocks its event loop (a blocking call in an async activity). Fix that activity ` +
      `(a plain \`def\` activity, or \`asyncio.to_thread\`) and restart the worker; this run then resumes by itself.`,
    autoRecovers: true,
    target: { workflowId: h.workflowId, runId: h.runId },
  };
}

function versionRemedy(facts: WorkflowFacts, v: VersionMismatchEvidence | undefined): Remedy {
  const pinned = v
    ? `deployment "${v.pinned.deploymentName}" Build ID "${v.pinned.buildId}"`
    : 'its pinned version';
  return {
    action: 'start-pinned-version',
    text:
      `Run ${facts.workflowId} is pinned to ${pinned}${v?.pinned.override ? ' (by a versioning override)' : ''}, and no live worker of that version polls ` +
      `task queue "${facts.taskQueue}". Start a worker of that version (the code of that build, with that deployment name and Build ID); ` +
      `or, only if newer code replays its history, move the run with \`temporal workflow update-options --workflow-id ${facts.workflowId} ` +
      `--versioning-override-behavior auto_upgrade\`. Starting the current worker again does not help: it serves another version.`,
    autoRecovers: true,
  };
}

function pausedRemedy(facts: WorkflowFacts, activity: ActivityEvidence | undefined): Remedy {
  const ids = `--workflow-id ${facts.workflowId} --activity-id ${activity?.activityId ?? '<id>'}`;
  return {
    action: 'unpause-activity',
    text:
      `Activity "${activity?.activityType ?? '?'}" was paused on purpose: check with whoever paused it, then unpause it ` +
      `(temporal activity unpause ${ids}), or reset its attempts, which also unpauses it (temporal activity reset ${ids}); ` +
      `the run then resumes by itself.`,
    autoRecovers: true,
  };
}

function saturatedRemedy(activity: ActivityEvidence | undefined, s: SaturationEvidence | undefined): Remedy {
  const held = s?.holding[0];
  const holder = held
    ? `activity "${held.activityType}" of workflow ${held.workflowId}${s.holding.length > 1 ? ` (and ${s.holding.length - 1} more)` : ''}`
    : 'its running activities';
  return {
    action: 'raise-worker-slots',
    text:
      `Worker ${s?.workerIdentity ?? '?'} is alive but every activity slot is taken by ${holder}, so ` +
      `"${activity?.activityType ?? 'the activity'}" waits in the queue. Let the holder finish (or fix it if it should not run so long), ` +
      `or raise the worker's activity slots (max_concurrent_activities in the Python SDK); the worker is alive, so do not start a second one.`,
    autoRecovers: true,
  };
}

function blockedRemedy(b: BlockedByEvidence | undefined): Remedy {
  const root = b?.rootCause;
  if (!root) return { action: 'none', text: 'Blocked by a run that could not be read.', autoRecovers: true };
  return {
    action: root.remedy.action,
    text: `Blocked by ${root.chain.join(' -> ')} (${root.verdict}): ${root.remedy.text}`,
    autoRecovers: root.remedy.autoRecovers,
    target: { workflowId: root.workflowId, runId: root.runId },
  };
}

function nexusRemedy(n: NexusOperationEvidence | undefined): Remedy {
  if (n?.state === undefined)
    return {
      action: 'fix-code-restart-worker',
      text:
        `The server refused to schedule the workflow's Nexus operation (BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES): its endpoint ` +
        `does not exist on this server, or its attributes are invalid (the failure message says which). Create the endpoint ` +
        `(\`temporal operator nexus endpoint create --name <endpoint> --target-namespace <ns> --target-task-queue <queue>\`) or fix ` +
        `the endpoint name in the workflow code and restart its worker; the workflow task retries and the run resumes by itself.`,
      autoRecovers: true,
    };
  const op = nexusOperationName(n);
  const target = n.target
    ? `the worker that polls task queue "${n.target.taskQueue}" in namespace ${n.target.namespace} (the endpoint's target)`
    : `the worker that polls the endpoint's target task queue (\`temporal operator nexus endpoint get --name ${n.endpoint}\` names it)`;
  const served = n.handlerPollers?.some((p) => p.live);
  if (n.state === 'blocked')
    return {
      action: 'inspect-worker',
      text:
        `The server holds back Nexus operation ${op}: too many of its requests to that endpoint failed or timed out, so its circuit ` +
        `breaker is open. Read the log of ${target} and fix or restart it; the breaker closes after a while and the operation resumes by itself.`,
      autoRecovers: true,
    };
  if (n.handlerErrorType === 'UPSTREAM_TIMEOUT' && served)
    return {
      action: 'inspect-worker',
      text:
        `A worker polls for the Nexus tasks of ${op}, yet no start request was answered in time: its start handler is too slow ` +
        `(it must return within the request deadline; start a workflow for long work) or the worker is overloaded. Read the log of ${target}; ` +
        `the server keeps retrying and the run resumes by itself.`,
      autoRecovers: true,
    };
  if (n.handlerErrorType === 'UPSTREAM_TIMEOUT')
    return {
      action: 'start-worker',
      text:
        `No Nexus handler answered the start request of ${op} in time: start ${target}, with service "${n.service}" registered ` +
        `(or make a slow start handler return within the request deadline); the server keeps retrying and the run resumes by itself.`,
      autoRecovers: true,
    };
  return {
    action: 'fix-code-restart-worker',
    text:
      `The Nexus handler of ${op} fails on start: fix it (or what it depends on) and restart ${target}; the server keeps retrying ` +
      `the start and the run resumes by itself. A handler that should give up raises a non-retryable error, which fails the operation in the caller.`,
    autoRecovers: true,
  };
}
