// DebugStalled's wait for a code fix: watch the project's code fingerprint on its host until it
// changes, `waitForFixSeconds` pass, or someone says so with the `codeFixed` Update or signal.
import {
  CancellationScope,
  condition,
  defineSignal,
  defineUpdate,
  isCancellation,
  setHandler,
} from '@temporalio/workflow';
import { boundedWaitOp, hostActivities, ranOutOfTime, shortOp } from './activities.js';
import type { RecipeContext } from './recipe.js';

const codeFixedSignal = defineSignal<[by?: string]>('codeFixed');
const codeFixedUpdate = defineUpdate<string, [by?: string]>('codeFixed');

export interface FixWait {
  /** `fingerprint`: the code changed; `codeFixed`: someone said so; `timeout`: neither in time. */
  how: 'fingerprint' | 'codeFixed' | 'timeout';
  by?: string;
  baseline: string;
  fingerprint?: string;
}

/** Installs the `codeFixed` handlers and takes the fingerprint baseline; `wait` then waits for the fix. */
export class FixWatch {
  private fixedBy: string | undefined;

  constructor() {
    // `by` is whatever the sender put there (even an undecodable payload): only a string names someone.
    const fixed = (by?: unknown) => {
      this.fixedBy ??= typeof by === 'string' ? by : 'someone';
    };
    setHandler(codeFixedSignal, fixed);
    setHandler(codeFixedUpdate, (by) => {
      fixed(by);
      return 'code fix noted';
    });
  }

  /** The project's code fingerprint now, on the pinned host. */
  baseline(ctx: RecipeContext<unknown>, projectDir: string): Promise<string> {
    return ctx.onHost.projectFingerprint.executeWithOptions(
      { ...shortOp, summary: `code fingerprint of ${projectDir}` },
      [{ projectDir }],
    );
  }

  /** Waits for a code change in `projectDir` (from `baseline`), a `codeFixed` message, or `seconds`. */
  async wait(
    ctx: RecipeContext<unknown>,
    projectDir: string,
    baseline: string,
    seconds: number,
  ): Promise<FixWait> {
    if (this.fixedBy !== undefined) return { how: 'codeFixed', by: this.fixedBy, baseline };
    // A short heartbeat timeout, so a `codeFixed` (a cancel) reaches the activity within seconds.
    const profile = { ...boundedWaitOp(seconds), heartbeatTimeout: '5s' };
    const watcher = hostActivities(ctx.host, profile);
    const scope = new CancellationScope();
    const watching = scope
      .run(() =>
        watcher.waitForCodeChange.executeWithOptions(
          { ...profile, summary: `waiting for a code change in ${projectDir}` },
          [{ projectDir, baseline, seconds }],
        ),
      )
      .catch((error: unknown) => {
        // A watch that did not answer within the bound saw no change in time.
        if (ranOutOfTime(error)) return { changed: false, fingerprint: undefined };
        throw error;
      });
    // Not cancellable: a recipe cancel ends the wait through the activity, once it has stopped.
    const told = CancellationScope.nonCancellable(() => condition(() => this.fixedBy !== undefined));
    const first = await Promise.race([
      watching.then((change) => ({ change })),
      told.then(() => ({ change: undefined })),
    ]);
    if (first.change) {
      return first.change.changed
        ? { how: 'fingerprint', baseline, fingerprint: first.change.fingerprint }
        : { how: 'timeout', baseline, fingerprint: first.change.fingerprint };
    }
    scope.cancel();
    await watching.catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
    return { how: 'codeFixed', by: this.fixedBy, baseline };
  }
}
