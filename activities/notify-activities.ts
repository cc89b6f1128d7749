// Delivering a sweep's notices: one grouped message per sink. Each incident keeps the notices it
// owes until a sink's delivery is recorded on it (the `delivered` update), so an attempt cut off at
// any line is finished by the next: it re-reads what is still owed and sends only that. The one
// window left is between a sink's 2xx and that record: there the message goes again, with the same
// Idempotency-Key header, for the receiver to drop.
import { homedir } from 'node:os';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Settings } from '../src/config.js';
import { FailureType } from '../src/contract/failure-types.js';
import {
  messageKey,
  messageTitle,
  noticeLine,
  noticesFor,
  parseSink,
  slackBody,
  webhookBody,
  type Notice,
  type NotifySink,
} from '../src/contract/notify.js';
import { InvalidInputError, NotifyFailedError, PolicyRefusedError } from '../src/errors.js';
import { inheritedEnv } from '../src/host/projects/env-policy.js';
import { loadPolicy } from '../src/host/projects/load-policy.js';
import { checkSink } from '../src/host/projects/policy.js';
import { postJson, runSinkCommand } from '../src/host/notify/send.js';
import { mapBounded } from '../src/inspect/pool.js';
import { isNotFound } from '../src/temporal/grpc.js';
import { notificationsFailed, notificationsSent } from '../src/temporal/metrics.js';
import { moveIncident, readIncident } from '../src/temporal/incidents.js';
import type { OwedNotice } from './incident-activities.js';
import { toFailure } from './failures.js';

export interface DeliverInput {
  /** The sweep run, `<workflowId>/<runId>`. */
  sweep: string;
  /** The `notify` value as given (URL or cmd:…). */
  sink: string;
  notices: OwedNotice[];
}

export interface DeliverOutcome {
  sink: string;
  /** Notices this message carried (0 when an earlier attempt had delivered them all). */
  sent: number;
  /** Notices an earlier attempt had delivered already. */
  skipped: number;
  idempotencyKey?: string;
}

const CONCURRENCY = 8;
const HEARTBEAT_MS = 2000;

/** The sink of `value`, or a non-retryable InvalidInput failure naming it. */
function sinkOf(value: string): NotifySink {
  const parsed = parseSink(value);
  if ('sink' in parsed) return parsed.sink;
  throw toFailure(new InvalidInputError('notify', value, parsed.expected));
}

/** Builds the delivery activity (registered on both queues: a command sink runs on the sweep's host). */
export function createNotifyActivities({
  bookkeeping,
  settings,
  address,
}: {
  bookkeeping: Client;
  settings: Settings;
  address: string;
}) {
  /** The notices of `notices` that their incidents still owe `sink` (the durable record, re-read). */
  const stillOwed = async (sink: NotifySink, notices: Notice[]): Promise<Notice[]> => {
    const ids = [...new Set(notices.map((n) => n.incidentId))];
    const owed = new Set<string>();
    const reads = mapBounded(ids, CONCURRENCY, (id) =>
      readIncident(bookkeeping, id).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      }),
    );
    for await (const entry of reads) {
      for (const p of entry?.notify?.pending ?? [])
        if (p.sinks.includes(sink.id)) owed.add(`${entry?.id ?? ''}:${p.key}`);
      Context.current().heartbeat();
    }
    return notices.filter((n) => owed.has(n.key));
  };

  const send = async (sink: NotifySink, value: string, sweep: string, key: string, notices: Notice[]) => {
    const signal = Context.current().cancellationSignal;
    // Both kinds come from workflow input: this host's policy decides what it runs and where it POSTs.
    const policy = await loadPolicy(settings.stateDir, settings.policy, address);
    const verdict = checkSink(policy, 'notify', value, sink);
    if (!verdict.allowed)
      throw new PolicyRefusedError(verdict.field, verdict.value, verdict.rule, verdict.fix, verdict.message);
    if (sink.kind === 'command') {
      return runSinkCommand({
        command: sink.target,
        label: sink.label,
        title: messageTitle(notices),
        text: notices.map(noticeLine).join('\n'),
        payload: JSON.stringify(webhookBody(sweep, key, notices)),
        env: { ...inheritedEnv(process.env), TEMPORAL_OPS_IDEMPOTENCY_KEY: key },
        cwd: homedir(),
        signal,
      });
    }
    const body = sink.kind === 'slack' ? slackBody(notices) : webhookBody(sweep, key, notices);
    await postJson(sink.target, sink.label, body, key, signal);
  };

  return {
    /** Sends `sink` one message with the notices it is still owed, then records them delivered. */
    async deliverNotifications(input: DeliverInput): Promise<DeliverOutcome> {
      const ctx = Context.current();
      const sink = sinkOf(input.sink);
      const all = noticesFor(input.notices, sink.id);
      const notices = await stillOwed(sink, all);
      const outcome = { sink: sink.label, sent: notices.length, skipped: all.length - notices.length };
      if (notices.length === 0) return outcome;
      const key = messageKey(sink.id, notices);
      const beat = setInterval(() => ctx.heartbeat({ sending: key }), HEARTBEAT_MS);
      try {
        await send(sink, input.sink, input.sweep, key, notices);
        notificationsSent(sink.kind, notices.length);
      } catch (error) {
        notificationsFailed(sink.kind, notices.length);
        if (error instanceof NotifyFailedError)
          throw ApplicationFailure.create({
            message: error.message,
            type: FailureType.NotifyFailed,
            details: [{ sink: error.sink, status: error.status ?? null }],
          });
        throw toFailure(error);
      } finally {
        clearInterval(beat);
      }
      const byIncident = new Map<string, string[]>();
      for (const n of notices)
        byIncident.set(n.incidentId, [
          ...(byIncident.get(n.incidentId) ?? []),
          n.key.slice(n.incidentId.length + 1),
        ]);
      const atMs = Date.now();
      const records = mapBounded([...byIncident], CONCURRENCY, ([id, keys]) =>
        moveIncident(bookkeeping, id, { kind: 'delivered', sink: sink.id, keys, atMs }).then(
          () => id,
          (error: unknown) => {
            if (!isNotFound(error)) throw error;
            return id;
          },
        ),
      );
      for await (const id of records) ctx.heartbeat({ recorded: id });
      return { ...outcome, idempotencyKey: key };
    },
  };
}
