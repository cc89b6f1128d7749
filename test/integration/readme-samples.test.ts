// Every sample output in the README (a fenced block under `<!-- sample: NAME -->`) is what its
// command really prints: the test runs the 60-second tour's commands, as written there, through the
// real CLI against a dev server that `npm start` (`up`) starts itself, and compares line by line.
import assert from 'node:assert/strict';
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultTemporalCli, packageRoot } from '../../src/config.js';
import { freePort } from '../../src/host/server/ports.js';

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
  const host = (process.env.TEMPORAL_OPS_HOST || hostname()).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text
    .replaceAll(defaultTemporalCli(), `${README_ROOT}/.venv/bin/temporal`)
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

/**
 * Starts a program whose stdout and stderr are one open file, as a terminal is: its lines keep the
 * order in which it wrote them (two pipes, read by this process, would not keep it).
 */
function startTo(outputFile: string, file: string, args: string[], env: Record<string, string>) {
  const fd = openSync(outputFile, 'w');
  try {
    const child = spawnProcess(file, args, {
      cwd: packageRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', fd, fd],
    });
    const exited = once(child, 'exit').then(([code]) => ({ exitCode: code as number | null }));
    return { child, exited };
  } finally {
    closeSync(fd);
  }
}

/** A command started by the test, with its output so far. */
class Command {
  static started: Command[] = [];
  readonly child: ChildProcess;
  readonly process: Promise<{ exitCode: number | null }>;
  constructor(
    started: ReturnType<typeof startTo>,
    readonly outputFile: string,
  ) {
    this.child = started.child;
    this.process = started.exited;
    Command.started.push(this);
  }
  get text(): string {
    return readFileSync(this.outputFile, 'utf8');
  }
  /** Resolves with all its output once it ended. */
  async output(): Promise<string> {
    await this.process;
    return this.text;
  }
  /** Resolves once the output contains `marker`; rejects when the process ends first. */
  async waitFor(marker: string): Promise<void> {
    let ended = false;
    void this.process.finally(() => {
      ended = true;
    });
    while (!this.text.includes(marker)) {
      if (ended) throw new Error(`ended before printing "${marker}":\n${this.text}`);
      await sleep(50);
    }
  }
}

describe('README samples', () => {
  const real = new Map<string, string>();
  let samples: Sample[];
  let ctx: { stateDir: string; port: number };
  let env: Record<string, string>;
  let outputs = 0;

  /** Starts a README command line: `npm start`, `npx temporal-ops ...` or the Temporal CLI. */
  function spawn(command: string): Command {
    const [program, ...args] = shellWords(command);
    const argv =
      program === 'npm' && args[0] === 'start'
        ? [process.execPath, bin, 'up', ...args.slice(2)]
        : program === 'npx' && args[0] === 'temporal-ops'
          ? [process.execPath, bin, ...args.slice(1)]
          : undefined;
    if (!argv)
      assert.ok(program === 'temporal' || program === '.venv/bin/temporal', `unknown program in ${command}`);
    const [file, ...rest] = argv ?? [defaultTemporalCli(), ...args];
    const outputFile = join(ctx.stateDir, `output-${++outputs}.txt`);
    return new Command(startTo(outputFile, file!, rest, env), outputFile);
  }

  /** Runs a sample's command (or `command`, its README form with a real ID) and keeps its output. */
  async function run(sample: string, command = commandOf(sample)): Promise<void> {
    real.set(sample, asReadme(await spawn(command).output(), ctx));
  }

  const commandOf = (name: string) => {
    const sample = samples.find((s) => s.name === name);
    assert.ok(sample, `the README has a sample named ${name}`);
    return sample.command;
  };

  before(
    async () => {
      samples = readmeSamples(await readFile(join(packageRoot, 'README.md'), 'utf8'));
      const port = await freePort();
      ctx = {
        port,
        stateDir: await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'readme-')),
      };
      env = {
        TEMPORAL_ADDRESS: `localhost:${port}`,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_OPS_STATE_DIR: ctx.stateDir,
        TEMPORAL_OPS_TASK_QUEUE: 'temporal-ops',
        TEMPORAL_OPS_LOG_LEVEL: 'WARN',
      };
      // The tour, in the README's order. `npm start` starts the dev server and keeps serving.
      const up = spawn(commandOf('npm-start'));
      await up.waitFor('serving recipes; press Ctrl-C to stop');
      await run('start-stalling-workflow');
      // The stall shows once the worker has failed the workflow's first task.
      let stalled = spawn(commandOf('workflows-stalled'));
      for (let tries = 1; (await stalled.process).exitCode !== 8; tries++) {
        assert.ok(tries < 100, `shipment-7 never showed as stalled:\n${stalled.text}`);
        stalled = spawn(commandOf('workflows-stalled'));
      }
      real.set('workflows-stalled', asReadme(stalled.text, ctx));
      const clear = spawn(commandOf('run-clear-stalled'));
      await clear.waitFor('(or --reject)');
      const clearId = /workflow (clear-stalled-\S+)/.exec(clear.text)?.[1];
      const planId = /--plan-id ([0-9a-f]+)/.exec(clear.text)?.[1];
      assert.ok(clearId && planId, clear.text);
      const approve = commandOf('approve')
        .replace(/clear-stalled-\S+/, clearId)
        .replace(/--plan-id \S+/, `--plan-id ${planId}`);
      await run('approve', approve);
      await clear.process;
      real.set('run-clear-stalled', asReadme(clear.text, ctx));
      up.child.kill('SIGINT');
      await up.process;
      real.set('npm-start', asReadme(up.text, ctx));
      // The policy refusal needs a control worker; `serve` is one without a recipe of its own.
      const serve = spawn('npx temporal-ops serve');
      await serve.waitFor('control worker: polling');
      await run('policy-refusal');
      serve.child.kill('SIGINT');
      await serve.process;
      await run('stop-all');
    },
    { timeout: 300_000 },
  );

  after(async () => {
    // Whatever happened above, nothing this test started stays behind.
    for (const command of Command.started)
      if (command.child.exitCode === null && command.child.signalCode === null) {
        command.child.kill('SIGINT');
        await command.process;
      }
    if (ctx) await spawn('npx temporal-ops worker stop-all --include-server').process;
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
