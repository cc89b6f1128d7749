// The recipes' workflow bundle, built once per content: keyed by a hash of the workflow sources
// (the files reachable from the entry by relative imports) and package-lock.json, cached on disk.
// An installed package has no sources: it loads the bundle `npm pack` prebuilt, named in a manifest.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from './config.js';
import { InstallIncompleteError } from './errors.js';

/** The recipes' entry, always the TypeScript source: dist and tsx runs share one cache. */
export const workflowSourcesEntry = join(packageRoot, 'workflows', 'index.ts');
/** The recipes' payload converter (see its file): bundled with them, so undecodable input fails the recipe. */
export const payloadConverterPath = join(packageRoot, 'workflows', 'lib', 'payload-converter.ts');
export const defaultBundleCacheDir = join(packageRoot, 'dist', 'workflow-bundles');
/** Names the bundle a package carries (written by scripts/prepack.mjs, read where the sources are absent). */
export const prebuiltManifestPath = join(packageRoot, 'dist', 'workflow-bundle.json');

interface PrebuiltManifest {
  hash: string;
  /** The bundle's file name in defaultBundleCacheDir. */
  file: string;
}

export interface WorkflowBundleOptions {
  /** Where bundles are kept (default: dist/workflow-bundles of this package). */
  cacheDir?: string;
  /** Entry file of the workflows (default: workflows/index.ts). */
  workflowsPath?: string;
}

export interface LoadedBundle {
  code: string;
  hash: string;
  path: string;
  /** True when the bundle came from the cache. */
  cached: boolean;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s(?!type\s)[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((file) => file.endsWith('.ts') && existsSync(file));
}

/** Files of the workflow code: the entry and every file it reaches by relative value imports (type-only ones are erased), sorted. */
export function workflowSourceFiles(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier);
      if (target) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** Content hash of the bundle's inputs: source paths and contents, and the locked package versions. */
export function workflowBundleHash(entry: string): string {
  const hash = createHash('sha256');
  const lock = join(packageRoot, 'package-lock.json');
  hash.update(existsSync(lock) ? readFileSync(lock) : 'no lock');
  hash.update('\0');
  for (const file of [...new Set([...workflowSourceFiles(entry), payloadConverterPath])].sort()) {
    hash.update(`${relative(packageRoot, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function bundle(workflowsPath: string): Promise<string> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath, payloadConverterPath, logger: quiet as never });
  return code;
}

/** Writes via a temporary file and a rename, then drops the bundles of older sources. */
async function store(cacheDir: string, path: string, code: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, code);
  await rename(temporary, path);
  for (const name of await readdir(cacheDir))
    if (/^workflow-bundle-[0-9a-f]+\.js$/.test(name) && join(cacheDir, name) !== path)
      await rm(join(cacheDir, name), { force: true });
}

/** Records `bundle` as the one this package carries and drops every other bundle from its cache dir. */
export async function recordPrebuiltBundle(bundle: LoadedBundle): Promise<void> {
  const manifest: PrebuiltManifest = { hash: bundle.hash, file: basename(bundle.path) };
  const cacheDir = dirname(bundle.path);
  for (const name of await readdir(cacheDir))
    if (name !== manifest.file) await rm(join(cacheDir, name), { force: true });
  await writeFile(prebuiltManifestPath, `${JSON.stringify(manifest)}\n`);
}

async function loadPrebuilt(): Promise<LoadedBundle> {
  let manifest: PrebuiltManifest;
  try {
    manifest = JSON.parse(await readFile(prebuiltManifestPath, 'utf8')) as PrebuiltManifest;
  } catch (error) {
    throw new InstallIncompleteError(prebuiltManifestPath, String(error));
  }
  const path = join(defaultBundleCacheDir, manifest.file);
  try {
    return { code: await readFile(path, 'utf8'), hash: manifest.hash, path, cached: true };
  } catch (error) {
    throw new InstallIncompleteError(path, String(error));
  }
}

/** True when this copy has the workflow sources (a checkout); an installed package carries only the bundle. */
export function hasWorkflowSources(): boolean {
  return existsSync(workflowSourcesEntry);
}

/**
 * The workflow bundle for the current sources: read from `<cacheDir>/workflow-bundle-<hash>.js` when
 * present, else bundled and stored there (a cache that cannot be written only costs the next start).
 * Without the sources (an installed package), the prebuilt bundle its manifest names.
 */
export async function loadWorkflowBundle(options: WorkflowBundleOptions = {}): Promise<LoadedBundle> {
  if (!options.workflowsPath && !options.cacheDir && !hasWorkflowSources()) return loadPrebuilt();
  const cacheDir = options.cacheDir ?? defaultBundleCacheDir;
  const workflowsPath = options.workflowsPath ?? workflowSourcesEntry;
  const hash = workflowBundleHash(workflowsPath);
  const path = join(cacheDir, `workflow-bundle-${hash}.js`);
  try {
    return { code: await readFile(path, 'utf8'), hash, path, cached: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const code = await bundle(workflowsPath);
  await store(cacheDir, path, code).catch((error: unknown) => {
    process.stderr.write(`warning: workflow bundle cache ${cacheDir} not written: ${String(error)}\n`);
  });
  return { code, hash, path, cached: false };
}
