// The sweep's report to the incidents: every stalled run it saw is counted on its incident (opened
// when new, reopened when resolved), and every open incident of its scope it no longer sees, or
// whose run closed, is resolved. Every move carries an update ID made of the sweep run and the move,
// so a retried or killed activity sends the same moves again and each lands once.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  fingerprintKey,
  pendingNotices,
  type Incident,
  type IncidentAnswer,
  type IncidentSighting,
  type IncidentState,
} from '../src/contract/incidents.js';
import type { Notice, NotifyConfig } from '../src/contract/notify.js';
import type { Settings } from '../src/config.js';
import { FailureType } from '../src/contract/failure-types.js';
import { IncidentAttributesMissingError } from '../src/errors.js';
import { mapBounded } from '../src/inspect/pool.js';
import { isNotFound } from '../src/temporal/grpc.js';
import { recordIncidentStates } from '../src/temporal/metrics.js';
import {
  ensureIncidentAttributes,
  listIncidents,
  moveIncident,
  recordRemedy,
  reportSighting,
  type IncidentEntry,
} from '../src/temporal/incidents.js';

export interface IncidentReportInput {
  /** The sweep run, `<workflowId>/<runId>`: the idempotency key of its moves. */
  sweep: string;
  atMs: number;
  /** The visibility query the sweep covered: incidents outside it are left alone. */
  query: string;
  sightings: IncidentSighting[];
  /** The sweep kept only some of its stalled findings: it cannot tell which others it saw. */
  truncated: boolean;
  /** Workflow IDs the sweep could not describe: their incidents stay as they are. */
  unswept: string[];
  /** The sweep's notification sinks: each move owes its notice to them. */
  notify?: NotifyConfig;
}

/** Remedies a sweep applied on its own, for the incidents of the runs they were applied to. */
export interface RemedyRecordInput {
  sweep: string;
  atMs: number;
  applied: { sighting: IncidentSighting; remedy: string; outcome: string }[];
}

/** A notice some sink still owes, with the sinks that have not had it. */
export type OwedNotice = Notice & { sinks: string[] };

export interface IncidentReport {
  opened: number;
  reopened: number;
  /** Sightings of incidents already open (acknowledged, snoozed). */
  seenAgain: number;
  resolved: number;
  /** Moves an earlier attempt of this sweep had made already. */
  repeated: number;
  /** With notify: every notice owed by the incidents of this namespace (this sweep's and earlier ones'). */
  notices?: OwedNotice[];
}

export interface UndeliveredInput {
  sink: string;
  label: string;
  error: string;
  atMs: number;
  /** The incidents whose notices the sink did not take. */
  incidentIds: string[];
}

const CONCURRENCY = 8;

/** How many incidents are in each state: as listed, then as this sweep's moves left them (the list may lag them). */
function statesAfter(
  listed: IncidentEntry[],
  answers: IncidentAnswer[],
): Partial<Record<IncidentState, number>> {
  const states = new Map(listed.map((entry) => [fingerprintKey(entry.fingerprint), entry.state]));
  for (const { incident } of answers) states.set(fingerprintKey(incident.fingerprint), incident.state);
  const counts: Partial<Record<IncidentState, number>> = {};
  for (const state of states.values()) counts[state] = (counts[state] ?? 0) + 1;
  return counts;
}

/** Builds the activity that reports a sweep's findings to the incidents (cluster-only). */
export function createIncidentActivities({
  client,
  bookkeeping,
  settings,
  address,
}: {
  client: Client;
  bookkeeping: Client;
  settings: Settings;
  address: string;
}) {
  let attributesChecked = false;
  const ensureAttributes = async () => {
    if (attributesChecked) return;
    try {
      await ensureIncidentAttributes(bookkeeping, address);
    } catch (error) {
      if (!(error instanceof IncidentAttributesMissingError)) throw error;
      throw ApplicationFailure.create({
        message: error.message,
        type: FailureType.IncidentAttributesMissing,
        nonRetryable: true,
        details: [{ namespace: error.namespace, missing: error.missing }],
      });
    }
    attributesChecked = true;
  };

  /** Why the sweep no longer counts `entry` as stalled, or undefined when it cannot tell. */
  const goneReason = async (
    input: IncidentReportInput,
    entry: IncidentEntry,
  ): Promise<{ reason: string; final: boolean } | undefined> => {
    const { workflowId, runId } = entry.fingerprint;
    try {
      const described = await client.workflow.getHandle(workflowId, runId).describe();
      if (described.status.name !== 'RUNNING')
        return { reason: `the run closed: ${described.status.name}`, final: true };
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return { reason: 'the run no longer exists', final: true };
    }
    if (input.truncated) return undefined;
    const inScope = `(${input.query}) AND WorkflowId = ${JSON.stringify(workflowId)} AND RunId = ${JSON.stringify(runId)}`;
    const { count } = await client.workflow.count(inScope);
    return count > 0 ? { reason: 'the sweep no longer sees it stalled', final: false } : undefined;
  };

  return {
    /** Marks the incidents whose notices `sink` kept refusing (they stay owed); safe to run again. */
    async markUndelivered(input: UndeliveredInput): Promise<number> {
      const { sink, label, error, atMs } = input;
      let marked = 0;
      const moves = mapBounded(input.incidentIds, CONCURRENCY, (id) =>
        moveIncident(bookkeeping, id, { kind: 'undelivered', sink, label, error, atMs }).then(
          () => true,
          (failure: unknown) => {
            if (!isNotFound(failure)) throw failure;
            return false;
          },
        ),
      );
      for await (const moved of moves) if (moved) Context.current().heartbeat((marked += 1));
      return marked;
    },

    /** Opens, counts, reopens and resolves the incidents of one sweep; safe to run again. */
    async reportIncidents(input: IncidentReportInput): Promise<IncidentReport> {
      await ensureAttributes();
      const ctx = Context.current();
      const report: IncidentReport = { opened: 0, reopened: 0, seenAgain: 0, resolved: 0, repeated: 0 };
      const owing = new Map<string, Incident>();
      const tally = (answer: IncidentAnswer & { id: string }) => {
        owing.set(answer.id, answer.incident);
        if (answer.duplicate) report.repeated += 1;
        else if (answer.transition?.to === 'open') report.opened += 1;
        else if (answer.transition?.to === 'reopened') report.reopened += 1;
        else if (answer.transition?.to === 'resolved') report.resolved += 1;
        else report.seenAgain += 1;
        ctx.heartbeat(report);
      };
      const answers: IncidentAnswer[] = [];
      const sightings = mapBounded(input.sightings, CONCURRENCY, (sighting) =>
        reportSighting(bookkeeping, settings.opsTaskQueue, input.sweep, sighting, input.atMs, input.notify),
      );
      for await (const answer of sightings) {
        answers.push(answer);
        tally(answer);
      }

      const namespace = client.options.namespace;
      const seen = new Set(
        input.sightings.map((s) => `${s.workflowId}\0${s.runId}\0${s.verdict}\0${s.signature}`),
      );
      const unswept = new Set(input.unswept);
      const listed = await listIncidents(bookkeeping, settings.opsTaskQueue, {
        states: input.notify ? [] : undefined,
      });
      const candidates = listed.filter((entry) => {
        const f = entry.fingerprint;
        return (
          entry.state !== 'resolved' &&
          f.namespace === namespace &&
          !unswept.has(f.workflowId) &&
          !seen.has(`${f.workflowId}\0${f.runId}\0${f.verdict}\0${f.signature}`)
        );
      });
      const resolutions = mapBounded(candidates, CONCURRENCY, async (entry) => {
        const gone = await goneReason(input, entry);
        if (!gone) return undefined;
        const event = {
          kind: 'gone' as const,
          sweep: input.sweep,
          atMs: input.atMs,
          ...gone,
          ...(input.notify ? { notify: input.notify } : {}),
        };
        // Visibility lags: an incident listed as open may have closed already.
        return moveIncident(bookkeeping, entry.id, event, `gone:${input.sweep}`).then(
          (answer) => ({ id: entry.id, ...answer }),
          (error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw error;
          },
        );
      });
      for await (const answer of resolutions) {
        if (answer) answers.push(answer);
        if (answer?.duplicate || answer?.transition) tally(answer);
      }
      // With notify the list holds resolved incidents too; the gauge counts as it did without.
      recordIncidentStates(
        statesAfter(
          listed.filter((entry) => entry.state !== 'resolved'),
          answers,
        ),
      );
      if (!input.notify) return report;
      // Notices an earlier sweep could not deliver (a resolved incident is no longer seen): from its memo.
      for (const entry of listed)
        if (entry.fingerprint.namespace === namespace && !owing.has(entry.id) && entry.notify?.pending.length)
          owing.set(entry.id, entry);
      report.notices = [...owing].flatMap(([id, incident]) => pendingNotices(id, incident));
      return report;
    },

    /** Records each applied remedy on its run's incident, once per sweep; answers how many were recorded. */
    async recordRemedies(input: RemedyRecordInput): Promise<number> {
      let recorded = 0;
      for (const { sighting, remedy, outcome } of input.applied) {
        const event = { kind: 'remedied' as const, sweep: input.sweep, atMs: input.atMs, remedy, outcome };
        if (await recordRemedy(bookkeeping, settings.opsTaskQueue, sighting, event)) recorded += 1;
      }
      return recorded;
    },
  };
}
