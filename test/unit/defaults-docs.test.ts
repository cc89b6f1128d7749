// Every default the README (and docs/, skills/) or `--help` states is the one src/defaults.ts holds.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { loadSettings, packageRoot } from '../../src/config.js';
import { DEFAULTS } from '../../src/defaults.js';

/** A default as the docs state it; a `Section.name` key wins over `name` under that section's heading. */
const DOCUMENTED: Record<string, string | number | boolean> = {
  TEMPORAL_ADDRESS: DEFAULTS.temporalAddress,
  readyTimeoutSeconds: DEFAULTS.readyTimeoutSeconds,
  graceSeconds: DEFAULTS.graceSeconds,
  'CleanStart.resultTimeoutSeconds': DEFAULTS.resultTimeoutSeconds,
  'TestInteractive.resultTimeoutSeconds': DEFAULTS.interactiveResultTimeoutSeconds,
  stopWorkerAfter: DEFAULTS.stopWorkerAfter,
  waitForFixSeconds: DEFAULTS.waitForFixSeconds,
  verifySeconds: DEFAULTS.verifySeconds,
  minutes: DEFAULTS.recentMinutes,
  maxRestarts: DEFAULTS.maxRestarts,
  'replayGate.max': DEFAULTS.replayMax,
  approvalTimeoutSeconds: DEFAULTS.approvalTimeoutSeconds,
  notifyRepeatSeconds: DEFAULTS.notifyRepeatSeconds,
  '--repeat': `${DEFAULTS.notifyRepeatSeconds / 3600}h`,
  cancelWaitSeconds: DEFAULTS.cancelWaitSeconds,
  'ClearStalledEnvironment.maxWorkflows': DEFAULTS.clearMax,
  'CheckRecentResults.maxWorkflows': DEFAULTS.recentLimit,
  TEMPORAL_WORKER_CMD: DEFAULTS.workerCommand,
  TEMPORAL_OPS_TASK_QUEUE: DEFAULTS.opsTaskQueue,
  TEMPORAL_OPS_BOOKKEEPING_NAMESPACE: DEFAULTS.bookkeepingNamespace,
  TEMPORAL_OPS_GRACE_MS: loadSettings({}).graceMs,
  TEMPORAL_OPS_READY_TIMEOUT_MS: loadSettings({}).readyTimeoutMs,
  TEMPORAL_OPS_LOG_LEVEL: DEFAULTS.logLevel,
  '--log-level': DEFAULTS.terminalLogLevel,
  // Described in words, not values of the table.
  TEMPORAL_CLI: '.venv/bin/temporal',
  TEMPORAL_OPS_STATE_DIR: '~/.local/state/temporal-ops',
  TEMPORAL_OPS_HOST: 'hostname',
  TEMPORAL_OPS_PROJECT_DIR: 'current dir',
  TEMPORAL_OPS_PROJECT: "the directory's name",
  TEMPORAL_OPS_PROCESS_BACKEND: 'proc` on Linux, `portable` on macOS',
  TEMPORAL_OPS_REPLAY_WARM: 'on',
};

/** Stated in every copy of the docs: a rewrite that drops them fails here instead of checking nothing. */
const REQUIRED = [
  'readyTimeoutSeconds',
  'graceSeconds',
  'TEMPORAL_OPS_READY_TIMEOUT_MS',
  'TEMPORAL_OPS_GRACE_MS',
];

interface Stated {
  file: string;
  line: number;
  name: string;
  section: string;
  value: string;
}

const clean = (value: string) => value.trim().replace(/^[`"]|[`"]$/g, '');

/** A value that reads as one: a number, true or false, or a quoted or code one. */
const VALUE = String.raw`(-?\d+(?:\.\d+)?|true|false|\x60[^\x60]+\x60|"[^"]+")`;
/** A bare value in parentheses after a field counts only as a number, true or false. */
const NUMBER = String.raw`(-?\d+(?:\.\d+)?|true|false)`;

/**
 * Defaults stated in markdown: a table's `default` column, `(default N)` in a row naming a field, or
 * in prose "`field` (default N", "`field`, default N" or "`field` (N," / "`field` (N)".
 */
function statedDefaults(file: string, text: string): Stated[] {
  const found: Stated[] = [];
  let section = '';
  let defaultColumn = -1;
  text.split('\n').forEach((line, index) => {
    const at = { file, line: index + 1, section };
    const heading = /^#{1,4}\s+`?(\w+)/.exec(line);
    if (heading) section = heading[1] ?? '';
    if (!line.startsWith('|')) {
      defaultColumn = -1;
      const prose = String.raw`\x60([^\x60]+)\x60\s*(?:[(,]\s*default:?\s+${VALUE}|\(${NUMBER}[,)])`;
      for (const m of line.matchAll(new RegExp(prose, 'g')))
        found.push({ ...at, section, name: m[1] ?? '', value: clean(m[2] ?? m[3] ?? '') });
      return;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const header = cells.map((c) => c.toLowerCase()).indexOf('default');
    if (defaultColumn === -1 && header > 0) {
      defaultColumn = header;
      return;
    }
    const name = /^`([^`]+)`/.exec(cells[0] ?? '')?.[1];
    if (name === undefined) return;
    const cell = defaultColumn > 0 ? cells[defaultColumn] || undefined : undefined;
    const inText = new RegExp(String.raw`\(default:?\s+${VALUE}`).exec(line)?.[1];
    const value = cell ?? inText;
    if (value !== undefined) found.push({ ...at, section, name, value: clean(value) });
  });
  return found;
}

/** The README and every markdown file under docs/ and skills/. */
function markdownFiles(): string[] {
  const under = (dir: string) =>
    readdirSync(join(packageRoot, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(packageRoot, dir, f));
  return [join(packageRoot, 'README.md'), ...under('docs'), ...under('skills')];
}

describe('the defaults the docs state', () => {
  const stated = markdownFiles().flatMap((file) => statedDefaults(file, readFileSync(file, 'utf8')));

  it('are the code defaults (src/defaults.ts), every one of them', () => {
    for (const s of stated) {
      const key = `${s.section}.${s.name}` in DOCUMENTED ? `${s.section}.${s.name}` : s.name;
      const where = `${s.file.slice(packageRoot.length + 1)}:${s.line} \`${s.name}\``;
      assert.ok(key in DOCUMENTED, `${where} states default ${s.value}: add it to DEFAULTS and to this test`);
      assert.equal(s.value, String(DOCUMENTED[key]), `${where}: the docs say ${s.value}`);
    }
  });

  it('include the ready timeout and the grace period, in the input and in the environment', () => {
    const names = new Set(stated.map((s) => s.name));
    for (const name of REQUIRED) assert.ok(names.has(name), `the docs state the default of ${name}`);
  });

  it('are found in a table and in prose alike', () => {
    const sample = [
      '### TestInteractive — x',
      'then waits (`stopWorkerAfter`, default true) and `resultTimeoutSeconds` (default 7), `max` (3, or less).',
      '| variable | default | meaning |',
      '|---|---|---|',
      '| `TEMPORAL_OPS_GRACE_MS` | 5000 | grace |',
      '',
      '| field | meaning |',
      '| `graceSeconds` | grace (default 5) |',
      'decides: `ask` (default: the recipe waits)',
    ].join('\n');
    assert.deepEqual(
      statedDefaults('x.md', sample).map((s) => [s.section, s.name, s.value]),
      [
        ['TestInteractive', 'stopWorkerAfter', 'true'],
        ['TestInteractive', 'resultTimeoutSeconds', '7'],
        ['TestInteractive', 'max', '3'],
        ['TestInteractive', 'TEMPORAL_OPS_GRACE_MS', '5000'],
        ['TestInteractive', 'graceSeconds', '5'],
      ],
    );
  });
});

/** A flag's default by command: `<command words> <flag>` wins over the flag alone. */
const FLAG_DEFAULTS: Record<string, string | number> = {
  '--ready-timeout': DEFAULTS.readyTimeoutSeconds,
  '--result-timeout': DEFAULTS.resultTimeoutSeconds,
  'run test-interactive --result-timeout': DEFAULTS.interactiveResultTimeoutSeconds,
  '--grace': DEFAULTS.graceSeconds,
  '--worker-command': DEFAULTS.workerCommand,
  'run clear-stalled --max': DEFAULTS.clearMax,
  'replay-check --max': DEFAULTS.replayMax,
  'run check-recent --minutes': DEFAULTS.recentMinutes,
  'workflows recent --minutes': DEFAULTS.recentListMinutes,
  'workflows recent --limit': DEFAULTS.recentListRows,
  'incidents list --limit': DEFAULTS.incidentListLimit,
  'worker logs --lines': DEFAULTS.logTailLines,
  'workflows wait --timeout': DEFAULTS.waitTimeoutSeconds,
  '--concurrency': DEFAULTS.sweepConcurrency,
  '--verify': DEFAULTS.verifySeconds,
  '--wait-for-fix': DEFAULTS.waitForFixSeconds,
  '--max-restarts': DEFAULTS.maxRestarts,
};

/** The value a help text states as default: the last number or quoted value in its `(default ...)`; undefined when it is words only. */
function helpDefault(text: string): string | undefined {
  const inside = /\(default:?\s([^)]*)\)/.exec(text)?.[1];
  if (inside === undefined) return undefined;
  const values = [...inside.matchAll(/"([^"]+)"|(?<![$\w])(\d+(?:\.\d+)?)(?![\w])/g)].map(
    (m) => m[1] ?? m[2],
  );
  return values.at(-1);
}

function walk(command: Command, words: string[] = []): { words: string[]; command: Command }[] {
  return [{ words, command }, ...command.commands.flatMap((sub) => walk(sub, [...words, sub.name()]))];
}

describe('the defaults --help states', () => {
  const where = { cwd: packageRoot, env: {} };
  const tree = walk(buildProgram(() => Promise.reject(new Error('never run')), where));
  const checked = new Set<string>();

  for (const { words, command } of tree)
    for (const option of command.options) {
      const flag = option.long ?? '';
      const text =
        option.description +
        (option.defaultValue !== undefined && !option.negate
          ? ` (default: ${String(option.defaultValue)})`
          : '');
      const value = helpDefault(text);
      if (value === undefined) continue;
      const key = [...words, flag].join(' ');
      it(`temporal-ops ${key}: its stated default ${value} is the code's`, () => {
        const expected = key in FLAG_DEFAULTS ? FLAG_DEFAULTS[key] : FLAG_DEFAULTS[flag];
        assert.notEqual(
          expected,
          undefined,
          `${key} states default ${value}: add it to DEFAULTS and to this test`,
        );
        assert.equal(value, String(expected));
      });
      checked.add(key);
    }

  it('states the ready timeout of every command that waits for a worker', () => {
    for (const key of [
      'run clean-start --ready-timeout',
      'worker ensure --ready-timeout',
      'up --ready-timeout',
    ])
      assert.ok(checked.has(key), `${key} states its default`);
  });

  it('reads a default out of a help text', () => {
    assert.equal(helpDefault('SIGTERM to SIGKILL (default $TEMPORAL_OPS_GRACE_MS / 1000, else 5)'), '5');
    assert.equal(
      helpDefault('command (default $TEMPORAL_WORKER_CMD, else "uv run worker")'),
      'uv run worker',
    );
    assert.equal(helpDefault('wait for a code change (default 0: fixed already)'), '0');
    assert.equal(helpDefault('project name (default: the directory name)'), undefined);
  });
});
