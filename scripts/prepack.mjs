#!/usr/bin/env node
// `npm pack` (and publish) runs this first: the compiled CLI in dist/ and the prebuilt workflow
// bundles, from the current sources, recorded as the bundles the package carries (package.json
// "files" lists what goes into the tarball). Plain Node, like setup.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir, ensureDist } from './build.mjs';

await ensureDist();
const { loadWorkflowBundles, recordPrebuiltBundles } = await import(
  pathToFileURL(join(distDir, 'workflow-bundle.js')).href
);
const bundles = await loadWorkflowBundles();
await recordPrebuiltBundles(bundles);
const packed = bundles.map((bundle) => `${bundle.name} ${bundle.hash}`).join(', ');
process.stderr.write(`prepack: dist/ and the workflow bundles (${packed}) are packed\n`);
