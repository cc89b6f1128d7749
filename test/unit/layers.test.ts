// Every source file sits in one of the layers lint enforces (eslint.config.mjs): a file outside them
// would escape the layer order, so a new folder must take its place in LAYERS.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/config.js';

function sources(dir: string): string[] {
  return readdirSync(join(packageRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// The lint config is plain JavaScript: its LAYERS list is read as data.
const { LAYERS } = (await import(new URL('../../eslint.config.mjs', import.meta.url).href)) as {
  LAYERS: string[][];
};

const inLayer = (file: string) =>
  LAYERS.filter((layer) => layer.some((place) => file === place || file.startsWith(`${place}/`)));

describe('layers', () => {
  it('place every source file in exactly one layer', () => {
    const files = ['src', 'workflows', 'activities'].flatMap(sources);
    assert.ok(files.length > 100, 'the sources are read');
    const outside = files.filter((file) => inLayer(file).length !== 1);
    assert.deepEqual(outside, [], 'files outside the layers (or in two): add their folder to LAYERS');
  });
});
