// How an incident moves: open → acknowledged or snoozed; resolved when a sweep no longer sees it
// (or its run closed, or someone resolves it); reopened when its fingerprint comes back. Pure, with
// `now` passed in: the Incident workflow applies it to every update.
import type { Incident, IncidentEvent, IncidentState, IncidentTransition } from '../contract/incidents.js';
import { noticesDelivered, noticesUndelivered, oweNotice } from './incident-notices.js';

/** An incident plus the sweep moves already applied, so a retried sweep counts nothing twice. */
export interface IncidentEntity {
  incident: Incident;
  /** `<kind>:<sweep>` of the latest sweep moves applied (bounded). */
  applied: string[];
}

export interface IncidentMove {
  entity: IncidentEntity;
  /** The state change this move made, if any. */
  transition?: IncidentTransition;
  /** The same sweep move was applied before: nothing changed. */
  duplicate: boolean;
}

const KEEP_APPLIED = 50;
const KEEP_TRANSITIONS = 20;
/** Remedies applied by sweeps, kept on the incident. */
const KEEP_REMEDIES = 10;

const isStrings = (value: unknown): boolean =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** What is malformed in the notice fields of `event` (anyone may send the update), if anything. */
function noticeShapeProblem(event: IncidentEvent): string | undefined {
  const e = event as Partial<Record<string, unknown>>;
  const notify = e.notify as Partial<Record<string, unknown>> | undefined;
  if (notify !== undefined && (!isStrings(notify.sinks) || typeof notify.repeatMs !== 'number'))
    return `notify: expected { sinks: string[], repeatMs: number }, got ${JSON.stringify(notify)}`;
  if (event.kind !== 'delivered' && event.kind !== 'undelivered') return undefined;
  if (typeof e.sink !== 'string' || typeof e.atMs !== 'number')
    return `${event.kind}: expected a sink and atMs, got ${JSON.stringify(event)}`;
  if (event.kind === 'delivered' && !isStrings(e.keys))
    return `keys: expected a list of notice keys, got ${JSON.stringify(e.keys)}`;
  if (event.kind === 'undelivered' && (typeof e.label !== 'string' || typeof e.error !== 'string'))
    return `undelivered: expected a label and an error, got ${JSON.stringify(event)}`;
  return undefined;
}

/** Why `event` cannot apply to `incident` now (undefined when it can): the update validator's answer. */
export function incidentMoveProblem(
  incident: Incident | undefined,
  event: IncidentEvent,
  nowMs: number,
): string | undefined {
  const shape = noticeShapeProblem(event);
  if (shape) return shape;
  if (event.kind === 'remedied' && !(typeof event.remedy === 'string' && typeof event.outcome === 'string'))
    return `remedied: expected a remedy and an outcome, got ${JSON.stringify(event)}`;
  if (!incident && event.kind !== 'seen') return `${event.kind}: the incident has not been seen yet`;
  if (!incident) return undefined;
  switch (event.kind) {
    case 'ack':
    case 'snooze':
      if (incident.state === 'resolved')
        return `${event.kind}: the incident is resolved (${incident.resolvedReason ?? 'no reason'})`;
      if (event.kind === 'snooze' && !(event.untilMs > nowMs))
        return `untilMs: expected a time after now, got ${new Date(event.untilMs).toISOString()}`;
      return undefined;
    default:
      return undefined;
  }
}

function moved(
  entity: IncidentEntity,
  incident: Incident,
  atMs: number,
  to: IncidentState,
  extra: { by?: string; reason?: string },
  appliedKey?: string,
): IncidentMove {
  const from = entity.incident.state;
  const transition: IncidentTransition = { atMs, from, to, ...extra };
  const next: Incident = {
    ...incident,
    state: to,
    transitions:
      from === to ? incident.transitions : [...incident.transitions, transition].slice(-KEEP_TRANSITIONS),
  };
  const applied = appliedKey ? [...entity.applied, appliedKey].slice(-KEEP_APPLIED) : entity.applied;
  return { entity: { incident: next, applied }, duplicate: false, ...(from === to ? {} : { transition }) };
}

/** A copy of `incident` without the optional fields named. */
function without(incident: Incident, ...fields: (keyof Incident)[]): Incident {
  const copy = { ...incident };
  for (const field of fields) delete copy[field];
  return copy;
}

/** The first sighting of a fingerprint: an open incident seen once. */
export function newIncident(event: Extract<IncidentEvent, { kind: 'seen' }>): IncidentMove {
  const { sighting } = event;
  const { workflowType, taskQueue, summary, remedy, ...fingerprint } = sighting;
  const transition: IncidentTransition = { atMs: event.atMs, from: 'new', to: 'open', by: 'sweep' };
  const incident: Incident = {
    fingerprint,
    workflowType,
    taskQueue,
    state: 'open',
    seenCount: 1,
    firstSeenMs: event.atMs,
    lastSeenMs: event.atMs,
    summary,
    remedy,
    reopenCount: 0,
    transitions: [transition],
  };
  return {
    entity: { incident: oweNotice(incident, transition, event), applied: [`seen:${event.sweep}`] },
    transition,
    duplicate: false,
  };
}

/** Applies one valid event (see incidentMoveProblem) at `nowMs`, with the notice it owes. */
export function applyIncidentEvent(
  entity: IncidentEntity,
  event: IncidentEvent,
  nowMs: number,
): IncidentMove {
  const move = applyMove(entity, event, nowMs);
  if (
    move.duplicate ||
    event.kind === 'delivered' ||
    event.kind === 'undelivered' ||
    event.kind === 'remedied'
  )
    return move;
  const incident = oweNotice(move.entity.incident, move.transition, event);
  return { ...move, entity: { ...move.entity, incident } };
}

function applyMove(entity: IncidentEntity, event: IncidentEvent, nowMs: number): IncidentMove {
  const { incident } = entity;
  const same: IncidentMove = { entity, duplicate: false };
  switch (event.kind) {
    case 'seen': {
      const key = `seen:${event.sweep}`;
      if (entity.applied.includes(key)) return { entity, duplicate: true };
      const seen: Incident = {
        ...incident,
        seenCount: incident.seenCount + 1,
        lastSeenMs: Math.max(incident.lastSeenMs, event.atMs),
        summary: event.sighting.summary,
        remedy: event.sighting.remedy,
      };
      if (incident.state !== 'resolved') return moved(entity, seen, event.atMs, incident.state, {}, key);
      const reopened = without(seen, 'acknowledgedBy', 'snoozedUntilMs', 'resolvedReason', 'final');
      reopened.reopenCount = incident.reopenCount + 1;
      return moved(entity, reopened, event.atMs, 'reopened', { by: 'sweep', reason: 'seen again' }, key);
    }
    case 'gone': {
      const key = `gone:${event.sweep}`;
      if (entity.applied.includes(key)) return { entity, duplicate: true };
      if (incident.state === 'resolved') return same;
      const resolved = { ...incident, resolvedReason: event.reason, ...(event.final ? { final: true } : {}) };
      return moved(entity, resolved, event.atMs, 'resolved', { by: 'sweep', reason: event.reason }, key);
    }
    case 'ack': {
      if (incident.state === 'acknowledged' || incident.state === 'resolved') return same;
      const acked = { ...without(incident, 'snoozedUntilMs'), acknowledgedBy: event.by };
      return moved(entity, acked, nowMs, 'acknowledged', { by: event.by });
    }
    case 'snooze': {
      if (incident.state === 'resolved') return same;
      const snoozed = { ...incident, snoozedUntilMs: event.untilMs };
      const reason = `until ${new Date(event.untilMs).toISOString()}`;
      return moved(entity, snoozed, nowMs, 'snoozed', { by: event.by, reason });
    }
    case 'resolve': {
      if (incident.state === 'resolved') return same;
      const resolved = { ...incident, resolvedReason: `${event.reason} (by ${event.by})` };
      return moved(entity, resolved, nowMs, 'resolved', { by: event.by, reason: event.reason });
    }
    case 'remedied': {
      const key = `remedied:${event.sweep}`;
      if (entity.applied.includes(key)) return { entity, duplicate: true };
      const remedy = { atMs: event.atMs, sweep: event.sweep, remedy: event.remedy, outcome: event.outcome };
      const remedies = [...(incident.remedies ?? []), remedy].slice(-KEEP_REMEDIES);
      const applied = [...entity.applied, key].slice(-KEEP_APPLIED);
      return { entity: { incident: { ...incident, remedies }, applied }, duplicate: false };
    }
    case 'delivered':
      return {
        entity: { ...entity, incident: noticesDelivered(incident, event.sink, event.keys) },
        duplicate: false,
      };
    case 'undelivered': {
      const sink = { id: event.sink, label: event.label };
      return {
        entity: { ...entity, incident: noticesUndelivered(incident, sink, event.atMs, event.error) },
        duplicate: false,
      };
    }
  }
}

/** A snoozed incident whose time is up opens again; anything else stays as it is. */
export function wakeIncident(entity: IncidentEntity, nowMs: number): IncidentMove {
  const { incident } = entity;
  if (incident.state !== 'snoozed' || (incident.snoozedUntilMs ?? 0) > nowMs)
    return { entity, duplicate: false };
  return moved(entity, without(incident, 'snoozedUntilMs'), nowMs, 'open', { reason: 'snooze ended' });
}
