// Every sample output in the README (a fenced block under `<!-- sample: NAME -->`) is what its
// command really prints: the test runs the 60-second tour's commands, as written there, through the
// real CLI against a dev server that `npm start` (`up`) starts itself, and compares line by line.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { defaultTemporalCli, packageRoot } from '../../src/config.js';
import { freePort } from '../../src/server/ports.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');

/** What the README's samples show for the values that differ per machine and per run. */
const README_ROOT = '/home/me/temporal-ops';
const README_STATE = '/home/me/.local/state/temporal-ops';
const README_HOST = 'laptop';

interface Sample {
  name: string;
  command: string;
  output: string[];
}

/** The README's samples: the block's first line is `$ command`, the rest is its output. */
function readmeSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const match of text.matchAll(/<!-- sample: ([\w-]+) -->\s*\n```\w*\n([\s\S]*?)\n```/g)) {
    const [first = '', ...output] = match[2]!.split('\n');
    assert.match(first, /^\$ /, `sample ${match[1]}: its block starts with "$ <command>"`);
    samples.push({ name: match[1]!, command: first.slice(2), output });
  }
  return samples;
}

/** Splits a one-line shell command into words (plain words, '...' and "..." quoting). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** Values that differ per run (IDs, times, pids), replaced alike in the sample and the real output. */
function normalize(line: string): string {
  return line
    .replace(/\(\d+\.\d s\)/g, '(# s)')
    .replace(/\b\d+ ms\b/g, '# ms')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>')
    .replace(
      /\b((?:clean-start|test-interactive|clear-stalled|debug-stalled|check-recent)-\S+?)-[\w-]{8}(?=$|[\s,;:)'"])/g,
      '$1-<id>',
    )
    .replace(/\borders-[0-9a-f]{6}\b/g, 'orders-<key>')
    .replace(/\b[0-9a-f]{8}\b/g, '<hex>')
    .replace(/\b(pid|worker) \d+\b/g, '$1 <pid>')
    .replace(/\battempt \d+\b/g, 'attempt <n>');
}

/** The real output in the README's terms: this checkout, state dir, ports and host as a fresh `npm start` has them. */
function asReadme(text: string, ctx: { stateDir: string; port: number }): string {
  const host = hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text
    .replaceAll(ctx.stateDir, README_STATE)
    .replaceAll(packageRoot, README_ROOT)
    .replace(new RegExp(`:${ctx.port + 1000}\\b`, 'g'), ':8233')
    .replace(new RegExp(`:${ctx.port}\\b`, 'g'), ':7233')
    .replaceAll(`server-${ctx.port}.log`, 'server-7233.log')
    .replace(new RegExp(`(temporal-ops@|host "?)${host}\\b`, 'g'), `$1${README_HOST}`);
}

/** Progress lines of a running step: printed or not depending on when the CLI polled. */
const isRunningLine = (line: string) => /^\s+… /.test(line);

/**
 * Asserts that the real lines are the sample's: a sample line `…` stands for any lines left out, a
 * line ending in `…` for a line cut short; running-step lines must name a step the real run has.
 */
function assertSampleMatches(sample: Sample, realText: string): void {
  const real = realText.split('\n').filter((l) => l.trim() !== '');
  const shown = sample.output.filter((l) => l.trim() !== '' && l.trim() !== '^C');
  for (const line of shown.filter(isRunningLine)) {
    const title = line.trim().slice(2);
    assert.ok(
      real.some((r) => r.includes(` ${title}`)),
      `sample ${sample.name} shows step "${title}", which the real run does not print:\n${realText}`,
    );
  }
  const want = shown.filter((l) => !isRunningLine(l)).map(normalize);
  const got = real.filter((l) => !isRunningLine(l)).map(normalize);
  // Expand the sample's elisions against the real lines, so a mismatch shows as a plain line diff.
  const expanded: string[] = [];
  let r = 0;
  for (const [i, line] of want.entries()) {
    if (line.trim() === '…') {
      const next = want[i + 1];
      while (r < got.length && (next === undefined || !lineMatches(next, got[r]!))) expanded.push(got[r++]!);
    } else if (r < got.length && lineMatches(line, got[r]!)) expanded.push(got[r++]!);
    else expanded.push(line);
  }
  assert.deepEqual(
    got,
    expanded,
    `README sample "${sample.name}" (${sample.command}) differs from a real run`,
  );
}

function lineMatches(sampleLine: string, realLine: string): boolean {
  return sampleLine.endsWith('…') ? realLine.startsWith(sampleLine.slice(0, -1)) : sampleLine === realLine;
}

/** A command running in the background whose combined output can be awaited. */
class Background {
  text = '';
  constructor(readonly process: ResultPromise<{ all: true }>) {
    process.all.on('data', (chunk: Buffer) => {
      this.text += chunk.toString();
    });
  }
  /** Resolves once the output contains `marker`; rejects when the process ends first. */
  async waitFor(marker: string): Promise<void> {
    while (!this.text.includes(marker)) {
      const ended = this.process.then(
        () => true,
        () => true,
      );
      const more = once(this.process.all, 'data').then(() => false);
      if (await Promise.race([ended, more]))
        throw new Error(`ended before printing "${marker}":\n${this.text}`);
    }
  }
}

describe('README samples', () => {
  const real = new Map<string, string>();
  let samples: Sample[];
  let ctx: { stateDir: string; port: number };
  let env: Record<string, string>;
  let up: Background | undefined;

  function spawn(command: string) {
    const [program, ...args] = shellWords(command);
    const argv =
      program === 'npm' && args[0] === 'start'
        ? [bin, 'up', ...args.slice(2)]
        : program === 'npx' && args[0] === 'temporal-ops'
          ? [bin, ...args.slice(1)]
          : undefined;
    if (argv) return execa(process.execPath, argv, { cwd: packageRoot, env, all: true, reject: false });
    assert.ok(program === 'temporal' || program === '.venv/bin/temporal', `unknown program in ${command}`);
    return execa(defaultTemporalCli(), args, { cwd: packageRoot, env, all: true, reject: false });
  }

  async function run(sample: string, command = commandOf(sample)): Promise<string> {
    const result = await spawn(command);
    real.set(sample, asReadme(result.all, ctx));
    return result.all;
  }

  const commandOf = (name: string) => {
    const sample = samples.find((s) => s.name === name);
    assert.ok(sample, `the README has a sample named ${name}`);
    return sample.command;
  };

  before(async () => {
    samples = readmeSamples(await readFile(join(packageRoot, 'README.md'), 'utf8'));
    const port = await freePort();
    ctx = { port, stateDir: await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'readme-')) };
    env = {
      TEMPORAL_ADDRESS: `localhost:${port}`,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_OPS_STATE_DIR: ctx.stateDir,
      TEMPORAL_OPS_TASK_QUEUE: 'temporal-ops',
    };
    // The tour, in the README's order. `npm start` starts the dev server and keeps serving.
    up = new Background(spawn(commandOf('npm-start')) as ResultPromise<{ all: true }>);
    await up.waitFor('serving recipes; press Ctrl-C to stop');
    await run('start-stalling-workflow');
    // The stall shows once the worker has failed the workflow's first task.
    let stalled = await spawn(commandOf('workflows-stalled'));
    while (stalled.exitCode !== 8) stalled = await spawn(commandOf('workflows-stalled'));
    real.set('workflows-stalled', asReadme(stalled.all, ctx));
    const clear = new Background(spawn(commandOf('run-clear-stalled')) as ResultPromise<{ all: true }>);
    await clear.waitFor('… Wait for approval');
    const clearId = /workflow (clear-stalled-\S+)/.exec(clear.text)?.[1];
    assert.ok(clearId, clear.text);
    await run('approve', commandOf('approve').replace(/clear-stalled-\S+/, clearId));
    await clear.process;
    real.set('run-clear-stalled', asReadme(clear.text, ctx));
    up.process.kill('SIGINT');
    await up.process;
    real.set('npm-start', asReadme(up.text, ctx));
    // The policy refusal needs a control worker; `serve` is one without a recipe of its own.
    const serve = new Background(spawn('npx temporal-ops serve') as ResultPromise<{ all: true }>);
    await serve.waitFor('control worker: polling');
    await run('policy-refusal');
    serve.process.kill('SIGINT');
    await serve.process;
    await run('stop-all');
  });

  after(async () => {
    // Whatever happened above, nothing this test started stays behind.
    if (up && up.process.exitCode === null) {
      up.process.kill('SIGINT');
      await up.process;
    }
    if (ctx) await spawn('npx temporal-ops worker stop-all --include-server');
  });

  it('has a real run for every sample, and a sample for every run', () => {
    assert.deepEqual(samples.map((s) => s.name).sort(), [...real.keys()].sort());
  });

  for (const name of [
    'npm-start',
    'start-stalling-workflow',
    'workflows-stalled',
    'run-clear-stalled',
    'approve',
    'policy-refusal',
    'stop-all',
  ])
    it(`sample "${name}" is what its command prints`, () => {
      const sample = samples.find((s) => s.name === name);
      assert.ok(sample, `the README has no sample "${name}"`);
      assertSampleMatches(sample, real.get(name) ?? '');
    });
});
