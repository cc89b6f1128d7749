// A project is its directory: real paths decide, names are labels, a held name is refused.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { canonicalDir, chooseKey, claimProject } from '../../src/host/projects/identity.js';
import { keyForDir } from '../../src/host/projects/key.js';
import { readRegistry, registryPath, type ProjectEntry } from '../../src/host/projects/registry-store.js';
import { resolveProjectKey } from '../../src/host/projects/registry.js';

let root: string;
let stateDir: string;

/** The directory's entry the way prepareProject finds it: canonical path first, then the claim. */
async function claim(dir: string, name?: string) {
  return claimProject(stateDir, await canonicalDir(dir), name);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'projects-identity-'));
  stateDir = join(root, 'state');
  for (const dir of ['a/shop', 'b/shop', 'c/my shop', 'etc'])
    await mkdir(join(root, dir), { recursive: true });
  await symlink(join(root, 'a', 'shop'), join(root, 'shop-link'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('project identity', () => {
  it('gives a symlinked path and a `..` path of one directory the same key', async () => {
    const direct = await claim(join(root, 'a', 'shop'));
    const viaLink = await claim(join(root, 'shop-link'));
    const viaDots = await claim(join(root, 'b', '..', 'a', 'shop'));
    assert.equal(direct.key, 'shop');
    assert.equal(viaLink.key, 'shop');
    assert.equal(viaDots.key, 'shop');
    assert.equal(viaLink.projectDir, direct.projectDir);
  });

  it('keeps one key for one directory under two names', async () => {
    const first = await claim(join(root, 'c', 'my shop'), 'storefront');
    const second = await claim(join(root, 'c', 'my shop'), 'checkout');
    assert.equal(first.key, 'storefront');
    assert.equal(second.key, 'storefront');
    const { projects } = JSON.parse(await readFile(registryPath(stateDir), 'utf8')) as {
      projects: unknown[];
    };
    assert.equal(projects.length, 2, 'a/shop and c/my shop, nothing else');
  });

  it('gives a second directory whose default name is held a variant unique to its path', async () => {
    const second = await claim(join(root, 'b', 'shop'));
    assert.equal(second.key, keyForDir('shop', join(root, 'b', 'shop')));
    assert.match(second.key, /^shop-[0-9a-f]{6}$/);
    assert.equal((await claim(join(root, 'b', 'shop'))).key, second.key, 'and keeps it');
    assert.equal((await claim(join(root, 'a', 'shop'))).key, 'shop', 'the first keeps its own');
  });

  it('refuses an explicit name that is another directory’s key', async () => {
    await assert.rejects(
      claim(join(root, 'b', 'shop'), 'storefront'),
      /project: expected a name that is not already another directory's project \("storefront" is .*my shop\)/,
    );
  });

  it('refuses a name that another directory holds even for a directory that has its own key', async () => {
    await assert.rejects(claim(join(root, 'a', 'shop'), 'storefront'), InvalidInputError);
  });

  it('lets a new directory take a name whose directory is gone, and forgets the stale entry', async () => {
    const gone = join(root, 'gone', 'orders');
    await mkdir(gone, { recursive: true });
    assert.equal((await claim(gone, 'orders')).key, 'orders');
    await rm(join(root, 'gone'), { recursive: true });
    const newcomer = join(root, 'new', 'orders');
    await mkdir(newcomer, { recursive: true });
    assert.equal((await claim(newcomer)).key, 'orders');
    const holders = (await readRegistry(stateDir)).filter((e) => e.key === 'orders');
    assert.deepEqual(
      holders.map((e) => e.projectDir),
      [await canonicalDir(newcomer)],
    );
  });

  it('sanitises a default basename but refuses an explicit name that is not its own sanitised form', async () => {
    await assert.rejects(claim(join(root, 'etc'), '../../etc'), /project: expected a project key/);
    await assert.rejects(claim(join(root, 'etc'), 'my shop'), /project: expected a project key/);
  });
});

describe('choosing a key (the registry rules)', () => {
  const entry = (key: string, projectDir: string, source: ProjectEntry['source'] = 'seen'): ProjectEntry => ({
    key,
    projectDir,
    source,
    addedAt: '2026-01-01T00:00:00.000Z',
  });
  const exists = (live: string[]) => (dir: string) => live.includes(dir);

  const table: [string, ProjectEntry[], string[], string | undefined, string | RegExp][] = [
    ['a new directory gets its basename', [], [], undefined, 'orders'],
    [
      'a known directory keeps its key, whatever name is asked',
      [entry('shop-1', '/x/orders')],
      ['/x/orders'],
      'other',
      'shop-1',
    ],
    [
      'a seen directory that exists does not block a default name: a variant',
      [entry('orders', '/other/orders')],
      ['/other/orders'],
      undefined,
      keyForDir('orders', '/x/orders'),
    ],
    [
      'a registered directory that exists does not block a default name either',
      [entry('orders', '/other/orders', 'registered')],
      ['/other/orders'],
      undefined,
      keyForDir('orders', '/x/orders'),
    ],
    ['a gone directory blocks no default name', [entry('orders', '/gone/orders')], [], undefined, 'orders'],
    [
      'a gone directory blocks no explicit name',
      [entry('shop', '/gone/shop', 'registered')],
      [],
      'shop',
      'shop',
    ],
    [
      'an explicit name another existing directory holds is refused, naming it',
      [entry('shop', '/other/shop')],
      ['/other/shop'],
      'shop',
      /project: expected a name that is not already another directory's project \("shop" is \/other\/shop\); give this directory its own name \(--project/,
    ],
  ];
  for (const [title, entries, live, name, expected] of table) {
    it(title, () => {
      const choose = () => chooseKey(entries, '/x/orders', name, exists(live));
      if (typeof expected === 'string') assert.equal(choose(), expected);
      else
        assert.throws(
          choose,
          (error: unknown) => error instanceof InvalidInputError && expected.test(error.message),
        );
    });
  }
});

describe('resolveProjectKey', () => {
  it('refuses `../../etc` instead of turning it into `etc`', async () => {
    await assert.rejects(resolveProjectKey(stateDir, '../../etc'), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.equal(error.field, 'project');
      assert.equal(error.value, '../../etc');
      return true;
    });
  });

  it('accepts a name that is already a key, and maps a known directory (any spelling) to its key', async () => {
    assert.equal(await resolveProjectKey(stateDir, 'shop'), 'shop');
    assert.equal(await resolveProjectKey(stateDir, join(root, 'shop-link')), 'shop');
    assert.equal(await resolveProjectKey(stateDir, join(root, 'c', 'my shop')), 'storefront');
  });

  it('refuses a directory this host does not know', async () => {
    await assert.rejects(
      resolveProjectKey(stateDir, join(root, 'etc')),
      /a project directory this host knows/,
    );
  });
});
