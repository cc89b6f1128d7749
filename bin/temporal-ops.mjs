#!/usr/bin/env node
// Runs the compiled CLI from dist/ when setup built it from the current sources; otherwise the
// TypeScript sources through tsx's loader.
import { distIsFresh } from '../scripts/build.mjs';

if (distIsFresh()) {
  await import('../dist/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
