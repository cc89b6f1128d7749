// The recipe skeleton every recipe runs in: it parses the input (bad input fails the workflow at
// once, naming the field), checks the server, pins the host for host-bound steps, keeps the
// checklist and the outcome, runs the cleanup a recipe owes on every path (in a scope that a
// cancel cannot interrupt), and ends the workflow CANCELED when it was cancelled.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  TimeoutFailure,
  upsertMemo,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type { ServerCheck } from '../../src/host/server/probe.js';
import { FailureType } from '../../src/contract/failure-types.js';
import { recipeDetails, recipeSummary, type SummaryFields } from '../../src/contract/summary.js';
import type { InputProblem } from '../../src/contract/validate.js';
import { clusterActivities, hostActivities, HOST_PICKUP_SECONDS, shortOp } from './activities.js';
import { Checklist, failureDetails, failureMessage, failureType, type StepReport } from './checklist.js';
import { Approvals } from './approval.js';
import { OutcomeRecorder, requireInput } from './outcome.js';
import { UndecodablePayload } from './payload-converter.js';

/** The fields every recipe report has; the skeleton fills them. */
export interface RecipeReport {
  recipe: string;
  ok: boolean;
  /** Why the recipe is not ok: the failed step's error, or what the recipe found wrong. */
  problem?: string;
  failedStep?: string;
  /** The host whose control worker ran the host-bound steps. */
  host?: string;
  server?: ServerCheck;
  steps: StepReport[];
}

/** What a recipe body gets from the skeleton. */
export interface RecipeContext<I> {
  readonly input: I;
  readonly checklist: Checklist;
  readonly outcome: OutcomeRecorder;
  /** The pinned host (set before the body runs when the recipe is host-bound). */
  readonly host: string;
  /** Host-bound activities on the pinned host. */
  readonly onHost: ReturnType<typeof hostActivities>;
  /** The host that owned the project before this recipe named another one explicitly. */
  readonly previousHost?: string;
  /** The recipe's approval handlers (the `approve` update and `pendingApproval` query). */
  approvals(): Approvals;
}

export interface RecipeSpec<I, R extends RecipeReport> {
  name: string;
  parse(raw: unknown): { input?: I; problems: InputProblem[] };
  /** The recipe's own steps (the skeleton adds server check and host pinning before them). */
  steps(input: I): [name: string, title: string][];
  /** The report before anything ran (ok false). */
  initialReport(input: I, steps: StepReport[]): R;
  /** Label for memo and search attributes (project or scope); the body may refine it. */
  label(input: I): string;
  /**
   * Where host-bound steps run: the host the input names, and the project directory whose owner
   * host is used when it names none; `null` when the recipe has no host-bound steps.
   */
  placement(input: I): { host?: string; projectDir?: string } | null;
  /** The runbook body: sets `report.ok` and fills the report; throws when a step fails. */
  body(ctx: RecipeContext<I>, report: R): Promise<void>;
  /** Cleanup the recipe owes on every path, cancellation included. */
  cleanup?(ctx: RecipeContext<I>, report: R): Promise<void>;
  /** One line for memo and the UI once the recipe is over (also used for failures). */
  summary(report: R): string;
}

/**
 * Pins the recipe's host once: the named host (its control worker must be polling), the host that
 * owns the project directory's worker, or this recipe's first control worker.
 */
function pinHost(placement: {
  host?: string;
  projectDir?: string;
}): Promise<{ host: string; previous?: string }> {
  const { host, projectDir } = placement;
  if (projectDir)
    return clusterActivities.claimProjectHost.executeWithOptions(
      { ...shortOp, summary: host ? `pin ${projectDir} to ${host}` : `pin ${projectDir} to its host` },
      [{ projectDir, host }],
    );
  if (host)
    return clusterActivities.checkHostQueue.executeWithOptions(
      { ...shortOp, summary: `check host ${host}` },
      [{ host }],
    );
  return clusterActivities.localHost.executeWithOptions({ ...shortOp, summary: 'pin to this host' }, []);
}

/** Why a failed step failed, in words a user can act on. */
function problemOf(error: unknown, host: string): string {
  if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure) {
    if (error.cause.timeoutType === TimeoutType.SCHEDULE_TO_START)
      return `host "${host}": no control worker took "${error.activityType}" within ${HOST_PICKUP_SECONDS} s (its queue has no live poller); start \`temporal-ops serve\` there`;
    if (error.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE)
      return `"${error.activityType}" did not finish within its overall time bound (retries included): ${failureMessage(error)}`;
  }
  return failureMessage(error);
}

type Ending = 'ok' | 'failed' | 'invalid' | 'refused' | 'canceled';

/** The spec's parse, after the checks that hold for every recipe: a payload that decoded, a stack that held. */
function parseInput<I>(parse: RecipeSpec<I, RecipeReport>['parse'], raw: unknown): ReturnType<typeof parse> {
  const expected = 'one JSON object the SDK can decode';
  if (raw instanceof UndecodablePayload)
    return { problems: [{ field: 'input', value: raw.toJSON(), expected }] };
  try {
    return parse(raw);
  } catch (error) {
    // The converter caps nesting; this is the guard should a schema still recurse too deep.
    if (!(error instanceof RangeError)) throw error;
    return { problems: [{ field: 'input', value: `(${error.message})`, expected }] };
  }
}

/** Runs `spec` on `raw` input in the skeleton; returns the report, or ends the workflow failed/canceled. */
export async function runRecipe<I extends SummaryFields, R extends RecipeReport>(
  spec: RecipeSpec<I, R>,
  raw: unknown,
): Promise<R> {
  const input = requireInput(spec.name, parseInput(spec.parse, raw));
  // Recipes already running when this landed replay without it.
  if (patched('ops-summary-memo'))
    upsertMemo({
      opsTitle: recipeSummary(spec.name, input),
      opsInput: recipeDetails((raw ?? {}) as Record<string, unknown>),
    });
  const placement = spec.placement(input);
  const hostBound = placement !== null;
  const wantedHost = placement?.host;
  const checklist = new Checklist(spec.name, [
    ['verify-server', 'Verify server: health, namespace, search attributes'],
    ...(hostBound ? [['pin-host', 'Choose the host for process steps'] as [string, string]] : []),
    ...spec.steps(input),
  ]);
  const report = spec.initialReport(input, checklist.steps);
  const outcome = new OutcomeRecorder(spec.name, spec.label(input));
  // Installed up front, so `approve` and `pendingApproval` answer "nothing waiting" instead of failing.
  const approvals = new Approvals(checklist, outcome);
  const ctx: { -readonly [K in keyof RecipeContext<I>]: RecipeContext<I>[K] } = {
    input,
    checklist,
    outcome,
    host: wantedHost ?? '',
    onHost: hostActivities(wantedHost ?? 'unpinned'),
    approvals: () => approvals,
  };
  let ending: Ending = 'failed';
  let cause: unknown;
  try {
    report.server = await checklist.run(
      'verify-server',
      () => clusterActivities.verifyServer.executeWithOptions({ ...shortOp, summary: 'verify server' }, []),
      (check) =>
        check.problems.length ? check.problems.join('; ') : `server ${check.serverVersion ?? ''} ok`,
    );
    outcome.enableSearchAttributes(report.server.missingSearchAttributes.length === 0);
    outcome.record('running', 'started');
    if (hostBound) {
      const pinned = await checklist.run(
        'pin-host',
        () => pinHost(placement!),
        (pin) => `host ${pin.host}`,
      );
      ctx.host = pinned.host;
      ctx.onHost = hostActivities(pinned.host);
      if (pinned.previous && pinned.previous !== pinned.host) ctx.previousHost = pinned.previous;
      report.host = pinned.host;
    }
    await spec.body(ctx, report);
    ending = report.ok ? 'ok' : 'failed';
  } catch (error) {
    cause = error;
    if (isCancellation(error)) ending = 'canceled';
    else if (failureType(error) === FailureType.InvalidInput) ending = 'invalid';
    else if (failureType(error) === FailureType.PolicyRefused) ending = 'refused';
    report.ok = false;
    if (ending !== 'canceled') report.problem = problemOf(error, ctx.host);
    const logTail = failureDetails<{ logTail?: string }>(error)?.logTail;
    const worker = (report as { worker?: { logTail?: string } }).worker;
    if (logTail && worker) worker.logTail = logTail;
  }
  if (spec.cleanup) {
    try {
      await CancellationScope.nonCancellable(() => spec.cleanup!(ctx, report));
    } catch (error) {
      const line = `cleanup failed: ${failureMessage(error)}`;
      report.problem = report.problem ? `${report.problem}; ${line}` : line;
      if (ending === 'ok') ending = 'failed';
      report.ok = false;
    }
  }
  checklist.finish(ending === 'canceled');
  report.failedStep = checklist.failedStep?.name;
  const summary =
    ending === 'canceled'
      ? `cancelled${report.problem ? `: ${report.problem}` : ''}`
      : (spec.summary(report).split('\n')[0] ?? '');
  outcome.record(ending === 'invalid' || ending === 'refused' ? 'failed' : ending, summary);
  if (ending === 'canceled') {
    // The workflow returns no result when cancelled: keep the report where the UI and CLI find it.
    upsertMemo({ opsReport: compactReport(report) });
    throw cause;
  }
  if (ending === 'invalid' || ending === 'refused') {
    // Retrying cannot fix bad input or a refusal by the host's policy: fail the recipe itself.
    const refused = ending === 'refused';
    throw ApplicationFailure.create({
      message: refused
        ? `${spec.name} refused by the policy of host "${ctx.host}": ${failureMessage(cause)}`
        : `${spec.name} input is invalid: ${failureMessage(cause)}`,
      type: refused ? FailureType.PolicyRefused : FailureType.InvalidInput,
      nonRetryable: true,
      details: failureDetails<unknown>(cause) === undefined ? [] : [failureDetails<unknown>(cause)],
    });
  }
  return report;
}

/** The report without its bulkiest parts, small enough for memo. */
function compactReport(report: RecipeReport): unknown {
  const text = JSON.stringify(report);
  if (text.length <= 16_000) return report;
  return {
    recipe: report.recipe,
    ok: report.ok,
    problem: report.problem,
    steps: report.steps,
    truncated: true,
  };
}
