// Which notices an incident owes, move by move, and what deliveries do to them: a table of event
// sequences against the notice keys left pending for each sink.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncidentEvent } from '../../src/contract/incidents.js';
import type { NotifyConfig } from '../../src/contract/notify.js';
import {
  applyIncidentEvent,
  incidentMoveProblem,
  newIncident,
  type IncidentEntity,
} from '../../src/diagnosis/incident-moves.js';
import { owesNotices } from '../../src/diagnosis/incident-notices.js';
import { sighting } from '../helpers/incident-sighting.js';

const HOUR = 3_600_000;
const notify: NotifyConfig = { sinks: ['hook', 'slack'], repeatMs: 4 * HOUR };

const seen = (sweep: string, atMs: number, config: NotifyConfig | null = notify): IncidentEvent => ({
  kind: 'seen',
  sweep,
  atMs,
  sighting,
  ...(config ? { notify: config } : {}),
});
const gone = (sweep: string, atMs: number): IncidentEvent => ({
  kind: 'gone',
  sweep,
  atMs,
  reason: 'the sweep no longer sees it stalled',
  final: false,
  notify,
});
const delivered = (sink: string, keys: string[]): IncidentEvent => ({
  kind: 'delivered',
  sink,
  keys,
  atMs: 0,
});

function run(events: IncidentEvent[], nowMs = 0): IncidentEntity {
  const [first, ...rest] = events;
  let entity = newIncident(first as Extract<IncidentEvent, { kind: 'seen' }>).entity;
  for (const event of rest) entity = applyIncidentEvent(entity, event, nowMs).entity;
  return entity;
}

const pendingKeys = (entity: IncidentEntity) =>
  (entity.incident.notify?.pending ?? []).map((p) => `${p.key}>${p.sinks.join('+')}`);

describe('incident notices', () => {
  const cases: [string, IncidentEvent[], string[]][] = [
    ['a new incident owes "opened" to every sink', [seen('s1', 0)], ['opened>hook+slack']],
    [
      'a sighting before the repeat owes nothing more',
      [seen('s1', 0), seen('s2', HOUR)],
      ['opened>hook+slack'],
    ],
    [
      'a sighting after the repeat owes "still open", numbered',
      [seen('s1', 0), seen('s2', 4 * HOUR), seen('s3', 5 * HOUR), seen('s4', 8 * HOUR)],
      ['opened>hook+slack', 'still-open.0.1>hook+slack', 'still-open.0.2>hook+slack'],
    ],
    [
      'a retried sweep owes nothing twice',
      [seen('s1', 0), seen('s2', 4 * HOUR), seen('s2', 4 * HOUR)],
      ['opened>hook+slack', 'still-open.0.1>hook+slack'],
    ],
    [
      'an acknowledged incident owes no repeat',
      [seen('s1', 0), { kind: 'ack', by: 'ann' }, seen('s2', 5 * HOUR)],
      ['opened>hook+slack'],
    ],
    [
      'a snoozed incident owes no repeat',
      [seen('s1', 0), { kind: 'snooze', by: 'ann', untilMs: 9 * HOUR }, seen('s2', 5 * HOUR)],
      ['opened>hook+slack'],
    ],
    [
      'resolving owes "resolved", coming back owes "reopened"',
      [seen('s1', 0), gone('s2', HOUR), seen('s3', 2 * HOUR)],
      ['opened>hook+slack', 'resolved.0>hook+slack', 'reopened.1>hook+slack'],
    ],
    [
      'a resolve by hand owes "resolved" to the sinks last named',
      [seen('s1', 0), { kind: 'resolve', by: 'ann', reason: 'fixed' }],
      ['opened>hook+slack', 'resolved.0>hook+slack'],
    ],
    [
      'a delivery clears the notice for that sink only',
      [seen('s1', 0), delivered('hook', ['opened'])],
      ['opened>slack'],
    ],
    [
      'a notice every sink had is no longer owed; a second delivery changes nothing',
      [
        seen('s1', 0),
        delivered('hook', ['opened']),
        delivered('slack', ['opened']),
        delivered('slack', ['opened']),
      ],
      [],
    ],
    [
      'a sink the sweep no longer names is owed nothing',
      [seen('s1', 0), seen('s2', HOUR, { sinks: ['hook'], repeatMs: 4 * HOUR })],
      ['opened>hook'],
    ],
    ['a sweep without sinks owes nothing', [seen('s1', 0, null), seen('s2', 9 * HOUR, null)], []],
  ];
  for (const [title, events, expected] of cases)
    it(title, () => {
      assert.deepEqual(pendingKeys(run(events)), expected);
    });

  it('repeats count from the latest open or reopen', () => {
    const entity = run([seen('s1', 0), gone('s2', 3 * HOUR), seen('s3', 3.5 * HOUR), seen('s4', 5 * HOUR)]);
    assert.deepEqual(pendingKeys(entity).at(-1), 'reopened.1>hook+slack');
  });

  it('a failing sink marks the incident undelivered until it delivers', () => {
    const failing: IncidentEvent = {
      kind: 'undelivered',
      sink: 'hook',
      label: 'webhook:x',
      atMs: 5,
      error: 'HTTP 500',
    };
    const marked = run([seen('s1', 0), failing]);
    assert.deepEqual(marked.incident.notify?.undelivered?.sinks, [{ id: 'hook', label: 'webhook:x' }]);
    assert.deepEqual(pendingKeys(marked), ['opened>hook+slack'], 'the notice stays owed');
    const later = applyIncidentEvent(marked, delivered('hook', ['opened']), 0).entity;
    assert.equal(later.incident.notify?.undelivered, undefined);
  });

  it('an incident that owes notices must not close yet', () => {
    const entity = run([seen('s1', 0), gone('s2', HOUR)]);
    assert.equal(owesNotices(entity.incident), true);
    const done = ['hook', 'slack'].reduce(
      (e, sink) => applyIncidentEvent(e, delivered(sink, ['opened', 'resolved.0']), 0).entity,
      entity,
    );
    assert.equal(owesNotices(done.incident), false);
  });
});

describe('incident notice events', () => {
  const entity = run([seen('s1', 0)]);
  const bad: [string, unknown][] = [
    ['delivered without keys', { kind: 'delivered', sink: 'hook', atMs: 0 }],
    ['delivered with keys that are not text', { kind: 'delivered', sink: 'hook', keys: [1], atMs: 0 }],
    ['undelivered without an error', { kind: 'undelivered', sink: 'hook', label: 'x', atMs: 0 }],
    ['a sighting whose sinks are not a list', { ...seen('s2', 0), notify: { sinks: 'hook', repeatMs: 1 } }],
  ];
  for (const [title, event] of bad)
    it(`refuses ${title} before it reaches the workflow`, () => {
      assert.ok(incidentMoveProblem(entity.incident, event as IncidentEvent, 0));
    });
});
