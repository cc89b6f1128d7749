// The JSON Schemas the README links (docs/schemas/) are the ones `temporal-ops schema` prints now.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/config.js';
import { RECIPE_NAMES, recipeInputJsonSchema } from '../../src/contract/schemas.js';

describe('docs/schemas', () => {
  for (const name of RECIPE_NAMES)
    it(`${name}.schema.json matches the declared input (regenerate: temporal-ops schema ${name})`, () => {
      const committed = JSON.parse(
        readFileSync(join(packageRoot, 'docs', 'schemas', `${name}.schema.json`), 'utf8'),
      );
      assert.deepEqual(committed, recipeInputJsonSchema(name));
    });
});
