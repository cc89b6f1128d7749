// The compiled CLI in dist/: esbuild bundles the TypeScript entries (npm packages stay external)
// into ES modules one level below the package root, where src/ files sit, so paths built from
// import.meta.url (packageRoot, the workflow sources) resolve the same. Plain Node: bin/ imports
// `distIsFresh` on every call, so esbuild is loaded only to build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(root, 'dist');
const stampPath = join(distDir, '.build-stamp');
const entryPoints = { main: 'src/main.ts', 'workflow-bundle': 'src/workflow-bundle.ts' };
const SOURCE_DIRS = ['src', 'workflows', 'activities'];
const SOURCE_FILES = ['package-lock.json', 'tsconfig.json', 'scripts/build.mjs'];

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** Every input of the build, relative to the package root, sorted. */
export function buildInputs() {
  return [
    ...SOURCE_DIRS.flatMap(sourceFiles),
    ...SOURCE_FILES.filter((f) => existsSync(join(root, f))),
  ].sort();
}

/** Content digest of the build inputs (paths and bytes). */
export function buildDigest() {
  const hash = createHash('sha256');
  for (const file of buildInputs())
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex');
}

/** True when dist/ was built from sources no newer than its stamp (a cheap check: mtimes only). */
export function distIsFresh() {
  let built;
  try {
    built = statSync(stampPath).mtimeMs;
  } catch {
    return false;
  }
  return buildInputs().every((file) => statSync(join(root, file)).mtimeMs <= built);
}

/** Rebuilds dist/ when the sources' digest differs from the stamp's; returns true when it built. */
export async function ensureDist(log = (line) => process.stderr.write(`${line}\n`)) {
  const startedAt = new Date();
  const digest = buildDigest();
  const stamped = existsSync(stampPath) ? readFileSync(stampPath, 'utf8') : '';
  if (stamped === digest && existsSync(join(distDir, 'main.js'))) {
    // Same content, newer mtimes (a checkout): fresh again.
    writeFileSync(stampPath, digest);
    utimesSync(stampPath, startedAt, startedAt);
    return false;
  }
  log('setup: building dist/ (esbuild)');
  const { build } = await import('esbuild');
  // Chunk names change with their content: drop the previous build's modules (not the bundle cache).
  if (existsSync(distDir))
    for (const name of readdirSync(distDir)) if (name.endsWith('.js')) rmSync(join(distDir, name));
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir: distDir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  writeFileSync(stampPath, digest);
  // Dated before the digest was taken: a source saved meanwhile leaves dist/ stale for bin/.
  utimesSync(stampPath, startedAt, startedAt);
  return true;
}
