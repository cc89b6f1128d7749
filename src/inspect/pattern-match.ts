// A pattern from input is matched by RE2 (linear time, no backtracking) on a thread of its own with
// a deadline: RE2's cost still grows with pattern size times text length, and neither may hold the
// control worker's main thread, where every recipe's workflow tasks and heartbeats run.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The most text a pattern is matched against: the first this many characters. */
export const MATCH_TEXT_LIMIT = 1 << 20;

/** How long a match may run before its thread is stopped. */
export const MATCH_TIMEOUT_MS = 5000;

/** How a match ended: the groups of the first match, no match, RE2's refusal of the pattern, or out of time or memory. */
export type PatternMatch =
  | { status: 'matched'; groups: (string | undefined)[] }
  | { status: 'none' }
  | { status: 'invalid'; reason: string }
  | { status: 'over-budget'; limit: 'time' | 'memory' };

// The thread's own module system is CommonJS (an evaluated script): it loads re2js by absolute path.
const re2Entry = createRequire(import.meta.url).resolve('re2js');
const threadScript = `
const { parentPort, workerData } = require('node:worker_threads');
const { RE2JS, RE2JSException } = require(workerData.re2Entry);
let re;
try {
  re = RE2JS.compile(workerData.pattern, RE2JS.CASE_INSENSITIVE);
} catch (error) {
  if (!(error instanceof RE2JSException)) throw error;
  parentPort.postMessage({ status: 'invalid', reason: error.message });
}
if (re) {
  const found = re.exec(workerData.text);
  parentPort.postMessage(found ? { status: 'matched', groups: Array.from(found) } : { status: 'none' });
}
`;

/** The first case-insensitive RE2 match of `pattern` in the first MATCH_TEXT_LIMIT characters of `text`. */
export function matchPattern(
  pattern: string,
  text: string,
  timeoutMs = MATCH_TIMEOUT_MS,
): Promise<PatternMatch> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(threadScript, {
      eval: true,
      workerData: { re2Entry, pattern, text: text.slice(0, MATCH_TEXT_LIMIT) },
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      void thread.terminate();
    };
    const timer = setTimeout(
      () => settle(() => resolve({ status: 'over-budget', limit: 'time' })),
      timeoutMs,
    );
    thread.once('message', (result: PatternMatch) => settle(() => resolve(result)));
    thread.once('error', (error: Error & { code?: string }) =>
      settle(() =>
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? resolve({ status: 'over-budget', limit: 'memory' })
          : reject(error),
      ),
    );
    thread.once('exit', (code) =>
      settle(() => reject(new Error(`the pattern's thread exited with code ${code} before it answered`))),
    );
  });
}
