// The workflow bundle builds: a Node built-in or a runtime activity import in workflow code fails here.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../../src/control-worker.js';
import { OPS_WORKFLOW_TYPES } from '../../src/contract/ops-workflows.js';
import * as workflows from '../../workflows/index.js';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('workflow bundle', () => {
  it('bundles the recipes without Node built-ins', async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath, logger: quiet as never });
    assert.ok(bundle.code.length > 100_000);
    for (const name of Object.keys(workflows))
      assert.ok(bundle.code.includes(name), `bundle contains ${name}`);
  });

  it('exports exactly the recipe names listed for sweeps to exclude', () => {
    assert.deepEqual(Object.keys(workflows).sort(), [...OPS_WORKFLOW_TYPES].sort());
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
