// The histories file the replay hook reads while it is still being written: per history a JSON
// header line (`{"workflowId", "runId", "size"}`) and `size` bytes of encoded History, then
// `{"end": true}`. The hook waits at a frame that is not whole yet, so replay starts with the
// first history fetched, and the fetch of the others overlaps it.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { OpenHistory } from './histories.js';

export class HistoryStream {
  private readonly out: WriteStream;
  private failed: Error | undefined;

  private constructor(out: WriteStream) {
    this.out = out;
    out.on('error', (error) => (this.failed ??= error));
  }

  /** Creates (truncates) the file, so it exists before the hook looks for it. */
  static async create(path: string): Promise<HistoryStream> {
    const out = createWriteStream(path, { flags: 'w' });
    await once(out, 'open');
    return new HistoryStream(out);
  }

  /** Appends one history as a whole frame (writes are queued in order). */
  write(history: OpenHistory): void {
    const header = JSON.stringify({
      workflowId: history.workflowId,
      runId: history.runId,
      size: history.bytes.byteLength,
    });
    this.out.write(Buffer.concat([Buffer.from(`${header}\n`), history.bytes]));
  }

  /** Writes the end marker and waits until every frame is in the file. */
  async end(): Promise<void> {
    this.out.end(`${JSON.stringify({ end: true })}\n`);
    await this.closed();
  }

  /** Closes the file without the end marker (the hook is stopped by the caller). */
  async close(): Promise<void> {
    if (!this.out.closed) this.out.destroy();
    await this.closed().catch(() => undefined);
  }

  private async closed(): Promise<void> {
    if (!this.out.closed) await once(this.out, 'close');
    if (this.failed) throw this.failed;
  }
}
