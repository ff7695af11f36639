// A check that runs on a timer, never twice at once, and can also be run now (after a change made
// through this gateway, so it applies at once instead of at the next tick).
export class PeriodicCheck {
  readonly #intervalMs: number;
  readonly #run: () => Promise<void>;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #again = false;

  constructor(intervalMs: number, run: () => Promise<void>, onError: (err: unknown) => void) {
    this.#intervalMs = intervalMs;
    this.#run = run;
    this.#onError = onError;
  }

  start(): void {
    this.#timer = setInterval(() => void this.check(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /**
   * One pass. Asked while a pass runs (a change notice arriving mid-read), one more pass follows it,
   * so a change committed after the running pass read is not left for the next tick. Never rejects.
   */
  async check(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        try {
          await this.#run();
        } catch (err) {
          this.#onError(err);
        }
      } while (this.#again);
    } finally {
      this.#running = false;
    }
  }
}
