// The project's code fingerprint on this host, for DebugStalled's wait for a code fix: host-bound,
// since it reads the project's files.
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { codeFingerprint } from '../src/processes/fingerprint.js';

export interface CodeChange {
  changed: boolean;
  fingerprint: string;
  waitedMs: number;
}

/** Builds the fingerprint activities (they only read files). */
export function createFingerprintActivities() {
  return {
    /** The project's code fingerprint now (git state, or source names, sizes and mtimes). */
    async projectFingerprint(input: { projectDir: string }): Promise<string> {
      return codeFingerprint(input.projectDir);
    },

    /**
     * Polls the fingerprint until it differs from `baseline` or `seconds` pass; heartbeats and
     * stops when cancelled. A retry starts over from the same baseline, so it sees the same change.
     */
    async waitForCodeChange(input: {
      projectDir: string;
      baseline: string;
      seconds: number;
      intervalMs?: number;
    }): Promise<CodeChange> {
      const ctx = Context.current();
      const started = Date.now();
      const deadline = started + input.seconds * 1000;
      for (;;) {
        const fingerprint = await codeFingerprint(input.projectDir);
        const waitedMs = Date.now() - started;
        if (fingerprint !== input.baseline) return { changed: true, fingerprint, waitedMs };
        if (Date.now() >= deadline) return { changed: false, fingerprint, waitedMs };
        ctx.heartbeat({ waitedMs });
        try {
          await sleep(input.intervalMs ?? 1000, undefined, { signal: ctx.cancellationSignal });
        } catch {
          throw new CancelledFailure('wait for a code change cancelled');
        }
      }
    },
  };
}
