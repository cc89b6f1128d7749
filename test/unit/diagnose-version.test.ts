import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose, type PollerFact, type WorkflowFacts } from '../../src/diagnosis/index.js';
import { factsFromDescribe } from '../../src/inspect/describe-facts.js';
import { planRemedies } from '../../src/diagnosis/remedy-plan.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const SEC = 1000;
const v1 = { deploymentName: 'orders', buildId: 'v1' };
const v2 = { deploymentName: 'orders', buildId: 'v2' };

function facts(over: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return {
    workflowId: 'order-17',
    runId: 'run-17',
    workflowType: 'OrderWorkflow',
    taskQueue: 'orders',
    status: 'RUNNING',
    startTimeMs: NOW - 600 * SEC,
    historyLength: 6,
    pendingActivities: [],
    lastWorkflowTaskCompletedEventId: 4,
    workflowTaskTimeoutsSinceCompleted: 0,
    lastEventType: 'WorkflowTaskScheduled',
    pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 30 * SEC },
    pinnedVersion: { ...v1, override: false },
    workflowPollers: [{ identity: '11@host', lastAccessTimeMs: NOW - 2 * SEC, version: v2 }],
    ...over,
  };
}

const poller = (version: PollerFact['version'], ageMs = 2 * SEC): PollerFact => ({
  identity: `${version?.buildId ?? 'plain'}@host`,
  lastAccessTimeMs: NOW - ageMs,
  ...(version && { version }),
});

describe('version-mismatch', () => {
  it('is a pinned run whose workflow task waits while the live pollers serve another version', () => {
    const f = diagnose(facts(), NOW, { noWorkerAfterMs: 10 * SEC });
    assert.equal(f.verdict, 'version-mismatch');
    assert.deepEqual(f.evidence.version, { pinned: { ...v1, override: false }, served: [v2] });
    assert.match(
      f.evidence.summary,
      /Build ID "v1" \(pinned by its PINNED versioning behavior\); the live pollers serve orders\/v2/,
    );
    assert.equal(f.remedy.action, 'start-pinned-version');
    assert.match(
      f.remedy.text,
      /update-options --workflow-id order-17 --versioning-override-behavior auto_upgrade/,
    );
  });

  it('names the override, lists unversioned and stale pollers right, and says when nobody polls', () => {
    const pollers = [poller(v2), poller(v2), poller(undefined), poller(v1, 10 * 60 * SEC)];
    const f = diagnose(facts({ pinnedVersion: { ...v1, override: true }, workflowPollers: pollers }), NOW);
    assert.equal(f.verdict, 'version-mismatch');
    assert.deepEqual(f.evidence.version?.served, [v2, 'unversioned']);
    assert.match(
      f.evidence.summary,
      /pinned by a versioning override\); the live pollers serve orders\/v2, unversioned/,
    );
    const none = diagnose(facts({ workflowPollers: [] }), NOW);
    assert.equal(none.verdict, 'version-mismatch');
    assert.match(none.evidence.summary, /no live poller on the queue/);
  });

  it('is not a mismatch when a live poller serves the version, before noWorkerAfterMs, unpinned, or without pollers', () => {
    assert.notEqual(
      diagnose(facts({ workflowPollers: [poller(v1), poller(v2)] }), NOW).verdict,
      'version-mismatch',
    );
    assert.notEqual(diagnose(facts(), NOW, { noWorkerAfterMs: 60 * SEC }).verdict, 'version-mismatch');
    assert.equal(diagnose(facts({ pinnedVersion: undefined }), NOW).verdict, 'healthy-wait');
    assert.notEqual(diagnose(facts({ workflowPollers: undefined }), NOW).verdict, 'version-mismatch');
  });

  it("is also an activity on the run's queue waiting for its version, judged by the activity pollers", () => {
    const waiting = {
      pendingWorkflowTask: undefined,
      workflowPollers: [poller(v2)],
      pendingActivities: [
        {
          activityId: '5',
          activityType: 'charge',
          state: 'scheduled',
          attempt: 2,
          maximumAttempts: 0,
          scheduledTimeMs: NOW - 30 * SEC,
          taskQueue: 'orders',
        },
      ],
    };
    const f = diagnose(facts({ ...waiting, activityPollers: { orders: [poller(v2)] } }), NOW);
    assert.equal(f.verdict, 'version-mismatch');
    assert.match(f.evidence.summary, /^Activity "charge" \(attempt 2\) scheduled 30 s ago .* Build ID "v1"/);
    assert.deepEqual(f.evidence.version?.served, [v2]);
    const served = diagnose(facts({ ...waiting, activityPollers: { orders: [poller(v1)] } }), NOW);
    assert.notEqual(served.verdict, 'version-mismatch');
    const elsewhere = { ...waiting.pendingActivities[0]!, taskQueue: 'payments' };
    const other = diagnose(
      facts({ ...waiting, pendingActivities: [elsewhere], activityPollers: { payments: [poller(v2)] } }),
      NOW,
    );
    assert.notEqual(other.verdict, 'version-mismatch');
  });

  it('is left to a person by act: restarting the current worker would serve another version', () => {
    const f = diagnose(facts(), NOW);
    const [a] = planRemedies([f], { nonDeterminism: 'terminate', rerun: false, newId: () => 'id' }).actions;
    assert.equal(a?.remedy, 'manual');
  });
});

describe('pinned version from describe', () => {
  const base = {
    workflowExecutionInfo: { execution: { workflowId: 'w', runId: 'r' }, type: { name: 'T' }, status: 1 },
  };
  const pinnedOf = (versioningInfo: object) =>
    factsFromDescribe({
      ...base,
      workflowExecutionInfo: { ...base.workflowExecutionInfo, versioningInfo },
    } as never).pinnedVersion;

  it('reads the PINNED behavior, the deprecated version string, and overrides', () => {
    assert.deepEqual(pinnedOf({ behavior: 1, deploymentVersion: v1 }), { ...v1, override: false });
    assert.deepEqual(pinnedOf({ behavior: 1, version: 'orders.v1' }), { ...v1, override: false });
    assert.deepEqual(
      pinnedOf({ behavior: 2, versioningOverride: { pinned: { behavior: 1, version: v1 } } }),
      {
        ...v1,
        override: true,
      },
    );
    assert.deepEqual(
      pinnedOf({ behavior: 2, versioningOverride: { behavior: 1, pinnedVersion: 'orders.v1' } }),
      {
        ...v1,
        override: true,
      },
    );
  });

  it('is unpinned for auto-upgrade, an auto-upgrade override, or no versioning', () => {
    assert.equal(pinnedOf({ behavior: 2, deploymentVersion: v1 }), undefined);
    assert.equal(
      pinnedOf({ behavior: 1, deploymentVersion: v1, versioningOverride: { autoUpgrade: true } }),
      undefined,
    );
    assert.equal(factsFromDescribe(base as never).pinnedVersion, undefined);
  });
});
