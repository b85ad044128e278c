/**
 * Notices a dead server without waiting for TCP: after `interval` ms with nothing received it sends an
 * application ping, and when nothing at all arrives within `timeout` ms after it, it calls `dead`.
 */
export class Heartbeat {
  private idle: ReturnType<typeof setTimeout> | undefined;
  private awaitingPong: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly interval: number,
    private readonly timeout: number,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {}

  /** Anything arrived: the server is alive; start the idle wait again. */
  received(): void {
    this.stop();
    this.idle = setTimeout(() => {
      this.awaitingPong = setTimeout(this.dead, this.timeout);
      this.ping();
    }, this.interval);
  }

  stop(): void {
    clearTimeout(this.idle);
    clearTimeout(this.awaitingPong);
    this.idle = this.awaitingPong = undefined;
  }
}
