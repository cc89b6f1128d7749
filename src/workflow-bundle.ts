// The workflow bundles, each built once per content: keyed by a hash of its workflow sources (the
// files reachable from its entry by relative imports) and package-lock.json, cached on disk. An
// installed package has no sources: it loads the bundles `npm pack` prebuilt, named in a manifest.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from './config.js';
import { InstallIncompleteError } from './errors.js';

/** The recipes' entry, always the TypeScript source: dist and tsx runs share one cache. */
export const workflowSourcesEntry = join(packageRoot, 'workflows', 'index.ts');
/**
 * The bundles, by name, and their entries. `ops` holds every ops workflow: the recipe worker's, which
 * also serves the bookkeeping where it shares the namespace; `bookkeeping` holds only ProjectHost,
 * HostProcesses and Incident, for the worker of a bookkeeping namespace of its own.
 */
export const WORKFLOW_BUNDLES = {
  ops: workflowSourcesEntry,
  bookkeeping: join(packageRoot, 'workflows', 'bookkeeping.ts'),
} as const;
export type BundleName = keyof typeof WORKFLOW_BUNDLES;
/** The recipes' payload converter (see its file): bundled with them, so undecodable input fails the recipe. */
export const payloadConverterPath = join(packageRoot, 'workflows', 'lib', 'payload-converter.ts');
export const defaultBundleCacheDir = join(packageRoot, 'dist', 'workflow-bundles');
/** Names the bundles a package carries (written by scripts/prepack.mjs, read where the sources are absent). */
export const prebuiltManifestPath = join(packageRoot, 'dist', 'workflow-bundle.json');

interface PrebuiltBundle {
  hash: string;
  /** The bundle's file name in defaultBundleCacheDir. */
  file: string;
}

type PrebuiltManifest = Partial<Record<BundleName, PrebuiltBundle>>;

export interface WorkflowBundleOptions {
  /** Which bundle (default `ops`): its entry, its file names and its line in the manifest. */
  name?: BundleName;
  /** Where bundles are kept (default: dist/workflow-bundles of this package). */
  cacheDir?: string;
  /** Entry file of the workflows (default: the named bundle's entry). */
  workflowsPath?: string;
}

export interface LoadedBundle {
  name: BundleName;
  code: string;
  hash: string;
  path: string;
  /** True when the bundle came from the cache. */
  cached: boolean;
}

/** A bundle's file in its cache dir: `workflow-bundle-<name>-<hash>.js` (package.json "files" packs them). */
function bundleFile(name: BundleName, hash: string): string {
  return `workflow-bundle-${name}-${hash}.js`;
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

/**
 * The bundler's source maps carry positions, not the sources: each worker holds its bundle several
 * times over (the SDK copies it into the workflow thread), and the sources would double it. Stack
 * traces still map to the files; only the SDK's opt-in `showStackTraceSources` would want them.
 */
const DEVTOOL = 'inline-nosources-source-map';

/** Content hash of the bundle's inputs: source paths and contents, the locked package versions and the bundler settings. */
export function workflowBundleHash(entry: string): string {
  const hash = createHash('sha256');
  const lock = join(packageRoot, 'package-lock.json');
  hash.update(existsSync(lock) ? readFileSync(lock) : 'no lock');
  hash.update(`\0${DEVTOOL}\0`);
  for (const file of [
    ...new Set([...workflowSourceFiles(entry), ...workflowSourceFiles(payloadConverterPath)]),
  ].sort()) {
    hash.update(`${relative(packageRoot, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function bundle(workflowsPath: string): Promise<string> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    payloadConverterPath,
    logger: quiet as never,
    webpackConfigHook: (config) => ({ ...config, devtool: DEVTOOL }),
  });
  return code;
}

/** Writes via a temporary file and a rename, then drops this bundle's older builds (and unnamed ones). */
async function store(cacheDir: string, name: BundleName, path: string, code: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, code);
  await rename(temporary, path);
  const stale = new RegExp(`^workflow-bundle-(?:${name}-)?[0-9a-f]+\\.js$`);
  for (const file of await readdir(cacheDir))
    if (stale.test(file) && join(cacheDir, file) !== path) await rm(join(cacheDir, file), { force: true });
}

/** Records `bundles` as the ones this package carries and drops every other file from their cache dir. */
export async function recordPrebuiltBundles(bundles: LoadedBundle[]): Promise<void> {
  const manifest: PrebuiltManifest = {};
  for (const bundle of bundles) manifest[bundle.name] = { hash: bundle.hash, file: basename(bundle.path) };
  const kept = new Set(bundles.map((bundle) => bundle.path));
  for (const cacheDir of new Set(bundles.map((bundle) => dirname(bundle.path))))
    for (const file of await readdir(cacheDir))
      if (!kept.has(join(cacheDir, file))) await rm(join(cacheDir, file), { force: true });
  await writeFile(prebuiltManifestPath, `${JSON.stringify(manifest)}\n`);
}

async function loadPrebuilt(name: BundleName): Promise<LoadedBundle> {
  let entry: PrebuiltBundle | undefined;
  try {
    entry = (JSON.parse(await readFile(prebuiltManifestPath, 'utf8')) as PrebuiltManifest)[name];
  } catch (error) {
    throw new InstallIncompleteError(prebuiltManifestPath, String(error));
  }
  if (!entry) throw new InstallIncompleteError(prebuiltManifestPath, `no ${name} bundle listed`);
  const path = join(defaultBundleCacheDir, entry.file);
  try {
    return { name, code: await readFile(path, 'utf8'), hash: entry.hash, path, cached: true };
  } catch (error) {
    throw new InstallIncompleteError(path, String(error));
  }
}

/** True when this copy has the workflow sources (a checkout); an installed package carries only the bundle. */
export function hasWorkflowSources(): boolean {
  return existsSync(workflowSourcesEntry);
}

/**
 * A workflow bundle for the current sources: read from `<cacheDir>/workflow-bundle-<name>-<hash>.js`
 * when present, else bundled and stored there (a cache that cannot be written only costs the next
 * start). Without the sources (an installed package), the prebuilt bundle its manifest names.
 */
export async function loadWorkflowBundle(options: WorkflowBundleOptions = {}): Promise<LoadedBundle> {
  const name = options.name ?? 'ops';
  if (!options.workflowsPath && !options.cacheDir && !hasWorkflowSources()) return loadPrebuilt(name);
  const cacheDir = options.cacheDir ?? defaultBundleCacheDir;
  const workflowsPath = options.workflowsPath ?? WORKFLOW_BUNDLES[name];
  const hash = workflowBundleHash(workflowsPath);
  const path = join(cacheDir, bundleFile(name, hash));
  try {
    return { name, code: await readFile(path, 'utf8'), hash, path, cached: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const code = await bundle(workflowsPath);
  await store(cacheDir, name, path, code).catch((error: unknown) => {
    process.stderr.write(`warning: workflow bundle cache ${cacheDir} not written: ${String(error)}\n`);
  });
  return { name, code, hash, path, cached: false };
}

/** Every bundle of WORKFLOW_BUNDLES, loaded (or built) one after the other: what setup and prepack make. */
export async function loadWorkflowBundles(): Promise<LoadedBundle[]> {
  const bundles: LoadedBundle[] = [];
  for (const name of Object.keys(WORKFLOW_BUNDLES) as BundleName[])
    bundles.push(await loadWorkflowBundle({ name }));
  return bundles;
}
