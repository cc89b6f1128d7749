// Notification sinks of a scheduled sweep and the notices it owes: which sink a `--notify` value
// names, the key of each notice, and the one message per sink that groups a sweep's notices.
// Pure: the Incident workflow, the sweep, the delivery activity and the CLI all import it.

/**
 * Where notices go.
 * - `webhook`: an http(s) URL that gets the JSON payload by POST.
 * - `slack`: a Slack-compatible incoming webhook (`slack+https://…`, or any hooks.slack.com URL): `text` + `blocks`.
 * - `command`: `cmd:<command>`, run on the sweep's host under its policy, with a title and a text as arguments.
 */
type SinkKind = 'webhook' | 'slack' | 'command';

export interface NotifySink {
  /** Stable across sweeps: names the sink in the incidents' delivery records (no secrets in it). */
  id: string;
  kind: SinkKind;
  /** The URL to POST to, or the command to run. */
  target: string;
  /** What to show for it: kind and host, or the command's program. */
  label: string;
}

/** The transitions a notice is sent for. */
type NoticeTransition = 'opened' | 'reopened' | 'resolved' | 'still-open';

/** A notice an incident owes: kept on the incident until every sink it names has it. */
export interface PendingNotice {
  /** Unique within the incident: `opened`, `reopened.2`, `resolved.0`, `still-open.0.3`. */
  key: string;
  transition: NoticeTransition;
  atMs: number;
  reason?: string;
  /** IDs of the sinks that have not had it yet. */
  sinks: string[];
}

/** One notice as a sink receives it: the pending notice plus what to say about its incident. */
export interface Notice {
  incidentId: string;
  /** `<incidentId>:<pending key>`: the same on every attempt of every sweep. */
  key: string;
  transition: NoticeTransition;
  atMs: number;
  reason?: string;
  state: string;
  verdict: string;
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  summary: string;
  remedy: string;
  seenCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** What a sweep's notify config tells the incidents: the sinks, and when a still-open notice is due. */
export interface NotifyConfig {
  sinks: string[];
  repeatMs: number;
}

/** 32-bit FNV-1a of `text`, as 8 hex digits: a stable short name (not a secret-keeping hash). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** An http(s) URL: scheme, optional credentials, host (or bracketed IPv6), optional port, the rest. */
export const HTTP_URL_SHAPE =
  /^https?:\/\/([^\s/?#@]+@)?([^\s/?#:@]+|\[[0-9a-fA-F:.]+\])(:\d{1,5})?([/?#]\S*)?$/;
const MAX_SINK = 2048;

/** The sink a `--notify` value names, or what is wrong with it (the expectation, for the message). */
export function parseSink(value: string): { sink: NotifySink } | { expected: string } {
  const expected =
    'an http(s) URL (JSON webhook), slack+https://… (Slack-compatible webhook) or cmd:<command> (command sink)';
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SINK) return { expected };
  if (value.startsWith('cmd:')) {
    const command = value.slice(4).trim();
    if (command === '' || /[\0\n\r]/.test(command))
      return { expected: 'cmd: followed by a one-line command, e.g. cmd:notify-send' };
    const program = command.split(/\s+/)[0] ?? command;
    return {
      sink: { id: `command-${fnv1a(value)}`, kind: 'command', target: command, label: `cmd:${program}` },
    };
  }
  const slack = value.startsWith('slack+');
  const url = slack ? value.slice(6) : value;
  const match = HTTP_URL_SHAPE.exec(url);
  if (!match) return { expected: slack ? 'slack+ followed by an http(s) URL' : expected };
  const host = (match[2] ?? '').toLowerCase();
  const kind: SinkKind = slack || host === 'hooks.slack.com' ? 'slack' : 'webhook';
  return {
    sink: { id: `${kind}-${fnv1a(value)}`, kind, target: url, label: `${kind}:${host}${match[3] ?? ''}` },
  };
}

/** The notices of a sweep that `sinkId` has not had yet, oldest first: the content of its one message. */
export function noticesFor(notices: readonly (Notice & { sinks: string[] })[], sinkId: string): Notice[] {
  return notices
    .filter((n) => n.sinks.includes(sinkId))
    .map(({ sinks: _sinks, ...notice }) => notice)
    .sort((a, b) => a.atMs - b.atMs || a.key.localeCompare(b.key));
}

/** The idempotency key of one grouped message: the sink and the notices it carries. */
export function messageKey(sinkId: string, notices: readonly Notice[]): string {
  return `${sinkId}-${fnv1a(notices.map((n) => n.key).join('\n'))}-${notices.length}`;
}

const WORDS: Record<NoticeTransition, string> = {
  opened: 'opened',
  reopened: 'reopened',
  resolved: 'resolved',
  'still-open': 'still open',
};

/** One line about one notice, for people. */
export function noticeLine(n: Notice): string {
  const why = n.transition === 'resolved' ? (n.reason ?? n.summary) : n.summary;
  return `[${WORDS[n.transition]}] ${n.verdict}: ${n.namespace}/${n.workflowId} (${n.workflowType} on ${n.taskQueue}): ${why}`;
}

/** The title of a grouped message: how many notices of each transition. */
export function messageTitle(notices: readonly Notice[]): string {
  const counts = new Map<NoticeTransition, number>();
  for (const n of notices) counts.set(n.transition, (counts.get(n.transition) ?? 0) + 1);
  const parts = [...counts].map(([transition, count]) => `${count} ${WORDS[transition]}`);
  return `temporal-ops: ${parts.join(', ')} incident${notices.length === 1 ? '' : 's'}`;
}

/** The generic webhook's JSON body. */
export function webhookBody(sweep: string, idempotencyKey: string, notices: readonly Notice[]) {
  return {
    source: 'temporal-ops',
    version: 1,
    sweep,
    idempotencyKey,
    title: messageTitle(notices),
    notifications: notices.map((n) => ({ ...n, at: new Date(n.atMs).toISOString() })),
  };
}

/** Slack allows 50 blocks a message: the rest are counted in the last one. */
const MAX_SLACK_LINES = 40;

/** The Slack-compatible body: `text` (the fallback) and `blocks` (a header and a line per notice). */
export function slackBody(notices: readonly Notice[]) {
  const title = messageTitle(notices);
  const shown = notices.slice(0, MAX_SLACK_LINES);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    ...shown.map((n) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `${noticeLine(n)}\n_${n.remedy}_`.slice(0, 3000) },
    })),
  ];
  if (notices.length > shown.length)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `and ${notices.length - shown.length} more` }],
    });
  return { text: `${title}\n${notices.map(noticeLine).join('\n')}`.slice(0, 40_000), blocks };
}
