// The packed package as a user installs it: `npm pack`, a global install into a temporary prefix,
// then `temporal-ops` and `temporal ops` from a Python project outside the repository.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../src/config.js';
import { venvBin } from '../../src/host/projects/example.js';
import { fixturesDir } from '../helpers/processes.js';
import { testTarget, uniqueQueue } from '../helpers/harness.js';

const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
  version: string;
};

// npm's own settings from an `npm test` run (npm_config_prefix, ...) must not steer the install.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

let root: string;
let prefix: string;
let installedRoot: string;
let project: string;
let env: Record<string, string>;
let serve: ResultPromise | undefined;

/** The build tools: a checkout compiles with them; the installed copy must run without them. */
const BUILD_TOOLS = ['tsx', 'esbuild', '@esbuild'];

/**
 * Installs the tarball with `npm install -g --offline`. npm's cache holds the dependencies' tarballs but
 * not their registry metadata, so where npm answers ENOTCACHED the unpacked tarball is installed instead
 * (a folder install, as `npm install -g .` from a clone) with this checkout's packages beside it. Either
 * way the build tools are then taken away, so every test below runs the copy without them.
 */
async function installOffline(tarball: string): Promise<string> {
  const npm = (args: string[]) =>
    execa('npm', [...args, '--offline', '--no-audit', '--no-fund'], {
      cwd: root,
      env: npmEnv,
      extendEnv: false,
      reject: false,
    });
  const direct = await npm(['install', '-g', '--prefix', prefix, tarball]);
  if (direct.exitCode === 0) {
    const installed = join(prefix, 'lib', 'node_modules', 'temporal-ops', 'node_modules');
    for (const tool of BUILD_TOOLS) await rm(join(installed, tool), { recursive: true, force: true });
    return 'tarball, without tsx and esbuild';
  }
  assert.match(direct.stderr, /ENOTCACHED/, direct.stderr);
  const unpacked = join(root, 'package');
  await mkdir(unpacked);
  await execa('tar', ['xzf', tarball, '-C', unpacked, '--strip-components=1']);
  const modules = join(unpacked, 'node_modules');
  await mkdir(modules);
  for (const name of await readdir(join(packageRoot, 'node_modules')))
    if (!BUILD_TOOLS.includes(name) && name !== '.bin')
      await symlink(join(packageRoot, 'node_modules', name), join(modules, name));
  const folder = await npm(['install', '-g', '--prefix', prefix, unpacked]);
  assert.equal(folder.exitCode, 0, folder.stderr);
  return 'unpacked tarball, dependencies from this checkout but tsx and esbuild';
}

/** Runs a command of the installed copy from the project directory. */
function run(file: string, args: string[]) {
  return execa(file, args, { cwd: project, env, extendEnv: false, reject: false, timeout: 180_000 });
}

/** Resolves once `child` printed a stderr line matching `pattern`; rejects when it exits first. */
function printed(child: ResultPromise, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    });
    child.then((result) => reject(new Error(`exited ${result.exitCode} before ${pattern}: ${seen}`)), reject);
  });
}

before(async () => {
  root = await realpath(await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'install-')));
  prefix = join(root, 'prefix');
  const pack = await execa('npm', ['pack', '--pack-destination', root], {
    cwd: packageRoot,
    env: npmEnv,
    extendEnv: false,
    reject: false,
  });
  assert.equal(pack.exitCode, 0, pack.stderr);
  const tarball = join(root, `temporal-ops-${version}.tgz`);
  assert.ok(existsSync(tarball), pack.stdout);
  const how = await installOffline(tarball);
  process.stderr.write(`install.test: installed ${tarball} into ${prefix} (${how})\n`);
  installedRoot = await realpath(join(prefix, 'lib', 'node_modules', 'temporal-ops'));

  project = join(root, 'shop');
  await cp(fixturesDir, project, { recursive: true });
  env = {
    PATH: [join(prefix, 'bin'), venvBin, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
    HOME: process.env.HOME ?? root,
    TEMPORAL_ADDRESS: testTarget().address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_OPS_STATE_DIR: join(root, 'state'),
    TEMPORAL_OPS_TASK_QUEUE: uniqueQueue('ops'),
    TEMPORAL_OPS_ALLOWED_ROOTS: root,
  };
});

after(async () => {
  if (serve) {
    serve.kill('SIGINT');
    await serve;
  }
  if (env) await run('temporal-ops', ['worker', 'stop-all']);
});

describe('the packed package, installed', () => {
  it('carries the build, not the sources', () => {
    assert.notEqual(installedRoot, packageRoot);
    for (const file of [
      'dist/main.js',
      'dist/workflow-bundle.json',
      'src/host/replay/python/sitecustomize.py',
    ])
      assert.ok(existsSync(join(installedRoot, file)), file);
    // Both prebuilt bundles: every ops workflow, and the bookkeeping namespace's own.
    const manifest = JSON.parse(
      readFileSync(join(installedRoot, 'dist', 'workflow-bundle.json'), 'utf8'),
    ) as Record<string, { file: string }>;
    assert.deepEqual(Object.keys(manifest).sort(), ['bookkeeping', 'ops']);
    for (const { file } of Object.values(manifest))
      assert.ok(existsSync(join(installedRoot, 'dist', 'workflow-bundles', file)), file);
    for (const file of ['src/main.ts', 'workflows/index.ts', 'scripts/build.mjs', 'examples'])
      assert.ok(!existsSync(join(installedRoot, file)), file);
    for (const tool of BUILD_TOOLS)
      assert.ok(!existsSync(join(installedRoot, 'node_modules', tool)), `${tool} is gone`);
  });

  it('`temporal-ops --version` names our version, the Temporal CLI on PATH and the server', async () => {
    const result = await run('temporal-ops', ['--version']);
    assert.equal(result.exitCode, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], `temporal-ops ${version} (installed at ${installedRoot})`);
    assert.match(lines[1]!, /^temporal CLI: temporal version \d+\.\d+\.\d+ .* — (.+), first on PATH$/);
    assert.ok(lines[1]!.includes(join(venvBin, 'temporal')), lines[1]);
    assert.match(lines[2]!, new RegExp(`^server: Temporal \\d+\\.\\d+\\.\\d+ at ${testTarget().address},`));
  });

  it('`temporal ops` runs it as a Temporal CLI extension, and `temporal help --all` lists it', async () => {
    const help = await run('temporal', ['ops', '--help']);
    assert.equal(help.exitCode, 0, help.stderr);
    assert.match(help.stdout, /^Usage: temporal-ops \[options\] \[command\]/);
    const all = await run('temporal', ['help', '--all']);
    assert.equal(all.exitCode, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`\\bops\\s+.*${join(prefix, 'bin', 'temporal-ops')}`));
  });

  it('`up` without a target asks for one: the bundled example comes with a checkout only', async () => {
    const result = await run('temporal-ops', ['up']);
    assert.equal(result.exitCode, 2, result.stderr);
    assert.match(result.stderr, /no target: give --project-dir .* not with an installed copy/);
  });

  it('serves recipes: CleanStart of the project, then `temporal ops workflows recent --json` on its queue lists its run', async () => {
    serve = execa('temporal-ops', ['serve'], { cwd: project, env, extendEnv: false, reject: false });
    await printed(serve, /control worker: polling/);
    const taskQueue = uniqueQueue('shop');
    const cleanStart = await run('temporal', [
      'ops',
      'run',
      'clean-start',
      '--json',
      '--project-dir',
      '.',
      '--task-queue',
      taskQueue,
      '--worker-command',
      'python worker.py',
      '--workflow-type',
      'SlowTask',
      '--args',
      '[{"blockSeconds": 0}]',
    ]);
    assert.equal(cleanStart.exitCode, 0, cleanStart.stderr);
    const report = JSON.parse(cleanStart.stdout) as {
      ok: boolean;
      recipe: string;
      target: { workflowId: string; status: string; result: unknown };
    };
    assert.equal(report.recipe, 'CleanStart');
    assert.equal(report.ok, true, cleanStart.stdout);
    assert.equal(report.target.status, 'COMPLETED');
    assert.deepEqual(report.target.result, { status: 'ok' });

    // Only this test's queue: other tests share the server, and their runs may read like errors (exit 5).
    const recent = await run('temporal', [
      'ops',
      'workflows',
      'recent',
      '--json',
      '--query',
      `TaskQueue = '${taskQueue}'`,
    ]);
    assert.equal(recent.exitCode, 0, recent.stderr);
    const rows = JSON.parse(recent.stdout) as {
      workflowId: string;
      workflowType: string;
      status: string;
      taskQueue: string;
    }[];
    const row = rows.find((r) => r.workflowId === report.target.workflowId);
    assert.deepEqual(row && [row.workflowType, row.status, row.taskQueue], [
      'SlowTask',
      'COMPLETED',
      taskQueue,
    ]);
  });
});
