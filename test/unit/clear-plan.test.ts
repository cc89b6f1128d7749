import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, Verdict } from '../../src/contract/verdicts.js';
import { planBulk, planClear, renderPlan } from '../../src/diagnosis/clear-plan.js';
import { parseClearStalledInput } from '../../src/contract/clear-stalled-input.js';
import { literalPrefix, matchesIdPattern } from '../../src/contract/id-glob.js';
import { describeProblem } from '../../src/contract/validate.js';

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
    assert.equal(input?.cancelWaitSeconds, 10);
  });

  it('names bad fields and values', () => {
    const { problems } = parseClearStalledInput({
      mode: 'nuke',
      verdicts: ['healthy-wait'],
      restartWorker: { projectDir: 'rel' },
    });
    assert.deepEqual(problems.map(describeProblem), [
      'mode: expected one of auto, terminate, cancel, got "nuke"',
      'verdicts[0]: expected a stalled verdict (non-determinism, workflow-not-registered, sandbox-violation, pending-limit, workflow-code-bug, workflow-task-timeout, activity-not-registered, activity-paused, activity-retry-storm, nexus-operation-failing, version-mismatch, no-worker, worker-saturated, activity-on-dead-worker, worker-frozen, history-limit, blocked), got "healthy-wait"',
      'restartWorker.projectDir: expected an absolute path, got "rel"',
      'restartWorker.taskQueue: expected a task queue name: 1 to 1000 characters, no control characters, got nothing',
    ]);
  });
});

describe('planBulk', () => {
  const selected = (workflowId: string, workflowType = 'Order', opsRecipe?: string) => ({
    workflowId,
    runId: `${workflowId}-run`,
    workflowType,
    taskQueue: 'orders',
    ...(opsRecipe !== undefined && { opsRecipe }),
  });

  it('plans the one action on every selected workflow, whatever it is doing', () => {
    const plan = planBulk(
      [selected('order-1'), selected('order-2', 'Refund')],
      'terminate',
      'pattern "order-*"',
    );
    assert.deepEqual(
      plan.actions.map((a) => [a.workflowId, a.action, a.verdict, a.why]),
      [
        ['order-1', 'terminate', undefined, 'selected by pattern "order-*"'],
        ['order-2', 'terminate', undefined, 'selected by pattern "order-*"'],
      ],
    );
    assert.match(
      renderPlan(plan),
      /^- \*\*terminate\*\* `order-1` \(Order\) — selected by pattern "order-\*"$/m,
    );
  });

  it('leaves ops workflows alone, by type or by the OpsRecipe search attribute', () => {
    const plan = planBulk(
      [
        selected('order-1'),
        selected('order-ops', 'CleanStart'),
        selected('order-tagged', 'Custom', 'Custom'),
      ],
      'cancel',
      'pattern "order-*"',
    );
    assert.deepEqual(
      plan.actions.map((a) => a.workflowId),
      ['order-1'],
    );
    assert.deepEqual(plan.skipped, [
      { workflowId: 'order-ops', why: 'an ops workflow' },
      { workflowId: 'order-tagged', why: 'an ops workflow' },
    ]);
  });
});

describe('workflow-ID patterns', () => {
  const table: [pattern: string, id: string, matches: boolean][] = [
    ['order-*', 'order-1', true],
    ['order-*', 'order-', true],
    ['order-*', 'orders-1', false],
    ['order-', 'order-17', true],
    ['order-1', 'order-17', true],
    ['order-1', 'xorder-1', false],
    ['*-eu', 'order-9-eu', true],
    ['*-eu', 'order-9-us', false],
    ['order-?', 'order-7', true],
    ['order-?', 'order-77', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['(a+)+$', '(a+)+$-1', true],
    ['(a+)+$', 'aaaa', false],
    ['*', 'anything', true],
  ];
  for (const [pattern, id, matches] of table)
    it(`${JSON.stringify(pattern)} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(id)}`, () => {
      assert.equal(matchesIdPattern(pattern, id), matches);
    });

  it('narrows the list by the literal text before the first wildcard', () => {
    assert.equal(literalPrefix('order-*-eu'), 'order-');
    assert.equal(literalPrefix('*-eu'), '');
    assert.equal(literalPrefix('order-1'), 'order-1');
  });

  it('stays fast on a pathological glob', () => {
    // Backtracking regexes take exponential time on this; the greedy matcher stays linear-ish.
    assert.equal(matchesIdPattern('*a*a*a*a*a*a*a*a*b', 'a'.repeat(1000)), false);
  });
});

describe('parseClearStalledInput in bulk mode', () => {
  it('takes a pattern and an action', () => {
    const { input, problems } = parseClearStalledInput({
      pattern: 'order-*',
      action: 'terminate',
      maxWorkflows: 5,
    });
    assert.deepEqual(problems, []);
    assert.equal(input?.action, 'terminate');
    assert.equal(input?.pattern, 'order-*');
  });

  it('refuses what would make the selection unclear, naming the field', () => {
    const cases: [raw: Record<string, unknown>, problem: string][] = [
      [
        { pattern: 'order-*' },
        'pattern: expected no pattern without action (a pattern selects workflows for a bulk cancel or terminate), got "order-*"',
      ],
      [
        { action: 'cancel' },
        'action: expected an action together with query, pattern or taskQueue (bulk mode never selects everything), got "cancel"',
      ],
      [
        { action: 'cancel', pattern: 'x', mode: 'terminate' },
        'mode: expected no mode with action (action decides what is done), got "terminate"',
      ],
      [
        { action: 'cancel', query: 'WorkflowType = "X"', verdicts: ['no-worker'] },
        'verdicts: expected no verdicts with action (bulk mode selects whatever the verdict), got ["no-worker"]',
      ],
      [{ action: 'nuke', pattern: 'x' }, 'action: expected one of cancel, terminate, got "nuke"'],
      [
        { action: 'cancel', pattern: 'a\u0000' },
        'pattern: expected a workflow-ID glob or prefix: 1 to 1000 characters, no control characters, such as "order-*", got "a\\u0000"',
      ],
    ];
    for (const [raw, problem] of cases)
      assert.deepEqual(
        parseClearStalledInput(raw).problems.map(describeProblem),
        [problem],
        JSON.stringify(raw),
      );
  });
});
