// skills/temporal-ops/SKILL.md followed literally, as an agent would: every command block, in order,
// in a copy of the example Python project, against a real dev server, each checked against the
// `<!-- expect: ... -->` comment above it. The CLI is on PATH as `temporal-ops` (a link to this
// checkout's bin, which runs dist/ when it is fresh): the install block itself is not run, since
// installing the packed tarball is install.test.ts's subject and takes minutes.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, realpath, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../src/config.js';
import { exampleProjectDir, venvBin } from '../../src/host/projects/example.js';
import { testTarget, uniqueQueue } from '../helpers/harness.js';

/** One fenced bash block of the skill and the expectation written above it. */
interface Block {
  line: number;
  code: string;
  expect: string[];
}

/** Every bash block, each with the clauses of the `<!-- expect: ... -->` comment right above it. */
function skillBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const match of text.matchAll(/(?:<!-- expect: (.*?) -->\s*\n)?```bash\n([\s\S]*?)\n```/g)) {
    const line = text.slice(0, match.index).split('\n').length;
    assert.ok(match[1], `SKILL.md line ${line}: a bash block without an <!-- expect: ... --> comment`);
    const clauses = match[1].split(/;\s*/).map((c) => c.trim());
    blocks.push({ line, code: match[2]!, expect: clauses.filter((c) => c !== '') });
  }
  return blocks;
}

/** The last JSON document a block printed (a command's --json output), or undefined. */
function lastJson(stdout: string): unknown {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!/^[[{]/.test(lines[i]!)) continue;
    try {
      return JSON.parse(lines.slice(i).join('\n'));
    } catch {
      // Not where the document starts: look further up.
    }
  }
  return undefined;
}

/** `.a.b.length` of a value. */
function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.').filter(Boolean))
    current =
      current === null || current === undefined ? undefined : (current as Record<string, unknown>)[key];
  return current;
}

interface Outcome {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** The clauses that do not hold for `outcome` (empty: the block did what its text says). */
function unmet(clauses: string[], outcome: Outcome): string[] {
  const failed: string[] = [];
  for (const clause of clauses) {
    let m: RegExpExecArray | null;
    if ((m = /^exit (\d+)$/.exec(clause))) {
      if (outcome.exitCode !== Number(m[1])) failed.push(`${clause} (got ${outcome.exitCode})`);
    } else if ((m = /^(stdout|stderr) ~ (.*)$/.exec(clause))) {
      if (!new RegExp(m[2]!, 'm').test(outcome[m[1] as 'stdout' | 'stderr'])) failed.push(clause);
    } else if ((m = /^json (\S+) (==|>=) (.*)$/.exec(clause))) {
      const actual = at(lastJson(outcome.stdout), m[1]!);
      const wanted = JSON.parse(m[3]!) as unknown;
      const holds =
        m[2] === '==' ? JSON.stringify(actual) === JSON.stringify(wanted) : Number(actual) >= Number(wanted);
      if (!holds) failed.push(`${clause} (got ${JSON.stringify(actual)})`);
    } else if (!/^(retry|background|as \w+|<[\w-]+> = [\w.]+)$/.test(clause))
      failed.push(`${clause}: not an expectation this test knows`);
  }
  return failed;
}

let root: string;
let project: string;
let env: Record<string, string>;
const background: ResultPromise[] = [];

before(async () => {
  root = await realpath(await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'skill-')));
  project = join(root, 'shop');
  await cp(exampleProjectDir, project, {
    recursive: true,
    filter: (path) => !/\/(\.venv|__pycache__)(\/|$)/.test(path),
  });
  const bin = join(root, 'bin');
  await mkdir(bin);
  await symlink(join(packageRoot, 'bin', 'temporal-ops.mjs'), join(bin, 'temporal-ops'));
  env = {
    PATH: [bin, venvBin, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
    HOME: process.env.HOME ?? root,
    TEMPORAL_ADDRESS: testTarget().address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_OPS_STATE_DIR: join(root, 'state'),
    TEMPORAL_OPS_TASK_QUEUE: uniqueQueue('ops'),
    // The uv cache holds the example's locked dependencies; a real project may reach its index.
    UV_OFFLINE: '1',
  };
});

after(async () => {
  for (const child of background) {
    child.kill('SIGINT');
    await child;
  }
  if (env)
    await execa('temporal-ops', ['worker', 'stop-all'], {
      cwd: project,
      env,
      extendEnv: false,
      reject: false,
    });
});

/** Runs a block in the project directory as one bash script that stops at its first failing command. */
function runBlock(code: string): Promise<Outcome> {
  return execa('bash', ['-eo', 'pipefail', '-c', code], {
    cwd: project,
    env,
    extendEnv: false,
    reject: false,
    timeout: 300_000,
    stdin: 'ignore',
  }).then((r) => ({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }));
}

/** Starts a block that keeps running and resolves once its output meets the clauses. */
async function startInBackground(block: Block): Promise<Outcome> {
  const child = execa('bash', ['-eo', 'pipefail', '-c', block.code], {
    cwd: project,
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  background.push(child);
  const seen = { exitCode: undefined as number | undefined, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (seen.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (seen.stderr += chunk.toString()));
  const ended = child.then((r) => (seen.exitCode = r.exitCode));
  const clauses = block.expect.filter((c) => c !== 'background');
  for (const started = Date.now(); Date.now() - started < 120_000; await sleep(100)) {
    if (unmet(clauses, seen).length === 0) return seen;
    if (seen.exitCode !== undefined) break;
  }
  await Promise.race([ended, sleep(0)]);
  return seen;
}

describe('SKILL.md, followed as written', () => {
  it('every command block does what the text next to it says, in order', { timeout: 900_000 }, async () => {
    const text = await readFile(join(packageRoot, 'skills', 'temporal-ops', 'SKILL.md'), 'utf8');
    const blocks = skillBlocks(text);
    for (const block of blocks)
      assert.doesNotMatch(
        block.code,
        /\bnpx\b/,
        `line ${block.line}: the skill never runs anything through npx`,
      );
    const outputs = new Map<string, unknown>();
    const ran: string[] = [];
    const problems: string[] = [];
    for (const block of blocks) {
      if (block.expect.includes('install')) {
        assert.match(block.code, /npm install -g/, `line ${block.line}: the install block installs with npm`);
        ran.push(`line ${block.line}: install (the CLI is linked on PATH instead)`);
        continue;
      }
      let code = block.code;
      for (const clause of block.expect) {
        const fill = /^(<[\w-]+>) = (\w+)\.([\w.]+)$/.exec(clause);
        if (!fill) continue;
        const value = at(outputs.get(fill[2]!), fill[3]!);
        assert.equal(typeof value, 'string', `line ${block.line}: ${clause} has no value`);
        code = code.replaceAll(fill[1]!, value as string);
      }
      assert.doesNotMatch(code, /<[\w-]+>/, `line ${block.line}: a placeholder without a value`);
      let outcome: Outcome;
      if (block.expect.includes('background')) outcome = await startInBackground({ ...block, code });
      else {
        outcome = await runBlock(code);
        for (let tries = 1; block.expect.includes('retry') && unmet(block.expect, outcome).length; tries++) {
          assert.ok(tries < 30, `line ${block.line}: never did what its text says`);
          await sleep(2000);
          outcome = await runBlock(code);
        }
      }
      const failed = unmet(block.expect, outcome);
      // Later blocks still run (as an agent would go on): every block that misses shows at the end.
      if (failed.length)
        problems.push(
          `SKILL.md line ${block.line}: ${failed.join('; ')}\n${code}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`,
        );
      const name = block.expect.find((c) => c.startsWith('as '));
      if (name) outputs.set(name.slice(3), lastJson(outcome.stdout));
      ran.push(`line ${block.line}: ${failed.length ? 'NOT as written' : 'ok'}`);
    }
    assert.deepEqual(problems, [], problems.join('\n\n'));
    process.stderr.write(`skill-as-written: ${ran.length} blocks\n${ran.join('\n')}\n`);
    const recipes = ['clean-start', 'debug-stalled', 'clear-stalled', 'test-interactive', 'check-recent'];
    for (const recipe of recipes)
      assert.ok(
        blocks.some((b) => b.code.includes(`temporal-ops run ${recipe}`)),
        `the skill runs ${recipe}`,
      );
    assert.ok(
      blocks.some((b) => b.code.includes('temporal-ops project add')),
      'the skill registers the project',
    );
  });
});
