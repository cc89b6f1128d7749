// `temporal-ops incidents list|show|ack|snooze|resolve`: the incidents scheduled sweeps keep in the
// bookkeeping namespace. Reads need no control worker (memo and visibility); moves are updates that
// a control worker serving the bookkeeping namespace applies.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ACTIVE_INCIDENT_STATES, type IncidentEvent, type IncidentState } from '../../contract/incidents.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../contract/search-attributes.js';
import { ExitError, IncidentAttributesMissingError } from '../../errors.js';
import { failureChain } from '../../inspect/target.js';
import { bookkeepingClient } from '../../temporal/bookkeeping.js';
import { isInvalidArgument, isNotFound } from '../../temporal/grpc.js';
import {
  listIncidents,
  moveIncident,
  normalizeIncidentId,
  readIncident,
  type IncidentEntry,
} from '../../temporal/incidents.js';
import type { CommandContext } from '../context.js';
import { ExitCode, type Output } from '../output.js';

export interface IncidentListOptions {
  /** Only these states (default: every state but resolved; empty: all). */
  states?: IncidentState[];
  limit: number;
}

export interface IncidentMoveOptions {
  id: string;
  by: string;
  /** snooze: for this many milliseconds from now. */
  forMs?: number;
  /** resolve: why. */
  reason?: string;
}

async function bookkeeping(ctx: CommandContext): Promise<Client> {
  return bookkeepingClient(await ctx.client(), ctx.settings.bookkeepingNamespace);
}

function row(entry: IncidentEntry, out: Output): string {
  const f = entry.fingerprint;
  return [
    entry.id,
    entry.state.padEnd(12),
    f.verdict.padEnd(22),
    `seen ${entry.seenCount}`.padEnd(9),
    `last ${out.time(entry.lastSeenMs)}`.padEnd(22),
    `${f.namespace}/${f.workflowId}`,
    ...(entry.notify?.undelivered ? [`undelivered (${undeliveredTo(entry)})`] : []),
  ].join('  ');
}

/** The sinks that kept refusing an incident's notices. */
function undeliveredTo(entry: IncidentEntry): string {
  return entry.notify?.undelivered?.sinks.map((s) => s.label).join(', ') ?? '';
}

function details(entry: IncidentEntry, out: Output): string {
  const f = entry.fingerprint;
  const lines = [
    `${entry.id}: ${entry.state}`,
    `  workflow   ${f.namespace}/${f.workflowId} run ${f.runId} (${entry.workflowType} on ${entry.taskQueue})`,
    `  verdict    ${f.verdict}: ${entry.summary}`,
    `  failure    ${f.signature || '-'}`,
    `  remedy     ${entry.remedy}`,
    `  seen       ${entry.seenCount} times, first ${out.time(entry.firstSeenMs)}, last ${out.time(entry.lastSeenMs)}`,
  ];
  if (entry.acknowledgedBy) lines.push(`  ack        by ${entry.acknowledgedBy}`);
  if (entry.snoozedUntilMs) lines.push(`  snoozed    until ${out.time(entry.snoozedUntilMs)}`);
  if (entry.resolvedReason) lines.push(`  resolved   ${entry.resolvedReason}`);
  if (entry.reopenCount > 0) lines.push(`  reopened   ${entry.reopenCount} times`);
  const notify = entry.notify;
  if (notify?.undelivered)
    lines.push(
      `  undelivered to ${undeliveredTo(entry)} since ${out.time(notify.undelivered.atMs)}: ${notify.undelivered.error}`,
    );
  if (notify?.pending.length)
    lines.push(
      `  owed       ${notify.pending.map((p) => `${p.transition} (${p.sinks.length} sinks)`).join(', ')}`,
    );
  for (const r of entry.remedies ?? [])
    lines.push(`  remedied   ${out.time(r.atMs)}  ${r.remedy} by the sweep: ${r.outcome}`);
  lines.push('  history');
  for (const t of entry.transitions)
    lines.push(
      `    ${out.time(t.atMs)}  ${t.from} -> ${t.to}${t.by ? ` by ${t.by}` : ''}${t.reason ? `: ${t.reason}` : ''}`,
    );
  return lines.join('\n');
}

/** Lists the incidents (default: the unresolved ones), newest first. */
export async function incidentsList(options: IncidentListOptions, ctx: CommandContext): Promise<number> {
  const client = await bookkeeping(ctx);
  const states = options.states ?? ACTIVE_INCIDENT_STATES;
  const entries = await listIncidents(client, ctx.settings.opsTaskQueue, {
    states,
    limit: options.limit,
  }).catch((error: unknown) => {
    // A query on a search attribute the namespace lacks is refused as malformed.
    if (!isInvalidArgument(error)) throw error;
    const missing = new IncidentAttributesMissingError(client.options.namespace, ctx.target.address, [
      ...INCIDENT_SEARCH_ATTRIBUTES,
    ]);
    throw new ExitError(`${missing.message} (${(error as Error).message})`, ExitCode.notOk);
  });
  ctx.out.result(entries, (all) => all.map((entry) => row(entry, ctx.out)).join('\n'));
  ctx.out.info(`${entries.length} incidents${states.length > 0 ? ` (${states.join(', ')})` : ''}`);
  return ExitCode.ok;
}

async function found(client: Client, id: string): Promise<IncidentEntry> {
  const entry = await readIncident(client, id).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!entry) throw new ExitError(`incident ${id} not found`, ExitCode.notFound);
  return entry;
}

/** Prints one incident in full; exit 7 when there is none of that ID. */
export async function incidentsShow(options: { id: string }, ctx: CommandContext): Promise<number> {
  const entry = await found(await bookkeeping(ctx), normalizeIncidentId(options.id));
  ctx.out.result(entry, (e) => details(e, ctx.out));
  return ExitCode.ok;
}

async function move(
  options: IncidentMoveOptions,
  ctx: CommandContext,
  event: IncidentEvent,
): Promise<number> {
  const client = await bookkeeping(ctx);
  const id = normalizeIncidentId(options.id);
  await found(client, id);
  try {
    const answer = await moveIncident(client, id, event);
    const entry: IncidentEntry = { id, ...answer.incident };
    ctx.out.result(entry, (e) => details(e, ctx.out));
    return ExitCode.ok;
  } catch (error) {
    if (isNotFound(error)) throw new ExitError(`incident ${id} is closed (resolved)`, ExitCode.notOk);
    const message =
      error instanceof WorkflowUpdateFailedError ? failureChain(error.cause) : failureChain(error);
    throw new ExitError(`incident ${id}: ${message}`, ExitCode.notOk);
  }
}

/** Acknowledges an incident: it stays acknowledged, whatever later sweeps see, until resolved. */
export function incidentsAck(options: IncidentMoveOptions, ctx: CommandContext): Promise<number> {
  return move(options, ctx, { kind: 'ack', by: options.by });
}

/** Snoozes an incident for `forMs`; it opens again when that time is up. */
export function incidentsSnooze(options: IncidentMoveOptions, ctx: CommandContext): Promise<number> {
  return move(options, ctx, { kind: 'snooze', by: options.by, untilMs: Date.now() + (options.forMs ?? 0) });
}

/** Resolves an incident by hand; a sweep that finds it again reopens it. */
export function incidentsResolve(options: IncidentMoveOptions, ctx: CommandContext): Promise<number> {
  return move(options, ctx, {
    kind: 'resolve',
    by: options.by,
    reason: options.reason ?? 'resolved by hand',
  });
}
