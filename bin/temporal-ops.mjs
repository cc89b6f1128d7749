#!/usr/bin/env node
// In a checkout: the compiled CLI from dist/ when setup built it from the current sources, otherwise
// the TypeScript sources through tsx's loader. In an installed package (no sources): dist/ as packed.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../src/main.ts', import.meta.url))) {
  await import('../dist/main.js');
} else {
  const { distIsFresh } = await import('../scripts/build.mjs');
  if (distIsFresh()) {
    await import('../dist/main.js');
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/main.ts');
  }
}
