// How an incident moves, move by move: a table of events against the state they leave.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncidentEvent, IncidentState } from '../../src/contract/incidents.js';
import { failureSignature } from '../../src/contract/incidents.js';
import type { Finding } from '../../src/contract/verdicts.js';
import {
  applyIncidentEvent,
  incidentMoveProblem,
  newIncident,
  wakeIncident,
  type IncidentEntity,
} from '../../src/diagnosis/incident-moves.js';
import { sighting } from '../helpers/incident-sighting.js';

const seen = (sweep: string, atMs: number): IncidentEvent => ({ kind: 'seen', sweep, atMs, sighting });

function run(events: IncidentEvent[], nowMs = 1000): IncidentEntity {
  const [first, ...rest] = events;
  let entity = newIncident(first as Extract<IncidentEvent, { kind: 'seen' }>).entity;
  for (const event of rest) {
    assert.equal(incidentMoveProblem(entity.incident, event, nowMs), undefined);
    entity = applyIncidentEvent(entity, event, nowMs).entity;
  }
  return entity;
}

describe('incident moves', () => {
  const cases: [string, IncidentEvent[], IncidentState, number][] = [
    ['a first sighting opens it', [seen('s1', 10)], 'open', 1],
    ['a later sweep counts it again', [seen('s1', 10), seen('s2', 20)], 'open', 2],
    [
      'a retried sweep counts nothing twice',
      [seen('s1', 10), seen('s1', 10), seen('s2', 20), seen('s2', 20)],
      'open',
      2,
    ],
    [
      'an ack holds through later sightings',
      [seen('s1', 10), { kind: 'ack', by: 'ann' }, seen('s2', 20)],
      'acknowledged',
      2,
    ],
    [
      'a snooze holds through later sightings',
      [seen('s1', 10), { kind: 'snooze', by: 'ann', untilMs: 5000 }, seen('s2', 20)],
      'snoozed',
      2,
    ],
    [
      'a sweep that no longer sees it resolves it',
      [seen('s1', 10), { kind: 'gone', sweep: 's2', atMs: 20, reason: 'not seen', final: false }],
      'resolved',
      1,
    ],
    [
      'the same fingerprint coming back reopens it',
      [
        seen('s1', 10),
        { kind: 'gone', sweep: 's2', atMs: 20, reason: 'not seen', final: false },
        seen('s3', 30),
      ],
      'reopened',
      2,
    ],
    [
      'a person resolves it, and a retried gone of an earlier sweep changes nothing',
      [
        seen('s1', 10),
        { kind: 'resolve', by: 'ann', reason: 'fixed' },
        { kind: 'gone', sweep: 's2', atMs: 20, reason: 'not seen', final: false },
      ],
      'resolved',
      1,
    ],
  ];
  for (const [title, events, state, seenCount] of cases)
    it(title, () => {
      const { incident } = run(events);
      assert.equal(incident.state, state);
      assert.equal(incident.seenCount, seenCount);
    });

  it('keeps first and last seen, who acknowledged, the reason and every state change', () => {
    const { incident } = run([
      seen('s1', 10),
      { kind: 'ack', by: 'ann' },
      seen('s2', 20),
      { kind: 'gone', sweep: 's3', atMs: 30, reason: 'the run closed: TERMINATED', final: true },
    ]);
    assert.equal(incident.firstSeenMs, 10);
    assert.equal(incident.lastSeenMs, 20);
    assert.equal(incident.acknowledgedBy, 'ann');
    assert.equal(incident.resolvedReason, 'the run closed: TERMINATED');
    assert.equal(incident.final, true);
    assert.deepEqual(
      incident.transitions.map((t) => `${t.from}>${t.to}`),
      ['new>open', 'open>acknowledged', 'acknowledged>resolved'],
    );
  });

  it('a reopened incident forgets the old ack and counts the reopening', () => {
    const { incident } = run([
      seen('s1', 10),
      { kind: 'ack', by: 'ann' },
      { kind: 'gone', sweep: 's2', atMs: 20, reason: 'not seen', final: false },
      seen('s3', 30),
    ]);
    assert.equal(incident.acknowledgedBy, undefined);
    assert.equal(incident.resolvedReason, undefined);
    assert.equal(incident.reopenCount, 1);
  });

  it('a snooze ends at its time and not before', () => {
    const entity = run([seen('s1', 10), { kind: 'snooze', by: 'ann', untilMs: 5000 }]);
    assert.equal(wakeIncident(entity, 4999).entity.incident.state, 'snoozed');
    const woke = wakeIncident(entity, 5000);
    assert.equal(woke.entity.incident.state, 'open');
    assert.equal(woke.transition?.reason, 'snooze ended');
  });

  it('refuses an ack or snooze of a resolved incident, a snooze into the past, and moves before any sighting', () => {
    const resolved = run([seen('s1', 10), { kind: 'resolve', by: 'ann', reason: 'fixed' }]).incident;
    assert.match(
      incidentMoveProblem(resolved, { kind: 'ack', by: 'bob' }, 100) ?? '',
      /ack: the incident is resolved/,
    );
    const open = run([seen('s1', 10)]).incident;
    assert.match(
      incidentMoveProblem(open, { kind: 'snooze', by: 'bob', untilMs: 50 }, 100) ?? '',
      /untilMs: expected a time after now/,
    );
    assert.match(incidentMoveProblem(undefined, { kind: 'ack', by: 'bob' }, 100) ?? '', /not been seen/);
  });

  it('records a remedy a sweep applied once per sweep, without a move of its state', () => {
    const remedied = (sweep: string, atMs: number): IncidentEvent => ({
      kind: 'remedied',
      sweep,
      atMs,
      remedy: 'start-worker',
      outcome: 'verified',
    });
    const entity = run([seen('s1', 10), remedied('s1', 20), remedied('s1', 20), remedied('s2', 30)]);
    assert.equal(entity.incident.state, 'open');
    assert.deepEqual(
      entity.incident.remedies?.map((r) => [r.sweep, r.atMs, r.remedy, r.outcome]),
      [
        ['s1', 20, 'start-worker', 'verified'],
        ['s2', 30, 'start-worker', 'verified'],
      ],
    );
    assert.equal(entity.incident.transitions.length, 1, 'no transition');
    const bad = { kind: 'remedied', sweep: 's3', atMs: 1 } as unknown as IncidentEvent;
    assert.match(
      incidentMoveProblem(entity.incident, bad, 100) ?? '',
      /remedied: expected a remedy and an outcome/,
    );
  });

  it('signs a failure the same on every attempt', () => {
    const finding = (message: string) =>
      ({
        evidence: {
          summary: 's',
          eventIds: [],
          activity: { activityId: '1', activityType: 'charge', attempt: 7, lastFailureMessage: message },
        },
      }) as unknown as Finding;
    assert.equal(
      failureSignature(finding('card 4242 declined after 7 tries (req 9f8e7d6c5b4a)')),
      failureSignature(finding('card 1111 declined after 12 tries (req 0a1b2c3d4e5f)')),
    );
    assert.equal(failureSignature(finding('timeout')), 'charge: timeout');
  });
});
