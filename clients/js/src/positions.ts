import type { Frame, Position, Positions, Resumed, Welcome } from "./types.js";

/**
 * The positions of the streams a client follows, kept from welcomes, join acks, messages, `resumed` and
 * `stream_reset`, so that a reconnect can resume each one where the application left it.
 */
export class StreamPositions {
  private user: Position | undefined;
  private readonly groups = new Map<string, Position>();

  snapshot(): Positions {
    const groups: Record<string, Position> = {};
    for (const [name, position] of this.groups) groups[name] = { ...position };
    return this.user ? { user: { ...this.user }, groups } : { groups };
  }

  userPosition(): Position | undefined {
    return this.user;
  }

  groupPosition(group: string): Position | undefined {
    return this.groups.get(group);
  }

  /**
   * Takes the welcome's positions, except for the streams this connect resumed: for those the welcome names the
   * stream's end, and the replay that follows still has to move the held position there.
   */
  welcomed(welcome: Welcome, resumed: { user: boolean; groups: ReadonlySet<string> }): void {
    const streams = welcome.streams;
    if (!streams) return;
    if (streams.user && !resumed.user) this.user = { ...streams.user };
    for (const [group, position] of Object.entries(streams.groups ?? {})) {
      if (!resumed.groups.has(group)) this.groups.set(group, { ...position });
    }
  }

  joined(group: string, position: Position | undefined): void {
    if (position) this.groups.set(group, { ...position });
  }

  left(group: string): void {
    this.groups.delete(group);
  }

  /**
   * Moves the message's stream to its seq. False when the position already covers it: a copy the application has
   * seen, to be dropped.
   */
  advance(message: Frame): boolean {
    if (typeof message.seq !== "number") return true;
    const position = typeof message.group === "string" ? this.groups.get(message.group) : this.user;
    if (!position) return true;
    if (message.seq <= position.seq) return false;
    position.seq = message.seq;
    return true;
  }

  /** The end of a replay, or a stream that changed epoch: the stream is now at the frame's position. */
  moved(data: Resumed): void {
    if (typeof data.epoch !== "string" || typeof data.seq !== "number") return;
    const position = { epoch: data.epoch, seq: data.seq };
    if (data.stream === "user") this.user = position;
    else if (typeof data.group === "string") this.groups.set(data.group, position);
  }
}
