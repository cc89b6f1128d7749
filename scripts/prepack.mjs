#!/usr/bin/env node
// `npm pack` (and publish) runs this first: the compiled CLI in dist/ and the prebuilt workflow
// bundle, from the current sources, recorded as the bundle the package carries (package.json
// "files" lists what goes into the tarball). Plain Node, like setup.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir, ensureDist } from './build.mjs';

await ensureDist();
const { loadWorkflowBundle, recordPrebuiltBundle } = await import(
  pathToFileURL(join(distDir, 'workflow-bundle.js')).href
);
const bundle = await loadWorkflowBundle();
await recordPrebuiltBundle(bundle);
process.stderr.write(`prepack: dist/ and the workflow bundle ${bundle.hash} are packed\n`);
