import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { processBackendFromEnv } from '../../src/config.js';
import {
  lsofNames,
  lsofPids,
  parseCpuTime,
  parsePsLine,
  parsePsOutput,
} from '../../src/host/records/ps-output.js';

// Recorded with `LC_ALL=C ps -ww -o pid=,ppid=,pgid=,stat=,rss=,time=,pcpu=,lstart=,command= -A`.
const procps = [
  '    1     0     0 S<Ll 15496 00:02:55  0.5 Fri Dec  4 13:54:30 2026 /process_api --firecracker-init --addr 0.0.0.0:2024',
  '    2     0     0 S        0 00:00:00  0.0 Fri Dec  4 13:54:30 2026 [kthreadd]',
  ' 3250  3170  3170 Sl   66704 00:00:00  1.2 Fri Dec  4 23:14:03 2026 npm exec tsc -p .',
  ' 3338  3337  3170 Rl   709380 1-02:03:04 39.8 Fri Dec  4 23:14:04 2026 node /work/wt/x/node_modules/.bin/tsc -p .',
  '29010 29005 29010 Ss    4000 00:00:00  0.0 Fri Dec  4 22:30:24 2026 bash /dev/fd/3',
  '31002 29010 29010 Z        0 00:00:00  0.0 Fri Dec  4 22:31:00 2026 [python3] <defunct>',
  '',
].join('\n');

// The same columns from macOS's BSD ps: CPU time as [MM:]SS.hh, right-aligned pids.
const macos = [
  '    1     0     1 Ss    13552   2:31.42   0.0 Mon Dec  1 09:12:03 2026 /sbin/launchd',
  '  512     1   512 Ss     9840   0:00.71   0.1 Mon Dec  1 09:12:14 2026 /usr/libexec/logd',
  ' 4321  4300  4321 S     52344   0:01.05   2.3 Fri Dec  4 22:30:26 2026 /Users/dev/app/.venv/bin/python worker.py --queue orders',
  ' 4322  4321  4321 Z         0   0:00.00   0.0 Fri Dec  4 22:30:27 2026 (python3.12)',
  ' 4400     1  4400 Ss    81200  62:03.45  12.5 Fri Dec  4 21:00:00 2026 uv run worker',
  '',
].join('\n');

const epoch = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;

describe('ps output', () => {
  it('reads every procps row: ids, state, KiB as bytes, [DD-]HH:MM:SS as hundredths, lstart, the command', () => {
    const rows = parsePsOutput(procps, epoch(2026, 12, 4, 23, 14, 14));
    assert.deepEqual(
      rows.map((r) => [r.pid, r.ppid, r.pgid, r.stat]),
      [
        [1, 0, 0, 'S<Ll'],
        [2, 0, 0, 'S'],
        [3250, 3170, 3170, 'Sl'],
        [3338, 3337, 3170, 'Rl'],
        [29010, 29005, 29010, 'Ss'],
        [31002, 29010, 29010, 'Z'],
      ],
    );
    assert.equal(rows[0]!.rssBytes, 15496 * 1024);
    assert.equal(rows[3]!.cpuCentis, (86_400 + 2 * 3600 + 3 * 60 + 4) * 100);
    assert.equal(rows[2]!.startSec, epoch(2026, 12, 4, 23, 14, 3));
    assert.equal(rows[2]!.command, 'npm exec tsc -p .');
    assert.equal(rows[1]!.command, '[kthreadd]');
  });

  it('reads every macOS row the same way, with BSD CPU times', () => {
    const rows = parsePsOutput(macos, epoch(2026, 12, 4, 22, 31, 0));
    assert.deepEqual(
      rows.map((r) => [r.pid, r.ppid, r.pgid, r.stat, r.cpuCentis]),
      [
        [1, 0, 1, 'Ss', 15142],
        [512, 1, 512, 'Ss', 71],
        [4321, 4300, 4321, 'S', 105],
        [4322, 4321, 4321, 'Z', 0],
        [4400, 1, 4400, 'Ss', 372345],
      ],
    );
    assert.equal(rows[2]!.startSec, epoch(2026, 12, 4, 22, 30, 26));
    assert.equal(rows[2]!.rssBytes, 52344 * 1024);
    assert.equal(rows[2]!.command, '/Users/dev/app/.venv/bin/python worker.py --queue orders');
  });

  it('refines whole procps CPU seconds from pcpu within that second, never past it', () => {
    const now = epoch(2026, 12, 4, 22, 30, 30);
    const at = (time: string, pcpu: string) =>
      parsePsLine(` 7 1 7 S 10 ${time} ${pcpu} Fri Dec  4 22:30:26 2026 python w.py`, now)?.cpuCentis;
    assert.equal(at('00:00:00', '20.0'), 80, '20 % of 4 s');
    assert.equal(at('00:00:00', '0.0'), 0);
    assert.equal(at('00:00:01', '10.0'), 100, 'never below what ps printed');
    assert.equal(at('00:00:00', '90.0'), 99, 'never a whole second past it');
    assert.equal(at('0:00.40', '90.0'), 40, 'BSD hundredths are taken as printed');
  });

  it('keeps the spacing inside a command and accepts a process without one', () => {
    const row = parsePsLine(' 7 1 7 S 10 00:00:01 0.0 Fri Dec  4 22:30:26 2026 python -c "a  b"');
    assert.equal(row?.command, 'python -c "a  b"');
    assert.equal(parsePsLine(' 8 1 8 S 10 0:00.01 0.0 Fri Dec  4 22:30:26 2026')?.command, '');
  });

  it('skips what is not a row: headers, a localised date, a broken CPU time', () => {
    assert.equal(parsePsLine('  PID  PPID  PGID STAT   RSS     TIME %CPU STARTED COMMAND'), undefined);
    assert.equal(parsePsLine(' 9 1 9 S 10 00:00:01 0.0 ven. déc.  4 22:30:26 2026 x'), undefined);
    assert.equal(parsePsLine(' 9 1 9 S 10 1:xx 0.0 Fri Dec  4 22:30:26 2026 x'), undefined);
    assert.ok(Number.isNaN(parseCpuTime('a-01:02')));
  });

  it('reads lsof names and pids', () => {
    assert.deepEqual(lsofNames('p4321\nfcwd\nn/Users/dev/app\n'), ['/Users/dev/app']);
    assert.deepEqual(lsofPids('4321\n4400\n'), [4321, 4400]);
  });
});

describe('choosing the process backend', () => {
  it('defaults to /proc on Linux and to the portable backend on macOS', () => {
    assert.equal(processBackendFromEnv({}, 'linux'), 'proc');
    assert.equal(processBackendFromEnv({}, 'darwin'), 'portable');
    assert.equal(processBackendFromEnv({ TEMPORAL_OPS_PROCESS_BACKEND: 'portable' }, 'linux'), 'portable');
  });

  it('refuses anything else, naming the variable and the value', () => {
    for (const [value, platform] of [
      ['ps', 'linux'],
      ['Portable', 'linux'],
      ['proc', 'darwin'],
    ] as const) {
      assert.throws(
        () => processBackendFromEnv({ TEMPORAL_OPS_PROCESS_BACKEND: value }, platform),
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.field === 'TEMPORAL_OPS_PROCESS_BACKEND' &&
          error.value === value,
      );
    }
  });
});
