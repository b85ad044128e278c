/**
 * Exponential backoff with full jitter: attempt n waits a random time below min(maxDelay, initialDelay * 2^n), so
 * that clients dropped together do not come back together.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialDelay: number,
    private readonly maxDelay: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt, in ms; each call counts one attempt. */
  next(): number {
    const bound = Math.min(this.maxDelay, this.initialDelay * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * bound);
  }

  reset(): void {
    this.attempt = 0;
  }
}
