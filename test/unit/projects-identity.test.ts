// A project is its directory: real paths decide, names are labels, a held name is refused.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { canonicalDir, claimProject } from '../../src/projects/identity.js';
import { registryPath } from '../../src/projects/registry-store.js';
import { resolveProjectKey } from '../../src/projects/registry.js';

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

  it('refuses a default name that is another directory’s key, naming field, value and directory', async () => {
    await assert.rejects(claim(join(root, 'b', 'shop')), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.equal(error.field, 'project (default: basename of projectDir)');
      assert.equal(error.value, 'shop');
      assert.ok(error.message.includes(join(root, 'a', 'shop')), error.message);
      return true;
    });
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

  it('sanitises a default basename but refuses an explicit name that is not its own sanitised form', async () => {
    await assert.rejects(claim(join(root, 'etc'), '../../etc'), /project: expected a project key/);
    await assert.rejects(claim(join(root, 'etc'), 'my shop'), /project: expected a project key/);
  });
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
