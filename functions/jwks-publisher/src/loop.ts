/** The clock and timers the loop runs on; a simulation injects virtual ones. */
export interface Timers {
  now(): number;
  /** Runs `fn` after `ms`; a virtual scheduler may await what it returns. */
  setTimeout(fn: () => unknown, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Runs `tick` at a fixed rate: each tick starts `intervalMs` after the start
 * of the previous one (immediately when a tick overran), never two at once.
 * Fixed rate, not fixed delay, keeps the rotation bound at one interval
 * instead of an interval plus the duration of a tick.
 */
export class PollingLoop {
  private handle: unknown;
  private running?: Promise<void>;
  private stopped = false;
  private lastCompleted = -Infinity;

  constructor(
    private readonly tick: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly timers: Timers,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** When the last tick completed, whatever its outcome. */
  get lastCompletedAt(): number {
    return this.lastCompleted;
  }

  /** Starts ticking, the first tick now. */
  start(): void {
    this.handle = this.timers.setTimeout(() => this.run(), 0);
  }

  private run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const startedAt = this.timers.now();
    this.running = (async () => {
      try {
        await this.tick();
      } catch (e) {
        this.onError(e);
      }
      this.lastCompleted = this.timers.now();
      if (this.stopped) return;
      const delay = Math.max(0, startedAt + this.intervalMs - this.timers.now());
      this.handle = this.timers.setTimeout(() => this.run(), delay);
    })();
    return this.running;
  }

  /** No further ticks; resolves once a tick in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.handle);
    await this.running;
  }
}
