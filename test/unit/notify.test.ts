// Notification sinks and messages: which sink a --notify value names (or what is wrong with it),
// and the one grouped message per sink that a sweep sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingNotices, type Incident } from '../../src/contract/incidents.js';
import {
  messageKey,
  messageTitle,
  noticesFor,
  parseSink,
  slackBody,
  webhookBody,
} from '../../src/contract/notify.js';
import { parseDebugStalledInput } from '../../src/contract/debug-stalled-input.js';
import { describeProblem } from '../../src/contract/validate.js';

describe('notification sinks', () => {
  const kinds: [string, string, string][] = [
    ['https://example.com/hook', 'webhook', 'webhook:example.com'],
    ['http://127.0.0.1:8080/in', 'webhook', 'webhook:127.0.0.1:8080'],
    ['slack+https://chat.example.com/hooks/T1', 'slack', 'slack:chat.example.com'],
    ['https://hooks.slack.com/services/T/B/secret', 'slack', 'slack:hooks.slack.com'],
    ['cmd:notify-send -u critical', 'command', 'cmd:notify-send'],
  ];
  for (const [value, kind, label] of kinds)
    it(`reads ${value} as a ${kind} sink`, () => {
      const parsed = parseSink(value);
      assert.ok('sink' in parsed);
      assert.equal(parsed.sink.kind, kind);
      assert.equal(parsed.sink.label, label);
      assert.ok(!parsed.sink.label.includes('secret'), 'the label keeps no URL path');
    });

  it('names a sink the same on every sweep, and two sinks apart', () => {
    const a = parseSink('https://example.com/a');
    const b = parseSink('https://example.com/b');
    assert.ok('sink' in a && 'sink' in b);
    assert.equal(a.sink.id, (parseSink('https://example.com/a') as typeof a).sink.id);
    assert.notEqual(a.sink.id, b.sink.id);
  });

  for (const bad of [
    'ftp://example.com',
    'example.com/hook',
    'https://',
    'cmd:',
    'slack+ftp://x',
    'mailto:a@b',
  ])
    it(`refuses ${JSON.stringify(bad)}, naming the field and the value`, () => {
      assert.ok('expected' in parseSink(bad));
      const parsed = parseDebugStalledInput({ incidents: true, notify: [bad] });
      assert.equal(parsed.input, undefined);
      const message = parsed.problems.map(describeProblem).join('; ');
      assert.match(message, /notify\[0\]: expected/);
      assert.ok(message.includes(JSON.stringify(bad)), message);
    });

  it('refuses sinks without incidents: notices are about incidents', () => {
    const parsed = parseDebugStalledInput({ notify: ['https://example.com/hook'] });
    assert.deepEqual(
      parsed.problems.map((p) => p.field),
      ['notify'],
    );
  });
});

const incident = (workflowId: string, pending: [key: string, sink: string][]): Incident => ({
  fingerprint: { namespace: 'default', workflowId, runId: 'r', verdict: 'no-worker', signature: 's' },
  workflowType: 'Order',
  taskQueue: 'orders',
  state: 'open',
  seenCount: 1,
  firstSeenMs: 0,
  lastSeenMs: 0,
  summary: 'nobody polls orders',
  remedy: 'start a worker',
  reopenCount: 0,
  transitions: [],
  notify: {
    sinks: ['a', 'b'],
    lastNoticeMs: 0,
    repeats: 0,
    pending: pending.map(([key, sink], i) => ({
      key,
      transition: key.startsWith('resolved') ? 'resolved' : 'opened',
      atMs: i,
      sinks: [sink],
    })),
  },
});

describe('grouped messages', () => {
  const owed = [
    ...pendingNotices(
      'incident-1',
      incident('w1', [
        ['opened', 'a'],
        ['resolved.0', 'b'],
      ]),
    ),
    ...pendingNotices('incident-2', incident('w2', [['opened', 'a']])),
  ];

  it('gives each sink the notices it is owed, keyed by incident and transition', () => {
    assert.deepEqual(
      noticesFor(owed, 'a').map((n) => n.key),
      ['incident-1:opened', 'incident-2:opened'],
    );
    assert.deepEqual(
      noticesFor(owed, 'b').map((n) => n.key),
      ['incident-1:resolved.0'],
    );
  });

  it('keys a message by its sink and notices: the same message, the same key', () => {
    const a = noticesFor(owed, 'a');
    assert.equal(messageKey('a', a), messageKey('a', [...a]));
    assert.notEqual(messageKey('a', a), messageKey('a', a.slice(1)));
    assert.notEqual(messageKey('a', a), messageKey('b', a));
  });

  it('says what the message holds in its title, JSON and Slack blocks', () => {
    const a = noticesFor(owed, 'a');
    assert.equal(messageTitle(a), 'temporal-ops: 2 opened incidents');
    const body = webhookBody('sweep/run', 'key', a);
    assert.equal(body.notifications.length, 2);
    assert.equal(body.notifications[0]?.transition, 'opened');
    assert.equal(body.idempotencyKey, 'key');
    const slack = slackBody(a);
    assert.match(slack.text, /\[opened\] no-worker: default\/w1/);
    assert.equal(slack.blocks.length, 3);
  });

  it('counts what does not fit in Slack blocks', () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ ...noticesFor(owed, 'a')[0]!, key: `k${i}` }));
    const slack = slackBody(many);
    assert.ok(slack.blocks.length <= 50);
    assert.match(JSON.stringify(slack.blocks.at(-1)), /and 5 more/);
  });
});
