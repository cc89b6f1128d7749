import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, Verdict } from '../../src/diagnosis/verdicts.js';
import { planClear, renderPlan } from '../../src/recipes/clear-plan.js';
import { parseClearStalledInput } from '../../src/recipes/clear-stalled-input.js';
import { describeProblem } from '../../src/recipes/validate.js';

function finding(workflowId: string, verdict: Verdict, workflowType = 'Order'): Finding {
  return {
    workflowId,
    runId: `${workflowId}-run`,
    workflowType,
    taskQueue: 'orders',
    verdict,
    stalled: verdict !== 'healthy-wait',
    confidence: 'high',
    evidence: { summary: '', eventIds: [] },
    remedy: { action: 'none', text: '', autoRecovers: false },
  } as Finding;
}

describe('planClear', () => {
  const table: [Verdict, 'terminate' | 'cancel' | undefined][] = [
    ['non-determinism', 'terminate'],
    ['workflow-code-bug', 'terminate'],
    ['workflow-not-registered', 'terminate'],
    ['sandbox-violation', 'terminate'],
    ['workflow-task-timeout', 'terminate'],
    ['no-worker', 'terminate'],
    ['activity-retry-storm', 'cancel'],
    ['activity-not-registered', 'cancel'],
    ['healthy-wait', undefined],
  ];
  for (const [verdict, action] of table) {
    it(`in auto mode, ${verdict} is ${action ?? 'never touched'}`, () => {
      const plan = planClear([finding('w', verdict)], 'auto');
      assert.deepEqual(
        plan.actions.map((a) => a.action),
        action ? [action] : [],
      );
    });
  }

  it('never plans an action on an ops workflow', () => {
    const plan = planClear([finding('r', 'workflow-code-bug', 'CleanStart')], 'terminate');
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.skipped, [
      { workflowId: 'r', verdict: 'workflow-code-bug', why: 'an ops workflow' },
    ]);
  });

  it('leaves findings of unselected verdicts alone and says so', () => {
    const plan = planClear([finding('a', 'no-worker'), finding('b', 'activity-retry-storm')], 'auto', [
      'activity-retry-storm',
    ]);
    assert.deepEqual(
      plan.actions.map((a) => a.workflowId),
      ['b'],
    );
    assert.deepEqual(
      plan.skipped.map((s) => [s.workflowId, s.why]),
      [['a', 'verdict not selected']],
    );
  });

  it('forces one action in terminate and cancel modes', () => {
    assert.equal(
      planClear([finding('a', 'activity-retry-storm')], 'terminate').actions[0]?.action,
      'terminate',
    );
    assert.equal(planClear([finding('a', 'non-determinism')], 'cancel').actions[0]?.action, 'cancel');
  });

  it('renders the plan with a limit', () => {
    const plan = planClear(
      [finding('a', 'no-worker'), finding('b', 'no-worker'), finding('c', 'no-worker')],
      'auto',
    );
    const text = renderPlan(plan, 2);
    assert.match(text, /\*\*terminate\*\* `a`/);
    assert.match(text, /… and 1 more/);
  });
});

describe('parseClearStalledInput', () => {
  it('defaults to auto mode, approval required, 200 workflows at most', () => {
    const { input } = parseClearStalledInput({});
    assert.equal(input?.mode, 'auto');
    assert.equal(input?.autoApprove, false);
    assert.equal(input?.maxWorkflows, 200);
  });

  it('names bad fields and values', () => {
    const { problems } = parseClearStalledInput({
      mode: 'nuke',
      verdicts: ['healthy-wait'],
      restartWorker: { projectDir: 'rel' },
    });
    assert.deepEqual(problems.map(describeProblem), [
      'mode: expected one of auto, terminate, cancel, got "nuke"',
      'verdicts[0]: expected a stalled verdict (non-determinism, workflow-not-registered, sandbox-violation, workflow-code-bug, workflow-task-timeout, activity-not-registered, activity-retry-storm, no-worker), got "healthy-wait"',
      'restartWorker.projectDir: expected an absolute path, got "rel"',
      'restartWorker.taskQueue: expected a task queue name: 1 to 1000 characters, no control characters, got nothing',
    ]);
  });
});
