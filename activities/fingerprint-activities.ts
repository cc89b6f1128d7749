// The project's code fingerprint on this host, for DebugStalled's wait for a code fix: host-bound,
// since it reads the project's files.
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { Settings } from '../src/config.js';
import { codeFingerprint } from '../src/host/projects/fingerprint.js';
import { knownProject } from '../src/host/projects/prepare.js';
import { typedFailures } from './failures.js';

export interface CodeChange {
  changed: boolean;
  fingerprint: string;
  waitedMs: number;
}

/** Builds the fingerprint activities (they only read the files of projects this host knows). */
export function createFingerprintActivities({ settings }: { settings: Settings }) {
  return {
    /** The project's code fingerprint now (git state, or source names, sizes and mtimes). */
    projectFingerprint: typedFailures(async (input: { projectDir: string }): Promise<string> => {
      const entry = await knownProject(settings.stateDir, input.projectDir);
      return codeFingerprint(entry.projectDir);
    }),

    /**
     * Polls the fingerprint until it differs from `baseline` or `seconds` pass; heartbeats and
     * stops when cancelled. A retry starts over from the same baseline, so it sees the same change.
     */
    waitForCodeChange: typedFailures(
      async (input: {
        projectDir: string;
        baseline: string;
        seconds: number;
        intervalMs?: number;
      }): Promise<CodeChange> => {
        const ctx = Context.current();
        const { projectDir } = await knownProject(settings.stateDir, input.projectDir);
        const started = Date.now();
        const deadline = started + input.seconds * 1000;
        for (;;) {
          const fingerprint = await codeFingerprint(projectDir);
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
    ),
  };
}
