// Every recipe input is one declared schema: a table of malformed inputs, each refused with the
// exact field path and its value quoted; good inputs parse with their defaults; JSON Schema per recipe.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECIPE_NAMES as WORKFLOW_NAMES } from '../../src/contract/ops-workflows.js';
import {
  parseRecipeInput,
  RECIPE_NAMES,
  recipeInputJsonSchema,
  type RecipeInputName,
} from '../../src/contract/schemas.js';
import { parsePolicy, parseResultRule } from '../../src/contract/rule-schemas.js';
import { describeProblem } from '../../src/contract/validate.js';

const cleanStart = {
  projectDir: '/srv/shop',
  taskQueue: 'orders',
  start: { workflowType: 'Order', args: [] },
};
const ensureWorker = { projectDir: '/srv/shop', taskQueue: 'orders' };
const testInteractive = { ...cleanStart, interactions: [{ signal: 'approve' }] };
const mib = 'q'.repeat(1 << 20);
const clipped = (s: string) => `"${s.slice(0, 60)}… (${s.length} characters)"`;

/** recipe, raw input, the field named, what follows "got " in the message. */
type Row = [RecipeInputName, unknown, string, string];

const rows: Row[] = [
  // CleanStart, with every case of issue 7's list
  [
    'CleanStart',
    { ...cleanStart, resultRule: { statusKeys: 'status' } },
    'resultRule.statusKeys',
    '"status"',
  ],
  ['CleanStart', { ...cleanStart, resultRule: { errorValues: 5 } }, 'resultRule.errorValues', '5'],
  ['CleanStart', { ...cleanStart, resultRule: { bogus: [1] } }, 'resultRule.bogus', '[1]'],
  ['CleanStart', { ...cleanStart, resultRule: 'strict' }, 'resultRule', '"strict"'],
  [
    'CleanStart',
    { ...cleanStart, resultRule: { errorKeys: ['error', ''] } },
    'resultRule.errorKeys[1]',
    '""',
  ],
  ['CleanStart', { ...cleanStart, taskQueue: mib }, 'taskQueue', clipped(mib)],
  ['CleanStart', { ...cleanStart, taskQueue: 'q'.repeat(1001) }, 'taskQueue', clipped('q'.repeat(1001))],
  ['CleanStart', { ...cleanStart, taskQueue: 'a\nb' }, 'taskQueue', '"a\\nb"'],
  ['CleanStart', { ...cleanStart, taskQueue: '' }, 'taskQueue', '""'],
  ['CleanStart', { ...cleanStart, host: 'no host!' }, 'host', '"no host!"'],
  ['CleanStart', { ...cleanStart, host: '-edge-' }, 'host', '"-edge-"'],
  ['CleanStart', { ...cleanStart, host: 7 }, 'host', '7'],
  ['CleanStart', { ...cleanStart, projectDir: 'relative/nonexist' }, 'projectDir', '"relative/nonexist"'],
  ['CleanStart', { ...cleanStart, projectDir: '' }, 'projectDir', '""'],
  ['CleanStart', { ...cleanStart, project: '../../etc' }, 'project', '"../../etc"'],
  ['CleanStart', { ...cleanStart, project: '.hidden' }, 'project', '".hidden"'],
  ['CleanStart', { ...cleanStart, taskqueue: 'x' }, 'taskqueue', '"x"'],
  [
    'CleanStart',
    { ...cleanStart, start: { workflowType: 'Order', command: 'uv run starter' } },
    'start.command',
    '"uv run starter"',
  ],
  ['CleanStart', { ...cleanStart, start: {} }, 'start.workflowType', 'nothing'],
  ['CleanStart', { ...cleanStart, start: 'Order' }, 'start', '"Order"'],
  ['CleanStart', { ...cleanStart, start: { workflowType: 'Order', args: 'x' } }, 'start.args', '"x"'],
  ['CleanStart', { ...cleanStart, start: { command: 'run', args: [] } }, 'start.args', '[]'],
  ['CleanStart', { ...cleanStart, start: { command: ' ' } }, 'start.command', '" "'],
  [
    'CleanStart',
    { ...cleanStart, start: { command: 'run', workflowIdPattern: '(' } },
    'start.workflowIdPattern',
    '"("',
  ],
  ['CleanStart', { ...cleanStart, env: { A: 1 } }, 'env.A', '1'],
  ['CleanStart', { ...cleanStart, env: 'A=1' }, 'env', '"A=1"'],
  ['CleanStart', { ...cleanStart, env: { '1BAD': 'x' } }, 'env.1BAD', '"1BAD"'],
  ['CleanStart', { ...cleanStart, readyTimeoutSeconds: 0 }, 'readyTimeoutSeconds', '0'],
  ['CleanStart', { ...cleanStart, graceSeconds: '5' }, 'graceSeconds', '"5"'],
  ['CleanStart', { ...cleanStart, resultTimeoutSeconds: 1e9 }, 'resultTimeoutSeconds', '1000000000'],
  [
    'CleanStart',
    { ...cleanStart, workerCommand: 'w'.repeat(9000) },
    'workerCommand',
    clipped('w'.repeat(9000)),
  ],
  ['CleanStart', { ...cleanStart, replayGate: { onBreak: 'maybe' } }, 'replayGate.onBreak', '"maybe"'],
  ['CleanStart', { ...cleanStart, replayGate: { max: 1001 } }, 'replayGate.max', '1001'],
  [
    'CleanStart',
    { ...cleanStart, replayGate: { approvalTimeoutSeconds: 0 } },
    'replayGate.approvalTimeoutSeconds',
    '0',
  ],
  ['CleanStart', { ...cleanStart, replayGate: { onbreak: 'ask' } }, 'replayGate.onbreak', '"ask"'],
  ['CleanStart', [1], 'input', '[1]'],
  ['CleanStart', null, 'input', 'null'],
  // EnsureWorker
  ['EnsureWorker', { ...ensureWorker, mode: 'nuke' }, 'mode', '"nuke"'],
  [
    'EnsureWorker',
    { ...ensureWorker, restartOnCrash: { maxRestarts: -1 } },
    'restartOnCrash.maxRestarts',
    '-1',
  ],
  ['EnsureWorker', { ...ensureWorker, restartOnCrash: { forever: true } }, 'restartOnCrash.forever', 'true'],
  ['EnsureWorker', { ...ensureWorker, restartOnCrash: true }, 'restartOnCrash', 'true'],
  ['EnsureWorker', { ...ensureWorker, replayGate: 'ask' }, 'replayGate', '"ask"'],
  ['EnsureWorker', { projectDir: '/srv/shop' }, 'taskQueue', 'nothing'],
  ['EnsureWorker', { ...ensureWorker, project: 'my shop' }, 'project', '"my shop"'],
  [
    'EnsureWorker',
    { ...ensureWorker, start: { workflowType: 'Order' } },
    'start',
    '{"workflowType":"Order"}',
  ],
  // TestInteractive
  ['TestInteractive', { ...testInteractive, interactions: [] }, 'interactions', '[]'],
  ['TestInteractive', { ...cleanStart }, 'interactions', 'nothing'],
  [
    'TestInteractive',
    { ...testInteractive, interactions: [{ signal: 'a' }, { query: 'q' }, { signal: 'b', update: 'c' }] },
    'interactions[2]',
    '{"signal":"b","update":"c"}',
  ],
  [
    'TestInteractive',
    { ...testInteractive, interactions: [{ signal: 'a' }, { update: 'u', args: 'x' }] },
    'interactions[1].args',
    '"x"',
  ],
  [
    'TestInteractive',
    { ...testInteractive, interactions: [{ signal: 'a', expectError: 'no' }] },
    'interactions[0].expectError',
    '"no"',
  ],
  ['TestInteractive', { ...testInteractive, interactions: [5] }, 'interactions[0]', '5'],
  ['TestInteractive', { ...testInteractive, interactions: [{ update: 5 }] }, 'interactions[0].update', '5'],
  [
    'TestInteractive',
    { ...testInteractive, interactions: [{ query: 'q', wait: 1 }] },
    'interactions[0].wait',
    '1',
  ],
  ['TestInteractive', { ...testInteractive, stopWorkerAfter: 'yes' }, 'stopWorkerAfter', '"yes"'],
  ['TestInteractive', { ...testInteractive, env: { PATH: ['/bin'] } }, 'env.PATH', '["/bin"]'],
  // DebugStalled
  ['DebugStalled', { act: true }, 'act', 'true'],
  ['DebugStalled', { waitForFixSeconds: 86_401 }, 'waitForFixSeconds', '86401'],
  ['DebugStalled', { nonDeterminism: 'ignore' }, 'nonDeterminism', '"ignore"'],
  ['DebugStalled', { verifySeconds: 0 }, 'verifySeconds', '0'],
  ['DebugStalled', { rerun: 'no' }, 'rerun', '"no"'],
  ['DebugStalled', { autoApprove: 1 }, 'autoApprove', '1'],
  ['DebugStalled', { policy: { noWorkerAfterMs: -1 } }, 'policy.noWorkerAfterMs', '-1'],
  ['DebugStalled', { policy: { noWorkerAfter: 5 } }, 'policy.noWorkerAfter', '5'],
  ['DebugStalled', { policy: 'fast' }, 'policy', '"fast"'],
  ['DebugStalled', { concurrency: 2.5 }, 'concurrency', '2.5'],
  ['DebugStalled', { maxFindings: 501 }, 'maxFindings', '501'],
  ['DebugStalled', { workflowId: 'w', query: 'x' }, 'workflowId', '"w"'],
  ['DebugStalled', { runId: 'r' }, 'runId', '"r"'],
  ['DebugStalled', { replayGate: { onBreak: 'restart' } }, 'replayGate.onBreak', '"restart"'],
  ['DebugStalled', { host: 'a_b' }, 'host', '"a_b"'],
  ['DebugStalled', { projectDir: 'shop', act: true }, 'projectDir', '"shop"'],
  ['DebugStalled', { approvalTimeoutSeconds: 604_801 }, 'approvalTimeoutSeconds', '604801'],
  ['DebugStalled', 'orders', 'input', '"orders"'],
  // ClearStalledEnvironment
  ['ClearStalledEnvironment', { mode: 'nuke' }, 'mode', '"nuke"'],
  ['ClearStalledEnvironment', { verdicts: ['healthy-wait'] }, 'verdicts[0]', '"healthy-wait"'],
  ['ClearStalledEnvironment', { verdicts: 'no-worker' }, 'verdicts', '"no-worker"'],
  [
    'ClearStalledEnvironment',
    { restartWorker: { projectDir: 'rel', taskQueue: 'q' } },
    'restartWorker.projectDir',
    '"rel"',
  ],
  [
    'ClearStalledEnvironment',
    { restartWorker: { ...ensureWorker, taskqueue: 'q' } },
    'restartWorker.taskqueue',
    '"q"',
  ],
  ['ClearStalledEnvironment', { maxWorkflows: 0 }, 'maxWorkflows', '0'],
  ['ClearStalledEnvironment', { query: '' }, 'query', '""'],
  ['ClearStalledEnvironment', { reason: 42 }, 'reason', '42'],
  ['ClearStalledEnvironment', 'everything', 'input', '"everything"'],
  // CheckRecentResults
  ['CheckRecentResults', { minutes: 0 }, 'minutes', '0'],
  ['CheckRecentResults', { minutes: 10_081 }, 'minutes', '10081'],
  ['CheckRecentResults', { workflowTypes: 'Order' }, 'workflowTypes', '"Order"'],
  ['CheckRecentResults', { workflowTypes: ['Order', 5] }, 'workflowTypes[1]', '5'],
  ['CheckRecentResults', { resultRule: { bogus: [1] } }, 'resultRule.bogus', '[1]'],
  ['CheckRecentResults', { maxWorkflows: 10_001 }, 'maxWorkflows', '10001'],
  ['CheckRecentResults', { taskQueue: mib }, 'taskQueue', clipped(mib)],
  ['CheckRecentResults', { minute: 5 }, 'minute', '5'],
  ['CheckRecentResults', { host: '' }, 'host', '""'],
];

describe('recipe input schemas refuse malformed input', () => {
  it('cover every recipe with at least 40 cases', () => {
    assert.ok(rows.length >= 40);
    assert.deepEqual(new Set(rows.map(([recipe]) => recipe)), new Set(RECIPE_NAMES));
  });

  for (const [recipe, raw, field, got] of rows) {
    it(`${recipe}: ${field} got ${got.slice(0, 40)}`, () => {
      const parsed = parseRecipeInput(recipe, raw);
      assert.equal(parsed.input, undefined);
      const problem = parsed.problems.find((p) => p.field === field);
      assert.ok(problem, `a problem names ${field}: ${parsed.problems.map(describeProblem).join('; ')}`);
      assert.equal(describeProblem(problem), `${field}: expected ${problem.expected}, got ${got}`);
      // Every message is one we wrote, not a library default.
      assert.doesNotMatch(problem.expected, /^(Invalid|a value of type|a valid value)/);
    });
  }

  it('reports every bad field at once, cross-field checks included', () => {
    const parsed = parseRecipeInput('DebugStalled', { act: true, verifySeconds: 0, policy: { x: 1 } });
    assert.deepEqual(
      parsed.problems.map((p) => p.field),
      ['policy.x', 'verifySeconds', 'act'],
    );
  });

  it('keeps a huge value out of the failure it causes', () => {
    const parsed = parseRecipeInput('CleanStart', { ...cleanStart, taskQueue: mib });
    assert.ok(JSON.stringify(parsed.problems).length < 1000);
  });
});

describe('recipe input schemas accept good input', () => {
  it('CleanStart fills start.args and keeps every declared field', () => {
    const full = {
      ...cleanStart,
      start: { workflowType: 'Order' },
      workerCommand: 'uv run worker',
      project: 'shop_1.v2',
      env: { LOG_LEVEL: 'debug' },
      readyTimeoutSeconds: 30,
      graceSeconds: 0,
      host: 'build-01.example.com',
      resultTimeoutSeconds: 60,
      resultRule: { statusKeys: ['state'], errorValues: ['bad'] },
      replayGate: { onBreak: 'ask' },
    };
    assert.deepEqual(parseRecipeInput('CleanStart', full), {
      input: {
        ...full,
        start: { workflowType: 'Order', args: [] },
        replayGate: { onBreak: 'ask', max: 200 },
      },
      problems: [],
    });
  });

  it('CleanStart takes a starter command with its workflow ID pattern', () => {
    const start = { command: 'uv run starter', workflowIdPattern: 'id=(\\S+)' };
    assert.deepEqual(parseRecipeInput('CleanStart', { ...cleanStart, start }).input, {
      ...cleanStart,
      start,
    });
  });

  it('EnsureWorker takes a mode, restart policy and replay gate', () => {
    const raw = {
      ...ensureWorker,
      mode: 'start',
      restartOnCrash: { maxRestarts: 3 },
      replayGate: { max: 5 },
    };
    assert.deepEqual(parseRecipeInput('EnsureWorker', raw), { input: raw, problems: [] });
  });

  it('TestInteractive normalises each interaction to kind, name and args', () => {
    const raw = {
      ...testInteractive,
      interactions: [
        { signal: 'approve', args: [1] },
        { update: 'setQty', expect: { qty: 2 }, expectError: 'too many' },
        { query: 'status', expect: null },
      ],
      expectResult: { ok: true },
    };
    const parsed = parseRecipeInput('TestInteractive', raw);
    assert.deepEqual((parsed.input as { interactions: unknown }).interactions, [
      { kind: 'signal', name: 'approve', args: [1] },
      { kind: 'update', name: 'setQty', args: [], expect: { qty: 2 }, expectError: 'too many' },
      { kind: 'query', name: 'status', args: [], expect: null },
    ]);
    assert.deepEqual((parsed.input as { expectResult: unknown }).expectResult, { ok: true });
  });

  it('DebugStalled with nothing sweeps everything, diagnose only', () => {
    assert.deepEqual(parseRecipeInput('DebugStalled', undefined), {
      input: {
        act: false,
        waitForFixSeconds: 0,
        nonDeterminism: 'terminate',
        rerun: true,
        verifySeconds: 60,
      },
      problems: [],
    });
  });

  it('DebugStalled acts with a project directory and the worker fields', () => {
    const raw = {
      workflowId: 'order-1',
      act: true,
      projectDir: '/srv/shop',
      workerCommand: 'uv run worker',
      autoApprove: true,
      nonDeterminism: 'reset',
      waitForFixSeconds: 600,
      rerun: false,
      verifySeconds: 30,
      approvalTimeoutSeconds: 60,
      replayGate: { onBreak: 'restart-and-reset', approvalTimeoutSeconds: 30 },
    };
    assert.deepEqual(parseRecipeInput('DebugStalled', raw), {
      input: { ...raw, replayGate: { ...raw.replayGate, max: 200 } },
      problems: [],
    });
  });

  it('ClearStalledEnvironment defaults to auto mode with approval', () => {
    assert.deepEqual(parseRecipeInput('ClearStalledEnvironment', {}).input, {
      mode: 'auto',
      autoApprove: false,
      approvalTimeoutSeconds: 3600,
      maxWorkflows: 200,
      cancelWaitSeconds: 10,
      reason: 'temporal-ops ClearStalledEnvironment',
    });
  });

  it('CheckRecentResults defaults to the last 30 minutes, 1000 workflows', () => {
    assert.deepEqual(parseRecipeInput('CheckRecentResults', null).input, { minutes: 30, maxWorkflows: 1000 });
    const raw = {
      minutes: 5,
      workflowTypes: ['Order'],
      query: 'TaskQueue = "orders"',
      resultRule: { errorKeys: [] },
    };
    assert.deepEqual(parseRecipeInput('CheckRecentResults', raw).input, { ...raw, maxWorkflows: 1000 });
  });
});

type JsonSchema = {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
  items?: JsonSchema;
  required?: string[];
};

/** Every object is closed and every property documented, however deep. */
function checkObjects(schema: JsonSchema, path: string): void {
  if (schema.items) checkObjects(schema.items, `${path}[]`);
  if (schema.type !== 'object' || !schema.properties) return;
  assert.equal(schema.additionalProperties, false, `${path} refuses unknown keys`);
  for (const [key, property] of Object.entries(schema.properties)) {
    assert.ok(property.description, `${path}.${key} has a description`);
    checkObjects(property, `${path}.${key}`);
  }
}

describe('recipe input JSON Schema', () => {
  it('lists every workflow recipe', () => {
    assert.deepEqual([...RECIPE_NAMES].sort(), [...WORKFLOW_NAMES].sort());
  });

  for (const name of RECIPE_NAMES) {
    it(`${name}: closed objects, a description on every field`, () => {
      const schema = recipeInputJsonSchema(name) as JsonSchema;
      assert.equal(schema.type, 'object');
      assert.ok(schema.description?.startsWith(`${name}:`));
      checkObjects(schema, name);
      assert.doesNotThrow(() => JSON.stringify(schema));
    });
  }

  it('shows required fields and defaults as a caller sees them', () => {
    const cleanStartSchema = recipeInputJsonSchema('CleanStart') as JsonSchema;
    assert.deepEqual(cleanStartSchema.required, ['projectDir', 'taskQueue', 'start']);
    const debug = recipeInputJsonSchema('DebugStalled') as {
      required?: string[];
      properties: Record<string, { default?: unknown }>;
    };
    assert.equal(debug.required, undefined, 'DebugStalled needs nothing');
    assert.equal(debug.properties.act?.default, false);
    assert.equal(debug.properties.verifySeconds?.default, 60);
    const ensure = recipeInputJsonSchema('EnsureWorker') as {
      properties: Record<string, { maxLength?: number }>;
    };
    assert.equal(ensure.properties.taskQueue?.maxLength, 1000);
  });
});

describe('nested JSON given on its own (CLI flags)', () => {
  it('names problems under the flag', () => {
    assert.deepEqual(
      parseResultRule({ statusKeys: 'status' }, '--result-rule').problems.map(describeProblem),
      ['--result-rule.statusKeys: expected an array of strings, such as ["status"], got "status"'],
    );
    assert.deepEqual(parsePolicy([], '--policy').problems.map(describeProblem), [
      '--policy: expected an object such as {"noWorkerAfterMs": 10000}, got []',
    ]);
  });

  it('returns a good rule and policy as given', () => {
    assert.deepEqual(parseResultRule({ errorValues: ['bad'] }).input, { errorValues: ['bad'] });
    assert.deepEqual(parsePolicy({ retryStormAttempts: 5 }).input, { retryStormAttempts: 5 });
  });
});
