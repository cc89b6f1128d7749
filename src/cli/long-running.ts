// Tuning for the commands whose process stays up (serve, up): set before their modules load.
import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its initial size. It otherwise grows to 32 MB in each isolate
 * while the SDK and the workflow bundle load, and stays committed for as long as the control worker
 * idles: idle RSS drops from 150–200 MB (depending on when V8 last shrank it) to a steady ~155 MB
 * (bench:cli), for a few more young collections under load.
 */
export function tuneForLongRunning(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
