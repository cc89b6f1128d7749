// Activities that inspect target workflows for DebugStalled: count, sweep, analyze one. Thin:
// the logic is in src/inspect and src/diagnosis; here it meets heartbeats and typed failures.
import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Settings } from '../src/config.js';
import { MAX_PID } from '../src/diagnosis/poller-liveness.js';
import { type ProcessFact } from '../src/contract/facts.js';
import type { DiagnosisPolicy, Finding, Verdict } from '../src/contract/verdicts.js';
import { analyzeWorkflow, type Analysis } from '../src/inspect/analyze.js';
import { isInvalidArgument, isNotFound } from '../src/temporal/grpc.js';
import { recordSweep, type StalledCount } from '../src/temporal/metrics.js';
import { countWorkflows, sweep, sweepQuery, SweepTally, type SweepMemoryBody } from '../src/inspect/sweep.js';
import { workerLogExcerpts } from '../src/host/logs/worker-logs.js';
import { localLivenessOracle } from '../src/host/workers/pollers.js';
import { remoteLiveness } from '../src/inspect/remote-liveness.js';
import { DebugStalledFailure } from '../src/contract/debug-stalled-input.js';
import { FailureType } from '../src/contract/failure-types.js';
import { DEFAULTS } from '../src/defaults.js';
import type { SweepMemory } from '../src/contract/sweep-memory.js';
import { recallSweep, sweepScope, writeSweepMemory } from '../src/host/records/sweep-memory-file.js';

export interface InspectDeps {
  client: Client;
  settings: Settings;
}

export interface SweepInput {
  query?: string;
  taskQueue?: string;
  policy?: Partial<DiagnosisPolicy>;
  /** Keep at most this many stalled findings in the result (the counts cover all). */
  maxFindings?: number;
  concurrency?: number;
  /**
   * Remember the scope from sweep to sweep: this sweep's ID (the same on a retry), the rotation, and
   * whether to describe every run all the same. Omitted, the sweep describes every run and keeps nothing.
   */
  memory?: { sweep: string; recheckEvery: number; full: boolean };
}

/** What a sweep found: counts over every run, findings for the stalled ones (capped). */
export interface SweepReport {
  query: string;
  scanned: number;
  stalledCount: number;
  /** Runs that closed between the list and their describe. */
  closed: number;
  counts: Record<Verdict, number>;
  findings: Finding[];
  /** True when more stalled runs were found than maxFindings. */
  truncated: boolean;
  errors: { workflowId: string; error: string }[];
  durationMs: number;
  /** Runs the scope's memory answered for without a describe (a repeat sweep). */
  remembered: number;
}

/** A query the server rejects will not get better by retrying: fail as bad input naming it. */
export function rejectedQuery(query: string | undefined, error: unknown): unknown {
  if (!isInvalidArgument(error)) return error;
  return ApplicationFailure.create({
    message: `query: expected a visibility query the server accepts, got ${JSON.stringify(query ?? '')} (${(error as Error).message})`,
    type: FailureType.InvalidInput,
    nonRetryable: true,
    details: [{ field: 'query', value: query, expected: 'a valid visibility query' }],
  });
}

/** Builds the activities that read target workflows (cluster-only: any control worker can run them). */
export function createInspectActivities({ client, settings }: InspectDeps) {
  return {
    /** Counts the running target workflows a sweep would visit. */
    async countTargetWorkflows(input: {
      query?: string;
      taskQueue?: string;
    }): Promise<{ query: string; total: number }> {
      const query = sweepQuery({ ...input, opsTaskQueue: settings.opsTaskQueue });
      try {
        return { query, total: await countWorkflows(client, query) };
      } catch (error) {
        throw rejectedQuery(input.query, error);
      }
    },

    /** Diagnoses every running target workflow of the query; heartbeats progress; stops when cancelled. */
    async sweepStalled(input: SweepInput): Promise<SweepReport> {
      const ctx = Context.current();
      const started = Date.now();
      const options = {
        ...input,
        opsTaskQueue: settings.opsTaskQueue,
        onProgress: (scanned: number) => ctx.heartbeat({ scanned }),
        // Pollers named `<pid>@<this host>` are checked here; other hosts' are asked of their control
        // workers, and judged by last access alone where none answers.
        oracle: localLivenessOracle(),
        remote: remoteLiveness(client, settings, hostname()),
      };
      const tally = new SweepTally();
      const findings: Finding[] = [];
      const stalled = new Map<string, StalledCount>();
      const max = input.maxFindings ?? DEFAULTS.maxFindings;
      const scope = sweepScope(client.options.namespace, sweepQuery(options), input.policy);
      let next: SweepMemory | undefined;
      if (input.memory) {
        const { sweep: writtenBy } = input.memory;
        Object.assign(options, {
          recall: await recallSweep(settings.stateDir, scope, input.memory, max),
          remember: (body: SweepMemoryBody) => {
            next = { version: 1, scope, writtenBy, writtenAtMs: Date.now(), ...body };
          },
        });
      }
      try {
        for await (const item of sweep(client, options)) {
          tally.add(item);
          const found =
            item.kind === 'finding' ? item.finding : item.kind === 'remembered' ? item : undefined;
          if (found?.stalled) {
            const { verdict, taskQueue } = found;
            const key = `${verdict}\0${taskQueue}`;
            const pair = stalled.get(key) ?? { verdict, taskQueue, count: 0 };
            pair.count += 1;
            stalled.set(key, pair);
            if (item.kind === 'finding' && findings.length < max) findings.push(item.finding);
          }
          // A cancelled sweep ends as cancelled, not as a report that looks complete.
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('stall sweep cancelled');
        }
      } catch (error) {
        throw rejectedQuery(input.query, error);
      }
      const query = sweepQuery(options);
      if (next) await writeSweepMemory(settings.stateDir, next);
      const durationMs = Date.now() - started;
      recordSweep({ scope: query, durationMs, examined: tally.scanned, stalled: [...stalled.values()] });
      return {
        query,
        scanned: tally.scanned,
        stalledCount: tally.stalled,
        closed: tally.closed,
        counts: tally.counts,
        findings,
        truncated: tally.stalled > findings.length,
        errors: tally.errors,
        durationMs,
        remembered: tally.remembered,
      };
    },
  };
}

/** At most this many pids per question: a queue's pollers, not a process table. */
const MAX_ASKED_PIDS = 1000;

/** Builds the inspect activities that read this host's files (worker logs): host-bound. */
export function createHostInspectActivities({ client, settings }: InspectDeps) {
  return {
    /**
     * Whether each pid runs on this host, and since when: what a diagnosis elsewhere needs to tell a
     * ghost poller named `<pid>@<this host>`. Reads /proc only; returns no more than that.
     */
    async processFacts(input: { pids: unknown }): Promise<ProcessFact[]> {
      const pids = input?.pids;
      const bad = Array.isArray(pids)
        ? pids.find((pid) => !Number.isInteger(pid) || (pid as number) < 1 || (pid as number) > MAX_PID)
        : pids;
      if (!Array.isArray(pids) || pids.length > MAX_ASKED_PIDS || bad !== undefined)
        throw ApplicationFailure.create({
          message: `pids: expected up to ${MAX_ASKED_PIDS} process ids (1 to ${MAX_PID}), got ${JSON.stringify(bad ?? pids).slice(0, 80)}`,
          type: FailureType.InvalidInput,
          nonRetryable: true,
        });
      const host = hostname();
      const oracle = localLivenessOracle(host);
      return [...new Set(pids as number[])].flatMap((pid) => oracle(`${pid}@${host}`) ?? []);
    },

    /** Analyzes one run (any status), including our worker logs on this host. */
    async analyzeTarget(input: {
      workflowId: string;
      runId?: string;
      policy?: Partial<DiagnosisPolicy>;
    }): Promise<Analysis> {
      try {
        return await analyzeWorkflow(client, input, {
          policy: input.policy,
          logs: (query) => workerLogExcerpts(settings.stateDir, { ...query, maxLines: 60 }),
          oracle: localLivenessOracle(),
          remote: remoteLiveness(client, settings, hostname()),
        });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        throw ApplicationFailure.create({
          message: `workflow "${input.workflowId}"${input.runId ? ` run "${input.runId}"` : ''} not found`,
          type: DebugStalledFailure.TargetNotFound,
          nonRetryable: true,
        });
      }
    },
  };
}
