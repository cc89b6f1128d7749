// MCP progress for one tool call: a notification at every step boundary and, between them, a
// heartbeat at least every few seconds, so a client that resets its timeout on progress keeps waiting.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js';

/** The longest gap between two progress notifications of a call that asked for progress. */
const PROGRESS_INTERVAL_MS = 2000;

const NOTIFICATION_GAP_MS = 30;

/** What a tool handler gets from the SDK, as far as progress goes. */
export interface ProgressExtra {
  _meta?: { progressToken?: string | number };
  /** Aborted when the client cancelled the call: nothing more is sent for it. */
  signal?: AbortSignal;
  sendNotification(notification: ServerNotification): Promise<void>;
}

/** Where a call stands: `done` of `total` units (steps, or lines), what it does now, and what just finished. */
export interface ProgressState {
  done: number;
  total?: number;
  /** Names the current step. */
  current: string;
  /** The step (or line) that just finished, shown once. */
  finished?: string;
}

/**
 * Sends progress for one call. The spec wants `progress` to increase with every notification: a
 * heartbeat within a step adds a fraction that grows towards the next whole step but never reaches it.
 */
export class ProgressReporter {
  private readonly token: string | number | undefined;
  private readonly sent: Promise<void>[] = [];
  private state: ProgressState = { done: 0, current: 'starting' };
  private base = 0;
  private ticks = 0;
  private since = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly extra: ProgressExtra,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {
    this.token = extra._meta?.progressToken;
    if (this.token === undefined) return;
    this.timer = setInterval(() => this.heartbeat(), intervalMs).unref();
    extra.signal?.addEventListener('abort', () => clearInterval(this.timer), { once: true });
  }

  /** Reports a new state; sends it when the step count or the message changed. */
  update(state: ProgressState): void {
    const changed =
      state.done !== this.state.done ||
      state.current !== this.state.current ||
      state.finished !== undefined ||
      state.total !== this.state.total;
    if (state.current !== this.state.current) this.since = Date.now();
    this.state = { ...state };
    if (changed) this.send(state.finished ? `${state.finished}; now: ${state.current}` : state.current);
  }

  /** A line of a command's progress (a CLI tool's stderr): one unit of progress each, no total. */
  line(text: string): void {
    this.update({ done: this.state.done + 1, current: text });
  }

  private heartbeat(): void {
    const seconds = Math.round((Date.now() - this.since) / 1000);
    this.send(`${this.state.current} (${seconds} s)`);
  }

  private send(message: string): void {
    if (this.token === undefined || this.extra.signal?.aborted === true) return;
    if (this.state.done > this.base) {
      this.base = this.state.done;
      this.ticks = 0;
    } else this.ticks += 1;
    const progress = this.base + this.ticks / (this.ticks + 1);
    const total = this.state.total;
    const params = {
      progressToken: this.token,
      progress,
      ...(total !== undefined && total >= progress ? { total } : {}),
      message,
    };
    this.sent.push(
      this.extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined),
    );
    this.timer?.refresh();
  }

  /** Stops the heartbeat and waits until every notification went out. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.sent.length === 0) return;
    await Promise.all(this.sent);
    // The SDK's client handles notifications a microtask after a response read in the same chunk,
    // and drops those that arrive after their request closed: let the last ones go out first.
    await sleep(NOTIFICATION_GAP_MS);
  }
}
