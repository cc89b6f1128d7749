// The portable backend: `ps` for identity, group, tree and usage, `lsof` for a working directory,
// mapped libraries and who holds a spawn token's file open. It reads no other process's
// environment (macOS forbids it), and runs unchanged on macOS and on Linux (procps).
import { execFileSync } from 'node:child_process';
import { basename, dirname } from 'node:path';
import type { ProcInfo, ProcessBackend } from './process-backend.js';
import { lsofNames, lsofPids, parsePsOutput, PS_COLUMNS, type PsRow } from './ps-output.js';

const C_LOCALE = { ...process.env, LC_ALL: 'C', LANG: 'C' };

/** Runs a listing tool; "nothing matched" (exit 1, or lsof's warnings) reads as its partial output. */
function run(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', env: C_LOCALE, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    const failed = error as { status?: number | null; stdout?: string };
    if (typeof failed.status === 'number') return failed.stdout ?? '';
    throw error;
  }
}

function infoOf(row: PsRow): ProcInfo | undefined {
  if (row.stat.startsWith('Z')) return undefined;
  return {
    pid: row.pid,
    ppid: row.ppid,
    pgid: row.pgid,
    // Ticks since the epoch: the same unit as /proc's ticks, at lstart's one-second resolution.
    startTime: String(row.startSec * 100),
    state: row.stat.slice(0, 1),
    cmdline: row.command.split(/\s+/).filter((word) => word !== ''),
    rssBytes: row.rssBytes,
    cpuTicks: row.cpuCentis,
  };
}

function ps(selection: string[]): ProcInfo[] {
  return parsePsOutput(run('ps', ['-ww', '-o', PS_COLUMNS, ...selection])).flatMap(
    (row) => infoOf(row) ?? [],
  );
}

function readMany(pids: number[]): ProcInfo[] {
  return pids.length === 0 ? [] : ps(['-p', pids.join(',')]);
}

function readProc(pid: number): ProcInfo | undefined {
  return readMany([pid]).find((p) => p.pid === pid);
}

/** Names of the files a process holds open or mapped (`lsof -F n`). */
function openFiles(pid: number, only: string[] = []): string[] {
  return lsofNames(run('lsof', ['-w', '-n', '-P', '-a', '-p', String(pid), ...only, '-F', 'n']));
}

let cachedBootId: string | undefined;

export const portableBackend: ProcessBackend = {
  name: 'portable',
  readProc,
  listProcesses: () => ps(['-A']),
  readCwd: (pid) => openFiles(pid, ['-d', 'cwd'])[0],
  // Start times here are wall-clock, so they never repeat across a reboot; pid 1's start time
  // still tells boots apart where we can see it.
  bootId() {
    cachedBootId ??= `ps:${readProc(1)?.startTime ?? 'unknown'}`;
    return cachedBootId;
  },
  bootTimeMs: () => 0,
  processesWithToken(_token, tokenFile) {
    return readMany(lsofPids(run('lsof', ['-w', '-t', '--', tokenFile])));
  },
  tokenOfProcess(pid, tokenDir) {
    const held = openFiles(pid).find((name) => dirname(name) === tokenDir);
    return held === undefined ? undefined : basename(held);
  },
  mapsLibrary: (pid, fragment) => openFiles(pid).some((name) => name.includes(fragment)),
  // Where other users' processes are hidden (Linux hidepid), root's pid 1 is hidden too.
  hidesOtherUsers: () => readProc(1) === undefined,
};
