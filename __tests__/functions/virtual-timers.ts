import type { Timers } from "../../functions/jwks-publisher/src/loop";

/**
 * A virtual clock and timer queue. Timer callbacks run in due order and are
 * awaited, so an asynchronous tick finishes before time moves on; code that
 * "takes time" (a fetch, an upload) calls `advance` while it runs.
 */
export class VirtualTimers implements Timers {
  private t = 0;
  private seq = 0;
  private queue: { readonly at: number; readonly id: number; readonly fn: () => unknown }[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => unknown, ms: number): number {
    const id = ++this.seq;
    this.queue.push({ at: this.t + Math.max(0, ms), id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((e) => e.id !== handle);
  }

  /** Time passing inside the operation that is running. */
  advance(ms: number): void {
    this.t += ms;
  }

  /** Runs every timer due up to `end`, then sets the clock to `end`. */
  async runUntil(end: number): Promise<void> {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.t = Math.max(this.t, next.at);
      await next.fn();
    }
    this.t = Math.max(this.t, end);
  }
}
