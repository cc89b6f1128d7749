// Writes SDK log lines through the CLI's quiet runtime (src/cli/sdk-logs.ts) until its log file has
// rotated once, prints how many lines it wrote, then idles until killed. Argument: the state dir.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runtime } from '@temporalio/worker';
import { installQuietRuntime } from '../../src/cli/sdk-logs.js';

/** Give up should rotation never come: the rotator looks every 5 s, so well within this. */
const GIVE_UP_MS = 90_000;

async function main(): Promise<void> {
  const stateDir = process.argv[2];
  if (!stateDir) throw new Error('expected the state dir as the first argument');
  const path = installQuietRuntime(stateDir, () => undefined);
  const logger = Runtime.instance().logger;
  const padding = 'x'.repeat(200);
  let lines = 0;
  const started = Date.now();
  while (!existsSync(`${path}.1`)) {
    if (Date.now() - started > GIVE_UP_MS) throw new Error(`${path} did not rotate after ${lines} lines`);
    // About 6 MB/s: past 10 MiB within two seconds, and never so far past it that a fast machine
    // writes hundreds of megabytes before the rotator's next look.
    for (let i = 0; i < 500; i++) logger.warn(`line ${lines++} ${padding}`);
    await sleep(20); // lets the stream flush
  }
  process.stdout.write(`${lines}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
