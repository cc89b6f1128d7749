// Where the replay process keeps the host's network (no namespace), a Python that imported the SDK
// without the hook is found by the SDK's native bridge in its memory map, before it can connect,
// and the check stops it (/proc/<pid>/maps on Linux, `lsof` on the portable backend).
import { readFileSync } from 'node:fs';
import { groupMembers, processBackend } from '../records/proc.js';
import { parseHookLines } from './hook-output.js';

const mapsBridge = (pid: number) => processBackend().mapsLibrary(pid, 'temporal_sdk_bridge');

/** Watches one replay process group for members running the SDK without the hook. */
export class SdkWatch {
  private readonly hooked = new Set<number>();

  constructor(
    private readonly pgid: number,
    private readonly outputPath: string,
  ) {}

  /** Pids of the group that mapped the SDK's bridge but never said `hook-loaded`. */
  strays(): number[] {
    const unknown = groupMembers(this.pgid)
      .map((p) => p.pid)
      .filter((pid) => !this.hooked.has(pid) && mapsBridge(pid));
    if (unknown.length === 0) return [];
    // Read after the maps: a hooked process writes its line before it loads the SDK.
    const text = (() => {
      try {
        return readFileSync(this.outputPath, 'utf8');
      } catch {
        return '';
      }
    })();
    for (const line of parseHookLines(text)) if (line.kind === 'hook-loaded') this.hooked.add(line.pid);
    return unknown.filter((pid) => !this.hooked.has(pid));
  }
}
