// The workflow bundles build: a Node built-in or a runtime activity import in workflow code fails here.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { OPS_WORKFLOW_TYPES, RECIPE_NAMES } from '../../src/contract/ops-workflows.js';
import { WORKFLOW_BUNDLES } from '../../src/workflow-bundle.js';
import * as bookkeeping from '../../workflows/bookkeeping.js';
import * as workflows from '../../workflows/index.js';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('workflow bundle', () => {
  it('bundles the recipes without Node built-ins', async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOW_BUNDLES.ops, logger: quiet as never });
    assert.ok(bundle.code.length > 100_000);
    for (const name of Object.keys(workflows))
      assert.ok(bundle.code.includes(name), `bundle contains ${name}`);
  });

  it('exports exactly the recipe names listed for sweeps to exclude', () => {
    assert.deepEqual(Object.keys(workflows).sort(), [...OPS_WORKFLOW_TYPES].sort());
  });

  it('bundles the bookkeeping workflows alone: every ops type but the recipes, and no recipe code', async () => {
    const others = OPS_WORKFLOW_TYPES.filter((name) => !(RECIPE_NAMES as readonly string[]).includes(name));
    assert.deepEqual(Object.keys(bookkeeping).sort(), [...others].sort());
    const bundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOW_BUNDLES.bookkeeping,
      logger: quiet as never,
    });
    for (const name of others) assert.ok(bundle.code.includes(name), `bundle contains ${name}`);
    for (const file of ['clean-start.ts', 'debug-stalled.ts', 'lib/recipe.ts'])
      assert.ok(!bundle.code.includes(`workflows/${file}`), `bundle leaves out ${file}`);
  });

  it('fails to bundle workflow code that imports a Node built-in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bad-workflow-'));
    const file = join(dir, 'index.ts');
    await writeFile(
      file,
      "import { readFileSync } from 'node:fs';\nexport async function Bad() { return readFileSync('/etc/hostname', 'utf8'); }\n",
    );
    await assert.rejects(bundleWorkflowCode({ workflowsPath: file, logger: quiet as never }));
  });
});
