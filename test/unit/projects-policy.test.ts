// The local policy as a pure table: loopback and remote defaults, registered and unregistered
// directories, free-form and shell commands.
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/config.js';
import { defaultRoots } from '../../src/host/projects/load-policy.js';
import {
  checkPolicy,
  checkSinkCommand,
  checkSinkUrl,
  isUnder,
  urlUnder,
  type CommandRequest,
  type Policy,
  type PolicyRequest,
  type PolicyRule,
} from '../../src/host/projects/policy.js';
import { addressHost, isLoopbackIp } from '../../src/temporal/address.js';

/** The policy for a server address; `localhost` stands for what it resolves to on most hosts (127.0.0.1). */
function policyFor(address: string, extra: Partial<Policy> = {}): Policy {
  const host = addressHost(address);
  const loopback = isLoopbackIp(host === 'localhost' ? '127.0.0.1' : host);
  return {
    file: '/state/policy.json',
    serverAddress: address,
    defaults: loopback ? 'loopback' : 'remote',
    allowedRoots: defaultRoots(loopback),
    allowFreeFormCommands: loopback,
    allowShell: false,
    envAllow: [],
    ...extra,
  };
}

const loopback = policyFor('127.0.0.1:7233');
const remote = policyFor('temporal.example.com:7233');
const shop = join(homedir(), 'code', 'shop');
const example = join(packageRoot, 'examples', 'orders');
const plain = (origin: CommandRequest['origin']): CommandRequest => ({
  field: 'workerCommand',
  command: 'uv run worker',
  origin,
});
const shell = (origin: CommandRequest['origin']): CommandRequest => ({
  field: 'workerCommand',
  command: 'cd src && uv run worker',
  origin,
});

describe('checkPolicy', () => {
  const cases: [string, Policy, PolicyRequest, PolicyRule | 'allowed', string?][] = [
    [
      'loopback: a directory under home runs',
      loopback,
      { projectDir: shop, commands: [plain('request')] },
      'allowed',
    ],
    [
      'loopback: the bundled example runs',
      loopback,
      { projectDir: example, commands: [plain('local')] },
      'allowed',
    ],
    [
      'loopback: the temp dir is not allowed unless configured',
      loopback,
      { projectDir: '/tmp/shop', commands: [plain('local')] },
      'allowedRoots',
      'projectDir',
    ],
    [
      'loopback: a configured root allows the temp dir',
      policyFor('localhost:7233', { allowedRoots: ['/tmp'] }),
      { projectDir: '/tmp/shop', commands: [plain('request')] },
      'allowed',
    ],
    [
      'loopback: a sibling with the root as prefix is not under it',
      policyFor('localhost', { allowedRoots: ['/srv/app'] }),
      { projectDir: '/srv/app2', commands: [plain('local')] },
      'allowedRoots',
    ],
    [
      'loopback: a registered directory outside the roots runs',
      loopback,
      { projectDir: '/srv/shop', registration: {}, commands: [plain('registration')] },
      'allowed',
    ],
    [
      'loopback: free-form shell syntax is refused by default',
      loopback,
      { projectDir: shop, commands: [shell('request')] },
      'allowShell',
      'workerCommand',
    ],
    [
      'loopback: allowShell in the policy lets it run',
      policyFor('[::1]:7233', { allowShell: true }),
      { projectDir: shop, commands: [shell('request')] },
      'allowed',
    ],
    [
      'a registration with allowShell lets its own shell command run',
      remote,
      { projectDir: '/srv/shop', registration: { allowShell: true }, commands: [shell('registration')] },
      'allowed',
    ],
    [
      'a registration without allowShell does not',
      remote,
      { projectDir: '/srv/shop', registration: {}, commands: [shell('registration')] },
      'allowShell',
    ],
    [
      'the local default command is the operator’s own setting: shell syntax allowed',
      remote,
      { projectDir: '/srv/shop', registration: {}, commands: [shell('local')] },
      'allowed',
    ],
    [
      'remote: an unregistered directory under home is refused',
      remote,
      { projectDir: shop, commands: [plain('local')] },
      'allowedRoots',
      'projectDir',
    ],
    [
      'remote: a registered directory runs its registered command',
      remote,
      { projectDir: '/srv/shop', registration: {}, commands: [plain('registration')] },
      'allowed',
    ],
    [
      'remote: a free-form worker command is refused',
      remote,
      { projectDir: '/srv/shop', registration: {}, commands: [plain('request')] },
      'allowFreeFormCommands',
      'workerCommand',
    ],
    [
      'remote: a free-form starter command is refused',
      remote,
      {
        projectDir: '/srv/shop',
        registration: {},
        commands: [
          plain('registration'),
          { field: 'start.command', command: 'python starter.py', origin: 'request' },
        ],
      },
      'allowFreeFormCommands',
      'start.command',
    ],
    [
      'remote: allowFreeFormCommands in the policy lets it run',
      policyFor('temporal.example.com:7233', { allowFreeFormCommands: true }),
      { projectDir: '/srv/shop', registration: {}, commands: [plain('request')] },
      'allowed',
    ],
    [
      'remote: allowedRoots in the policy opens a directory without registration',
      policyFor('10.0.0.5:7233', { allowedRoots: ['/srv'] }),
      { projectDir: '/srv/shop', commands: [plain('local')] },
      'allowed',
    ],
  ];
  for (const [title, policy, request, expected, field] of cases) {
    it(title, () => {
      const verdict = checkPolicy(policy, request);
      if (expected === 'allowed') {
        assert.deepEqual(verdict, { allowed: true });
        return;
      }
      assert.equal(verdict.allowed, false);
      if (verdict.allowed) return;
      assert.equal(verdict.rule, expected);
      if (field) assert.equal(verdict.field, field);
      assert.ok(verdict.message.includes(verdict.rule), verdict.message);
      assert.ok(verdict.message.includes(policy.file), verdict.message);
      assert.ok(verdict.message.includes(verdict.fix), verdict.message);
    });
  }

  it('names registration as the fix for an unregistered directory', () => {
    const verdict = checkPolicy(remote, { projectDir: '/srv/shop', commands: [plain('local')] });
    assert.equal(verdict.allowed, false);
    assert.match(!verdict.allowed ? verdict.fix : '', /temporal-ops project add \/srv\/shop/);
    assert.match(
      !verdict.allowed ? verdict.message : '',
      /the remote policy of this host \(server temporal\.example\.com:7233/,
    );
  });
});

describe('isUnder', () => {
  it('is true for the root itself and its descendants only', () => {
    assert.equal(isUnder('/srv/app', '/srv/app'), true);
    assert.equal(isUnder('/srv/app/x', '/srv/app'), true);
    assert.equal(isUnder('/srv/app2', '/srv/app'), false);
    assert.equal(isUnder('/anything', '/'), true);
  });
});

describe('notification commands', () => {
  const cases: [string, Policy, string, PolicyRule | undefined][] = [
    ['a plain command on a loopback server runs', loopback, 'cmd:notify-send', undefined],
    ['shell syntax needs allowShell', loopback, 'cmd:notify-send "$X" | logger', 'allowShell'],
    [
      'shell syntax runs where the policy allows it',
      policyFor('127.0.0.1:7233', { allowShell: true }),
      'cmd:a | b',
      undefined,
    ],
    ['a remote server refuses free-form commands', remote, 'cmd:notify-send', 'allowFreeFormCommands'],
    [
      'unless its policy file allows them',
      policyFor('t.example.com:7233', { allowFreeFormCommands: true }),
      'cmd:x',
      undefined,
    ],
  ];
  for (const [title, policy, value, rule] of cases)
    it(title, () => {
      const verdict = checkSinkCommand(policy, 'notify', value);
      assert.equal(verdict.allowed ? undefined : verdict.rule, rule);
      if (!verdict.allowed) {
        assert.equal(verdict.value, value, 'the refusal names the value as given');
        assert.ok(verdict.message.includes(JSON.stringify(value)), verdict.message);
      }
    });
});

describe('notification URLs', () => {
  const listed = policyFor('t.example.com:7233', {
    notifyUrls: ['https://hooks.slack.com/services/', 'http://alerts.internal:8080/hook'],
  });
  const cases: [string, Policy, string, PolicyRule | undefined][] = [
    ['a loopback server posts anywhere', loopback, 'http://127.0.0.1:9/x', undefined],
    [
      'a remote server posts nowhere by default',
      { ...remote, notifyUrls: [] },
      'https://hooks.slack.com/services/T/B/s',
      'notifyUrls',
    ],
    [
      'unless notifyUrls holds its origin and path',
      listed,
      'https://hooks.slack.com/services/T/B/secret',
      undefined,
    ],
    ['the path is a prefix by whole segments', listed, 'http://alerts.internal:8080/hook/team', undefined],
    ['not by characters', listed, 'http://alerts.internal:8080/hooks', 'notifyUrls'],
    ['another path of an allowed host', listed, 'https://hooks.slack.com/other', 'notifyUrls'],
    [
      'a host that only begins like an allowed one',
      listed,
      'https://hooks.slack.com.evil.example/services/x',
      'notifyUrls',
    ],
    ['another scheme', listed, 'http://hooks.slack.com/services/x', 'notifyUrls'],
    ['another port', listed, 'http://alerts.internal:8081/hook', 'notifyUrls'],
    ['credentials in the URL', listed, 'https://user:pw@hooks.slack.com/services/x', 'notifyUrls'],
    ['a dot segment out of the prefix', listed, 'https://hooks.slack.com/services/../admin', 'notifyUrls'],
  ];
  for (const [title, policy, url, rule] of cases)
    it(title, () => {
      const verdict = checkSinkUrl(policy, 'notify', url, 'webhook:host');
      assert.equal(verdict.allowed ? undefined : verdict.rule, rule);
      if (!verdict.allowed) {
        assert.equal(verdict.value, 'webhook:host', 'the refusal names the label, not the URL');
        assert.ok(!verdict.message.includes(url), verdict.message);
        assert.match(verdict.message, /notifyUrls/);
      }
    });

  it('compares parsed URLs, and an unparsable one matches nothing', () => {
    assert.equal(urlUnder('HTTPS://Hooks.Slack.com/services/x', 'https://hooks.slack.com/services'), true);
    assert.equal(
      urlUnder('https://hooks.slack.com:443/services/x', 'https://hooks.slack.com/services/'),
      true,
    );
    assert.equal(urlUnder('not a url', 'https://hooks.slack.com/'), false);
    assert.equal(urlUnder('https://hooks.slack.com/x', 'nope'), false);
  });
});
