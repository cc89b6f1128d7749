// Spawning a long-lived target worker we own: detached in its own process group, output
// appended to its log file, identity recorded before anyone can ask about it.
import { closeSync, openSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { inheritedEnv } from '../projects/env-policy.js';
import { resolveCommand } from '../projects/executable.js';
import { sectionHeader } from '../logs/logs.js';
import type { PidRecord } from '../records/pid-file.js';
import { bootId, readProc } from '../records/proc.js';
import { SpawnFailedError } from '../../errors.js';

export interface SpawnRequest {
  command: string;
  cwd: string;
  /** On top of what the process inherits from ours (our environment without connection secrets). */
  env: Record<string, string>;
  /** Connection secrets the project asked for by name: they are inherited too. */
  passEnv?: readonly string[];
  logPath: string;
  /** Open a labelled section of the log with a "starting" line (default true; off for output that is parsed). */
  header?: boolean;
  /** A spawn token's file (records/spawn-token.ts), inherited as descriptor 3 by the process and its descendants. */
  tokenFile?: string;
  /** `pipe` keeps a pipe to its stdin (Spawned.stdin); it reads end of input once we are gone. */
  stdin?: 'ignore' | 'pipe';
}

export interface Spawned {
  pid: number;
  pgid: number;
  startTime: string;
  cmdline: string[];
  /** Where its section of the log starts (with `header`). */
  logSection?: { id: string; offset: number };
  /** Resolves when the process exits, with its code or signal; never rejects. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Its stdin, with SpawnRequest.stdin `pipe`. */
  stdin?: Writable;
}

/** Starts the command and resolves once exec succeeded, with the facts that identify it. */
export async function spawnDetached(request: SpawnRequest): Promise<Spawned> {
  const parsed = resolveCommand(request.command, request.cwd, request.env.PATH ?? process.env.PATH);
  await mkdir(dirname(request.logPath), { recursive: true });
  const log = await open(request.logPath, 'a');
  let logSection: Spawned['logSection'];
  if (request.header !== false) {
    // The header goes on a line of its own: it starts one byte past the current end.
    const id = nanoid(10);
    logSection = { id, offset: (await log.stat()).size + 1 };
    await log.write(`\n${sectionHeader(request.command, request.cwd, id)}\n`);
  }
  // Held only by the processes that inherit it from this spawn: ours is closed as soon as the child
  // has its copy (execa forks synchronously), so this process never looks like it carries the token.
  let tokenFd = request.tokenFile === undefined ? undefined : openSync(request.tokenFile, 'a', 0o600);
  const closeTokenFd = () => {
    if (tokenFd !== undefined) closeSync(tokenFd);
    tokenFd = undefined;
  };
  try {
    const child = execa(parsed.file, parsed.args, {
      cwd: request.cwd,
      // Never our whole environment: our connection secrets stay ours unless the project names them.
      env: { ...inheritedEnv(process.env, request.passEnv), ...request.env },
      extendEnv: false,
      shell: parsed.shell,
      detached: true,
      cleanup: false,
      // A raw descriptor is inherited by the child, so its output reaches the log even after we exit
      // (execa's types only admit literal descriptor numbers).
      stdio: [
        request.stdin ?? 'ignore',
        log.fd as 1,
        log.fd as 2,
        ...(tokenFd === undefined ? [] : [tokenFd as 2]),
      ],
      reject: false,
      buffer: false,
    });
    closeTokenFd();
    const exited = child.then(
      (result) => ({ code: result.exitCode ?? null, signal: result.signal ?? null }),
      () => ({ code: null, signal: null }),
    );
    // Some failures (E2BIG from a huge argument or env value) fire neither 'spawn' nor 'error':
    // only the result tells, with `pid` never set. Race all three so a failed spawn fails at once.
    await new Promise<void>((resolve, reject) => {
      const fail = (code: string | undefined, message: string) =>
        reject(
          new SpawnFailedError(
            request.command,
            code ?? 'ESPAWN',
            `cannot start "${request.command}" (cwd ${request.cwd}): ${message}`,
          ),
        );
      child.once('spawn', () => resolve());
      child.once('error', (error: NodeJS.ErrnoException) => fail(error.code, error.message));
      void child.then((result) => {
        if (child.pid === undefined)
          fail(result.code, result.originalMessage ?? result.message ?? 'spawn failed');
        else resolve();
      });
    });
    const pid = child.pid;
    if (pid === undefined)
      throw new SpawnFailedError(request.command, 'ENOPID', `cannot start "${request.command}"`);
    const info = readProc(pid);
    if (!info) {
      // Still ref'd: its exit event keeps a process with nothing else to do alive until it arrives.
      const exit = await exited;
      throw new SpawnFailedError(
        request.command,
        'EEXITED',
        `"${request.command}" exited at once (code ${exit.code}, signal ${exit.signal})`,
        { pid, ...exit },
      );
    }
    child.unref();
    // An unref'd pipe: a waiting child keeps neither it nor us alive.
    const stdin = child.stdin ?? undefined;
    if (stdin instanceof Socket) stdin.unref();
    stdin?.on('error', () => undefined);
    return {
      pid,
      pgid: pid,
      startTime: info.startTime,
      cmdline: info.cmdline,
      ...(logSection ? { logSection } : {}),
      exited,
      ...(stdin ? { stdin } : {}),
    };
  } finally {
    closeTokenFd();
    await log.close();
  }
}

/** The record fields that come from a spawn. */
export function identityOf(
  spawned: Spawned,
): Pick<PidRecord, 'pid' | 'pgid' | 'startTime' | 'bootId' | 'cmdline' | 'logSection'> {
  return {
    pid: spawned.pid,
    pgid: spawned.pgid,
    startTime: spawned.startTime,
    bootId: bootId(),
    cmdline: spawned.cmdline,
    ...(spawned.logSection ? { logSection: spawned.logSection } : {}),
  };
}
