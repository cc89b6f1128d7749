// Which notices an incident owes after a move, and what a delivery does to them. Pure, like the
// moves themselves: the Incident workflow applies it in the same update, so a notice is owed in
// the same step as its transition and survives every kill that follows.
import type { Incident, IncidentEvent, IncidentNotify, IncidentTransition } from '../contract/incidents.js';
import type { PendingNotice } from '../contract/notify.js';

/** At most this many notices wait on one incident (the oldest are dropped). */
const MAX_PENDING = 10;

function configOf(event: IncidentEvent) {
  return event.kind === 'seen' || event.kind === 'gone' ? event.notify : undefined;
}

/** The notice a move owes, if any: opened, reopened, resolved, or still open once `repeatMs` passed. */
function noticeOf(
  notify: IncidentNotify,
  incident: Incident,
  transition: IncidentTransition | undefined,
  event: IncidentEvent,
): { notice: Omit<PendingNotice, 'sinks'>; repeat: boolean } | undefined {
  const life = incident.reopenCount;
  if (transition?.to === 'open' && transition.from === 'new')
    return { notice: { key: 'opened', transition: 'opened', atMs: transition.atMs }, repeat: false };
  if (transition?.to === 'reopened')
    return {
      notice: { key: `reopened.${life}`, transition: 'reopened', atMs: transition.atMs },
      repeat: false,
    };
  if (transition?.to === 'resolved') {
    const reason = incident.resolvedReason ?? transition.reason;
    const notice = { key: `resolved.${life}`, transition: 'resolved' as const, atMs: transition.atMs };
    return { notice: reason === undefined ? notice : { ...notice, reason }, repeat: false };
  }
  const config = configOf(event);
  if (transition || event.kind !== 'seen' || !config) return undefined;
  if (incident.state !== 'open' && incident.state !== 'reopened') return undefined;
  if (event.atMs - notify.lastNoticeMs < config.repeatMs) return undefined;
  const key = `still-open.${life}.${notify.repeats + 1}`;
  return { notice: { key, transition: 'still-open', atMs: event.atMs }, repeat: true };
}

/**
 * `after` (the incident once `event` moved it from `before`) with the notice the move owes added to
 * its pending ones, for the sinks the sweep names (or, for a person's move, the sinks last named).
 */
export function oweNotice(
  after: Incident,
  transition: IncidentTransition | undefined,
  event: IncidentEvent,
): Incident {
  const config = configOf(event);
  const current = after.notify;
  if (!config && !current) return after;
  const sinks = config?.sinks ?? current?.sinks ?? [];
  const atMs = event.kind === 'seen' || event.kind === 'gone' ? event.atMs : (transition?.atMs ?? 0);
  const pending = (current?.pending ?? [])
    .map((p) => (config ? { ...p, sinks: p.sinks.filter((s) => sinks.includes(s)) } : p))
    .filter((p) => p.sinks.length > 0);
  let notify: IncidentNotify = { ...(current ?? { lastNoticeMs: atMs, repeats: 0 }), sinks, pending };
  const owed = noticeOf(notify, after, transition, event);
  if (owed && sinks.length > 0) {
    const fresh = owed.notice.transition === 'opened' || owed.notice.transition === 'reopened';
    notify = {
      ...notify,
      pending: [...pending, { ...owed.notice, sinks }].slice(-MAX_PENDING),
      ...(fresh || owed.repeat
        ? { lastNoticeMs: owed.notice.atMs, repeats: owed.repeat ? notify.repeats + 1 : 0 }
        : {}),
    };
  }
  return { ...after, notify };
}

/** `incident` once `sink` had the notices `keys` (a second time changes nothing). */
export function noticesDelivered(incident: Incident, sink: string, keys: readonly string[]): Incident {
  const notify = incident.notify;
  if (!notify) return incident;
  const pending = notify.pending
    .map((p) => (keys.includes(p.key) ? { ...p, sinks: p.sinks.filter((s) => s !== sink) } : p))
    .filter((p) => p.sinks.length > 0);
  const failing = notify.undelivered?.sinks.filter((s) => s.id !== sink) ?? [];
  const { undelivered, ...rest } = notify;
  const next: IncidentNotify = { ...rest, pending };
  if (undelivered && failing.length > 0) next.undelivered = { ...undelivered, sinks: failing };
  return { ...incident, notify: next };
}

/** `incident` with `sink` marked as failing to deliver its notices (they stay pending). */
export function noticesUndelivered(
  incident: Incident,
  sink: { id: string; label: string },
  atMs: number,
  error: string,
): Incident {
  const notify = incident.notify;
  if (!notify) return incident;
  const others = notify.undelivered?.sinks.filter((s) => s.id !== sink.id) ?? [];
  return {
    ...incident,
    notify: { ...notify, undelivered: { sinks: [...others, sink], atMs, error: error.slice(0, 500) } },
  };
}

/** True while some sink still owes a notice of `incident`: it must not close yet. */
export function owesNotices(incident: Incident): boolean {
  return (incident.notify?.pending.length ?? 0) > 0;
}
