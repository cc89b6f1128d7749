// Workflow ID patterns from input: RE2 syntax checked at the schema, matched by RE2 on a thread of
// its own. A pattern that backtracks without end in RegExp completes here; its thread's deadline is
// set far beyond need, so that only a hang would reach it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { MATCH_TEXT_LIMIT, matchPattern } from '../../src/inspect/pattern-match.js';
import { parseStarterOutput } from '../../src/host/starter/starter.js';
import { MAX_PATTERN_INSTRUCTIONS } from '../../src/contract/id-pattern.js';
import { parseRecipeInput } from '../../src/contract/schemas.js';

/** Backtracks without end in RegExp on a run of hex digits and dashes that no Z follows. */
const HOSTILE = String.raw`([\w-]|[0-9a-f-])+Z`;
const RUN_ID = '9b2f3c1e-5a4d-4e6f-8a7b-1c2d3e4f5a6b';
const MIB_OF_OUTPUT = `${RUN_ID}\n`.repeat(Math.ceil(MATCH_TEXT_LIMIT / 37)).slice(0, MATCH_TEXT_LIMIT);
const HANG_GUARD_MS = 120_000;

function startProblems(workflowIdPattern: string) {
  const input = {
    projectDir: '/srv/shop',
    taskQueue: 'orders',
    start: { command: 'run', workflowIdPattern },
  };
  return parseRecipeInput('CleanStart', input).problems;
}

describe('workflow ID patterns at the schema', () => {
  const refused: [string, string, RegExp][] = [
    ['a lookahead', '(?=order)(\\S+)', /invalid or unsupported Perl syntax: `\(\?=`/],
    ['a backreference', '(\\w)\\1', /invalid escape sequence: `\\1`/],
    ['an unclosed group', '(', /missing closing \): `\(`/],
    ['no capture group', 'workflow id: \\S+', /no capture group/],
    ['a pattern too large', '(\\w{1000})\\w{1000}', new RegExp(`at most ${MAX_PATTERN_INSTRUCTIONS}`)],
  ];
  for (const [title, pattern, reason] of refused)
    it(`refuses ${title}, naming start.workflowIdPattern and the reason`, () => {
      const [problem, ...rest] = startProblems(pattern);
      assert.deepEqual(rest, []);
      assert.equal(problem?.field, 'start.workflowIdPattern');
      assert.equal(problem?.value, pattern);
      assert.match(problem?.expected ?? '', /^a regular expression in RE2 syntax with a capture group \(/);
      assert.match(problem?.expected ?? '', reason);
    });

  it('takes a pattern that only a backtracking engine finds hostile', () => {
    assert.deepEqual(startProblems(HOSTILE), []);
  });
});

describe('matching a pattern from input', () => {
  it('completes a hostile pattern on a run ID', async () => {
    assert.deepEqual(await matchPattern(HOSTILE, RUN_ID, HANG_GUARD_MS), { status: 'none' });
    assert.deepEqual(await matchPattern(HOSTILE, `${RUN_ID}z`, HANG_GUARD_MS), {
      status: 'matched',
      groups: [`${RUN_ID}z`, 'b'],
    });
  });

  it('completes a hostile pattern on 1 MiB of output', async () => {
    assert.deepEqual(await matchPattern(HOSTILE, MIB_OF_OUTPUT, HANG_GUARD_MS), { status: 'none' });
  });

  it('matches only the first MATCH_TEXT_LIMIT characters', async () => {
    const late = `${'.'.repeat(MATCH_TEXT_LIMIT)}Workflow ID: late`;
    assert.deepEqual(await matchPattern('workflow id: (\\S+)', late, HANG_GUARD_MS), { status: 'none' });
  });

  it('reports a pattern RE2 refuses, and a match that outlives its deadline', async () => {
    assert.deepEqual(await matchPattern('(?=x)(y)', 'y', HANG_GUARD_MS), {
      status: 'invalid',
      reason: 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    });
    // The thread cannot even start within 1 ms.
    assert.deepEqual(await matchPattern('(y)', 'y', 1), { status: 'over-budget', limit: 'time' });
  });
});

describe('parseStarterOutput', () => {
  const output = `Workflow ID: order-1a2b\nRun ID: ${RUN_ID}\n`;

  it('reads the workflow and run IDs with the default pattern or a given one', async () => {
    assert.deepEqual(await parseStarterOutput(output), { workflowId: 'order-1a2b', runId: RUN_ID });
    assert.deepEqual(await parseStarterOutput(output, 'WORKFLOW ID: order-(\\w+)'), {
      workflowId: '1a2b',
      runId: RUN_ID,
    });
  });

  it('finds no workflow ID with the hostile pattern, and ends', async () => {
    assert.deepEqual(await parseStarterOutput(output, HOSTILE), { workflowId: undefined, runId: RUN_ID });
  });

  it('refuses a pattern RE2 cannot compile as InvalidInputError naming start.workflowIdPattern', async () => {
    await assert.rejects(parseStarterOutput(output, '(a)\\1'), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.equal(error.field, 'start.workflowIdPattern');
      assert.equal(error.value, '(a)\\1');
      assert.match(error.expected, /invalid escape sequence/);
      return true;
    });
  });
});
