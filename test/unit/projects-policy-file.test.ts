// Resolving the policy: defaults by server address, then policy.json, then flags; bad files name the field.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { policyFromEnv } from '../../src/config.js';
import { InvalidInputError } from '../../src/errors.js';
import {
  defaultRoots,
  loadPolicy,
  policyPath,
  writePolicyFile,
} from '../../src/host/projects/load-policy.js';

let root: string;

before(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'projects-policy-')));
  await mkdir(join(root, 'real-root'));
  await symlink(join(root, 'real-root'), join(root, 'linked-root'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadPolicy', () => {
  it('opens home and the example on loopback, nothing but registrations elsewhere', async () => {
    const state = join(root, 'empty');
    const local = await loadPolicy(state, {}, '127.0.0.1:7233');
    assert.equal(local.defaults, 'loopback');
    assert.deepEqual(local.allowedRoots, await Promise.all(defaultRoots(true).map((r) => realpath(r))));
    assert.ok(local.allowedRoots.includes(await realpath(homedir())));
    assert.ok(!local.allowedRoots.some((r) => r === tmpdir() || r === '/tmp'));
    assert.equal(local.allowFreeFormCommands, true);
    assert.equal(local.allowShell, false);
    const remote = await loadPolicy(state, {}, 'temporal.example.com:7233');
    assert.deepEqual(
      [remote.defaults, remote.allowedRoots, remote.allowFreeFormCommands, remote.allowShell],
      ['remote', [], false, false],
    );
    assert.equal((await loadPolicy(state)).defaults, 'loopback', 'no address means the local dev server');
    assert.equal(local.notifyUrls, undefined, 'a loopback server posts anywhere');
    assert.deepEqual(remote.notifyUrls, [], 'any other, nowhere but where the file says');
  });

  it('takes notifyUrls from the file, and names a value that is not an http(s) URL', async () => {
    const state = join(root, 'urls');
    await writePolicyFile(state, { notifyUrls: ['https://hooks.slack.com/services/'] });
    assert.deepEqual((await loadPolicy(state, {}, 'x.example.com:7233')).notifyUrls, [
      'https://hooks.slack.com/services/',
    ]);
    assert.deepEqual((await loadPolicy(state, {}, '127.0.0.1:7233')).notifyUrls, [
      'https://hooks.slack.com/services/',
    ]);
    for (const [value, expected] of [
      ['ftp://x/', /an http\(s\) URL/],
      ['https://user:secret@hooks.slack.com/services/', /without credentials/],
    ] as const) {
      await writeFile(policyPath(state), JSON.stringify({ notifyUrls: [value] }));
      await assert.rejects(loadPolicy(state, {}, 'localhost'), (error: unknown) => {
        assert.ok(error instanceof InvalidInputError);
        assert.match(error.field, /notifyUrls/);
        assert.match(error.message, expected);
        return true;
      });
    }
  });

  it('takes the file over the defaults and flags over the file; roots become real paths', async () => {
    const state = join(root, 'configured');
    await writePolicyFile(state, { allowedRoots: [join(root, 'linked-root')], allowShell: true });
    const fromFile = await loadPolicy(state, {}, 'temporal.example.com:7233');
    assert.deepEqual(fromFile.allowedRoots, [join(root, 'real-root')]);
    assert.equal(fromFile.allowShell, true);
    assert.equal(fromFile.allowFreeFormCommands, false);
    assert.equal(fromFile.file, policyPath(state));
    const flagged = await loadPolicy(state, { allowShell: false, allowFreeFormCommands: true }, 'x:7233');
    assert.deepEqual([flagged.allowShell, flagged.allowFreeFormCommands], [false, true]);
  });

  it('names the file and field of a bad policy file', async () => {
    const state = join(root, 'bad');
    await mkdir(state);
    await writeFile(policyPath(state), JSON.stringify({ allowShell: 'yes' }));
    await assert.rejects(loadPolicy(state, {}, 'localhost'), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.equal(error.field, `${policyPath(state)}.allowShell`);
      return true;
    });
    await writeFile(policyPath(state), JSON.stringify({ allowedRoot: ['/srv'] }));
    await assert.rejects(
      loadPolicy(state, {}, 'localhost'),
      /policy\.json: expected \{ allowedRoots\?.*\(Unrecognized key: "allowedRoot"\)/,
    );
    await writeFile(policyPath(state), JSON.stringify({ allowedRoots: ['srv'] }));
    await assert.rejects(
      loadPolicy(state, {}, 'localhost'),
      /allowedRoots: expected an absolute directory path/,
    );
  });

  it('reads overrides from the environment', () => {
    assert.deepEqual(
      policyFromEnv({
        TEMPORAL_OPS_ALLOWED_ROOTS: '/a:/b',
        TEMPORAL_OPS_ALLOW_FREE_FORM: '0',
        TEMPORAL_OPS_ALLOW_SHELL: 'true',
      }),
      { allowedRoots: ['/a', '/b'], allowFreeFormCommands: false, allowShell: true },
    );
    assert.deepEqual(policyFromEnv({}), {});
    assert.throws(() => policyFromEnv({ TEMPORAL_OPS_ALLOW_SHELL: 'maybe' }), /TEMPORAL_OPS_ALLOW_SHELL/);
  });
});
