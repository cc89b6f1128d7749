// What the replay gate needs from this host: the project's code fingerprint now, and the code of
// the workers that run it (host-bound: it reads the working tree and our pid records).
import { codeFingerprint } from '../src/host/projects/fingerprint.js';
import { observeWorker } from '../src/host/workers/observe.js';
import { readPidRecords } from '../src/host/records/pid-file.js';
import type { Settings } from '../src/config.js';
import { knownProject } from '../src/host/projects/prepare.js';
import { typedFailures } from './failures.js';

export interface CodeFingerprints {
  /** The working tree's fingerprint now (what a restart would run). */
  current: string;
  /** Fingerprints of the live workers of the project on the task queue (what runs now). */
  running: { pid: number; fingerprint: string }[];
}

/** Builds the host-bound fingerprint activity. */
export function createGateActivities({ settings }: { settings: Settings }) {
  return {
    /** The code a restart would run, beside the code the running workers run. */
    codeFingerprints: typedFailures(
      async (input: {
        project: string;
        projectDir: string;
        taskQueue: string;
      }): Promise<CodeFingerprints> => {
        const entry = await knownProject(settings.stateDir, input.projectDir, input.project);
        const records = await readPidRecords(settings.stateDir, { kind: 'worker', project: input.project });
        const running = records
          .filter((r) => r.taskQueue === input.taskQueue && observeWorker(r).alive)
          .map((r) => ({ pid: r.pid, fingerprint: r.fingerprint }));
        return { current: await codeFingerprint(entry.projectDir), running };
      },
    ),
  };
}
