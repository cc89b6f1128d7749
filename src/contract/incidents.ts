// The vocabulary of incidents: one stall a scheduled sweep found, remembered across sweeps by its
// fingerprint. Pure: the Incident workflow, the sweep's activity and the CLI all import it.
import type { Notice, NotifyConfig, PendingNotice } from './notify.js';
import type { Finding, Verdict } from './verdicts.js';

/**
 * Where an incident stands.
 * - `open`: a sweep found the stall and nobody has answered it yet.
 * - `acknowledged`: someone said they are on it (`acknowledgedBy`); it stays so until resolved.
 * - `snoozed`: quiet until `snoozedUntilMs`, then open again.
 * - `resolved`: the sweep no longer sees it, its run closed, or someone resolved it (`resolvedReason`).
 * - `reopened`: a resolved incident whose fingerprint a sweep found again (a regression).
 */
export type IncidentState = 'open' | 'acknowledged' | 'snoozed' | 'resolved' | 'reopened';

export const INCIDENT_STATES: readonly IncidentState[] = Object.freeze([
  'open',
  'reopened',
  'acknowledged',
  'snoozed',
  'resolved',
] as const);

/** The states of an incident that is not resolved. */
export const ACTIVE_INCIDENT_STATES: readonly IncidentState[] = Object.freeze([
  'open',
  'reopened',
  'acknowledged',
  'snoozed',
] as const);

/** What makes two sightings the same incident. */
export interface IncidentFingerprint {
  namespace: string;
  workflowId: string;
  runId: string;
  verdict: Verdict;
  /** The failure, with its numbers and ids blanked: stable across attempts of the same failure. */
  signature: string;
}

/** One sweep's view of a stalled run: the fingerprint plus what to show about it. */
export interface IncidentSighting extends IncidentFingerprint {
  workflowType: string;
  taskQueue: string;
  /** The latest evidence, short: the verdict's summary and the remedy's text. */
  summary: string;
  remedy: string;
}

/** One move of an incident, kept on the incident (the latest few). */
export interface IncidentTransition {
  atMs: number;
  from: IncidentState | 'new';
  to: IncidentState;
  by?: string;
  reason?: string;
}

/** The notices an incident owes its sweep's sinks, and how their delivery went. */
export interface IncidentNotify {
  /** IDs of the sinks the latest sweep named. */
  sinks: string[];
  /** When the latest opened, reopened or still-open notice was owed: the repeat counts from it. */
  lastNoticeMs: number;
  /** Still-open notices owed since the latest open or reopen. */
  repeats: number;
  /** Owed and not yet delivered to every sink they name (the latest few). */
  pending: PendingNotice[];
  /** Sinks whose delivery kept failing: their notices stay pending and are tried again next sweep. */
  undelivered?: { sinks: { id: string; label: string }[]; atMs: number; error: string };
}

/** An incident as its workflow keeps it (and mirrors in its memo). */
export interface Incident {
  fingerprint: IncidentFingerprint;
  workflowType: string;
  taskQueue: string;
  state: IncidentState;
  seenCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
  summary: string;
  remedy: string;
  acknowledgedBy?: string;
  snoozedUntilMs?: number;
  resolvedReason?: string;
  /** True once the run closed or vanished: the incident cannot come back. */
  final?: boolean;
  reopenCount: number;
  transitions: IncidentTransition[];
  /** Remedies sweeps applied on their own (the latest few). */
  remedies?: IncidentRemedy[];
  /** Present once a sweep with notification sinks saw it. */
  notify?: IncidentNotify;
}

/**
 * What is done to an incident. `seen` and `gone` come from a sweep and carry `sweep` (the sweep
 * run), so a retried sweep applies each at most once, and `notify` when the sweep has sinks;
 * `delivered` and `undelivered` come from its notification step, `remedied` from its act steps
 * (keyed by the sweep too); the others come from a person.
 */
export type IncidentEvent =
  | { kind: 'seen'; sweep: string; atMs: number; sighting: IncidentSighting; notify?: NotifyConfig }
  | { kind: 'gone'; sweep: string; atMs: number; reason: string; final: boolean; notify?: NotifyConfig }
  | { kind: 'delivered'; sink: string; keys: string[]; atMs: number }
  | { kind: 'undelivered'; sink: string; label: string; atMs: number; error: string }
  | { kind: 'ack'; by: string }
  | { kind: 'snooze'; by: string; untilMs: number }
  | { kind: 'resolve'; by: string; reason: string }
  | { kind: 'remedied'; sweep: string; atMs: number; remedy: string; outcome: string };

/** A remedy a scheduled sweep applied to the incident's run on its own, and how it went. */
interface IncidentRemedy {
  atMs: number;
  /** The sweep run that applied it. */
  sweep: string;
  remedy: string;
  /** `verified`, or what kept it from being verified. */
  outcome: string;
}

/** What an incident update answers: the incident after the move, and the move's state change if any. */
export interface IncidentAnswer {
  incident: Incident;
  transition?: IncidentTransition;
  duplicate: boolean;
}

/** The one update every move goes through, and the query that reads an incident. */
export const INCIDENT_UPDATE = 'incident';
export const INCIDENT_QUERY = 'incident';
/** The memo key an Incident workflow mirrors itself under (read without a control worker). */
export const INCIDENT_MEMO = 'incident';

const MAX_SIGNATURE = 200;
const MAX_TEXT = 500;

/** The failure of a finding with numbers, hex ids and spaces folded: the same failure on every attempt. */
export function failureSignature(finding: Finding): string {
  const activity = finding.evidence.activity;
  const message = activity?.lastFailureMessage ?? finding.evidence.failureMessage ?? finding.evidence.summary;
  const folded = (message.split('\n')[0] ?? '')
    .replace(/\b[0-9a-f]{8,}(-[0-9a-f]{4,})*\b/gi, '<id>')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_SIGNATURE);
  return activity ? `${activity.activityType}: ${folded}` : folded;
}

/** The sighting a sweep reports for one stalled finding in `namespace`. */
export function sightingOf(namespace: string, finding: Finding): IncidentSighting {
  return {
    namespace,
    workflowId: finding.workflowId,
    runId: finding.runId,
    verdict: finding.verdict,
    signature: failureSignature(finding),
    workflowType: finding.workflowType,
    taskQueue: finding.taskQueue,
    summary: finding.evidence.summary.slice(0, MAX_TEXT),
    remedy: finding.remedy.text.slice(0, MAX_TEXT),
  };
}

/** A stable text of the fingerprint, the input of the incident's ID. */
export function fingerprintKey(f: IncidentFingerprint): string {
  return JSON.stringify([f.namespace, f.workflowId, f.runId, f.verdict, f.signature]);
}

/** The notices incident `id` still owes, each with the sinks that have not had it. */
export function pendingNotices(id: string, incident: Incident): (Notice & { sinks: string[] })[] {
  const f = incident.fingerprint;
  return (incident.notify?.pending ?? []).map((p) => ({
    incidentId: id,
    key: `${id}:${p.key}`,
    transition: p.transition,
    atMs: p.atMs,
    ...(p.reason === undefined ? {} : { reason: p.reason }),
    state: incident.state,
    verdict: f.verdict,
    namespace: f.namespace,
    workflowId: f.workflowId,
    runId: f.runId,
    workflowType: incident.workflowType,
    taskQueue: incident.taskQueue,
    summary: incident.summary,
    remedy: incident.remedy,
    seenCount: incident.seenCount,
    firstSeenMs: incident.firstSeenMs,
    lastSeenMs: incident.lastSeenMs,
    sinks: p.sinks,
  }));
}
