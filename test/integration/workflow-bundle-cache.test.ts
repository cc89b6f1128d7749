// The workflow bundle cache: keyed by the content of the files the workflows import, reused when
// nothing changed, rebuilt (and the stale bundle dropped) when an imported file changes.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  loadWorkflowBundle,
  workflowBundleHash,
  WORKFLOW_BUNDLES,
  workflowSourceFiles,
  workflowSourcesEntry,
} from '../../src/workflow-bundle.js';
import { packageRoot } from '../../src/config.js';

async function scratchWorkflows(): Promise<{ dir: string; entry: string }> {
  const dir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'bundle-'));
  // The bundler resolves the SDK from beside the entry.
  await symlink(join(packageRoot, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, 'greeting.ts'), "export const greeting = 'hello';\n");
  await writeFile(join(dir, 'unused.ts'), "export const unused = 'never imported';\n");
  await writeFile(join(dir, 'types.ts'), 'export interface Shape { name: string }\n');
  await writeFile(
    join(dir, 'index.ts'),
    [
      "import type { Shape } from './types.js';",
      "import { greeting } from './greeting.js';",
      'export async function Greet(shape: Shape): Promise<string> {',
      '  return `${greeting} ${shape.name}`;',
      '}',
      '',
    ].join('\n'),
  );
  return { dir, entry: join(dir, 'index.ts') };
}

describe('workflow bundle cache', () => {
  it('hashes the entry and its value imports only', async () => {
    const { dir, entry } = await scratchWorkflows();
    assert.deepEqual(workflowSourceFiles(entry), [join(dir, 'greeting.ts'), entry]);
    const before = workflowBundleHash(entry);
    await writeFile(join(dir, 'unused.ts'), "export const unused = 'changed';\n");
    assert.equal(workflowBundleHash(entry), before);
    await writeFile(join(dir, 'greeting.ts'), "export const greeting = 'hi';\n");
    assert.notEqual(workflowBundleHash(entry), before);
  });

  it('reuses the cached bundle, and rebuilds when an imported file changes', async () => {
    const { dir, entry } = await scratchWorkflows();
    const cacheDir = join(dir, 'cache');
    const first = await loadWorkflowBundle({ cacheDir, workflowsPath: entry });
    assert.equal(first.cached, false);
    assert.ok(first.code.includes('Greet'));
    assert.deepEqual(await readdir(cacheDir), [`workflow-bundle-ops-${first.hash}.js`]);

    const again = await loadWorkflowBundle({ cacheDir, workflowsPath: entry });
    assert.deepEqual([again.cached, again.hash, again.code === first.code], [true, first.hash, true]);

    await writeFile(join(dir, 'greeting.ts'), "export const greeting = 'good day';\n");
    const rebuilt = await loadWorkflowBundle({ cacheDir, workflowsPath: entry });
    assert.equal(rebuilt.cached, false);
    assert.notEqual(rebuilt.hash, first.hash);
    assert.ok(rebuilt.code.includes('good day'));
    assert.deepEqual(await readdir(cacheDir), [`workflow-bundle-ops-${rebuilt.hash}.js`]);
  });

  it('maps positions to the source files without carrying the sources', async () => {
    const { dir, entry } = await scratchWorkflows();
    const { code } = await loadWorkflowBundle({ cacheDir: join(dir, 'cache'), workflowsPath: entry });
    const inline = code.slice(code.lastIndexOf('base64,') + 'base64,'.length).trim();
    const map = JSON.parse(Buffer.from(inline, 'base64').toString()) as {
      sources: string[];
      mappings: string;
      sourcesContent?: unknown;
    };
    assert.ok(
      map.sources.some((source) => source.endsWith('greeting.ts')),
      map.sources.join(', '),
    );
    assert.ok(map.mappings.length > 0);
    assert.equal(map.sourcesContent, undefined);
  });

  it('keeps each named bundle beside the others: a rebuild drops only its own older builds', async () => {
    const { dir, entry } = await scratchWorkflows();
    const cacheDir = join(dir, 'cache');
    const ops = await loadWorkflowBundle({ cacheDir, workflowsPath: entry });
    await writeFile(join(dir, 'other.ts'), 'export async function Other(): Promise<void> {}\n');
    const other = await loadWorkflowBundle({
      cacheDir,
      name: 'bookkeeping',
      workflowsPath: join(dir, 'other.ts'),
    });
    assert.deepEqual((await readdir(cacheDir)).sort(), [
      `workflow-bundle-bookkeeping-${other.hash}.js`,
      `workflow-bundle-ops-${ops.hash}.js`,
    ]);
    await writeFile(join(dir, 'greeting.ts'), "export const greeting = 'welcome';\n");
    const rebuilt = await loadWorkflowBundle({ cacheDir, workflowsPath: entry });
    assert.deepEqual((await readdir(cacheDir)).sort(), [
      `workflow-bundle-bookkeeping-${other.hash}.js`,
      `workflow-bundle-ops-${rebuilt.hash}.js`,
    ]);
  });

  it('covers the bookkeeping workflows, without the recipes', () => {
    const files = workflowSourceFiles(WORKFLOW_BUNDLES.bookkeeping);
    assert.ok(files.some((file) => file.endsWith('workflows/incident.ts')));
    assert.ok(files.some((file) => file.includes('/src/contract/')));
    assert.ok(!files.some((file) => file.endsWith('workflows/clean-start.ts')));
  });

  it('covers the recipes and the src files they import', () => {
    const files = workflowSourceFiles(workflowSourcesEntry);
    assert.ok(files.includes(workflowSourcesEntry));
    assert.ok(files.some((file) => file.endsWith('workflows/clean-start.ts')));
    assert.ok(files.some((file) => file.includes('/src/contract/')));
    assert.ok(!files.some((file) => file.includes('/activities/')), 'activities are imported as types only');
  });
});
