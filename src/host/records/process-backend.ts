// The platform layer's contract: every fact about a process that the host reads goes through one
// of two backends, Linux /proc or the portable one built on `ps` and `lsof` (macOS, or forced).
import type { ProcessBackendName } from '../../config.js';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /**
   * Start time in clock ticks (1/100 s): since boot on /proc (field 22 of /proc/<pid>/stat), since
   * the epoch on the portable backend (whole seconds). Unique per pid lifetime on one backend.
   */
  startTime: string;
  /** One-letter state; 'Z' is a zombie (exited, not yet reaped). */
  state: string;
  cmdline: string[];
  rssBytes: number;
  /** user + system CPU time in clock ticks. */
  cpuTicks: number;
}

/** What each backend answers; missing or unreadable processes read as undefined or empty. */
export interface ProcessBackend {
  readonly name: ProcessBackendName;
  /** Facts of a live process (zombies count as gone). */
  readProc(pid: number): ProcInfo | undefined;
  /** Every live process we can see. */
  listProcesses(): ProcInfo[];
  readCwd(pid: number): string | undefined;
  /** Changes when the machine reboots: a record from another boot names nothing alive. */
  bootId(): string;
  /** Epoch milliseconds at tick 0 of `startTime`. */
  bootTimeMs(): number;
  /** Live processes that carry `token`: in their environment (/proc), or holding `tokenFile` open (portable). */
  processesWithToken(token: string, tokenFile: string): ProcInfo[];
  /** The token a process carries: from its environment (/proc), or the file it holds open under `tokenDir` (portable). */
  tokenOfProcess(pid: number, tokenDir: string): string | undefined;
  /** True when the process mapped a library whose path contains `fragment`. */
  mapsLibrary(pid: number, fragment: string): boolean;
  /** True when other users' processes are hidden from us: a pid we cannot see may still run. */
  hidesOtherUsers(): boolean;
}
