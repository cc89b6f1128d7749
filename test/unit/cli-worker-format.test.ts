import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, table } from '../../src/cli/commands/worker-format.js';

describe('worker output formatting', () => {
  const durations: [number | undefined, string][] = [
    [undefined, '-'],
    [850, '850ms'],
    [12_400, '12s'],
    [312_000, '5m12s'],
    [11_040_000, '3h04m'],
    [190_800_000, '2d05h'],
  ];
  for (const [ms, text] of durations)
    it(`${ms} ms reads ${text}`, () => assert.equal(formatDuration(ms), text));

  const sizes: [number, string][] = [
    [0, '-'],
    [512, '512 B'],
    [64_174_080, '61.2 MiB'],
    [1_073_741_824, '1.0 GiB'],
  ];
  for (const [bytes, text] of sizes)
    it(`${bytes} bytes read ${text}`, () => assert.equal(formatBytes(bytes), text));

  it('aligns table columns', () => {
    assert.equal(
      table(
        ['A', 'LONG'],
        [
          ['xyz', '1'],
          ['q', '22'],
        ],
      ),
      'A    LONG\nxyz  1\nq    22',
    );
  });
});
