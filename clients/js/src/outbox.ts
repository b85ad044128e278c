import { SwitchboardError } from "./errors.js";
import type { Frame } from "./types.js";

interface PendingSend {
  frame: Record<string, unknown>;
  text: string;
  /** The type of the frame that answers it: `ack`, or a request's own answer (`presence`, `presence_stats`). */
  answerType: string;
  resolve: (answer: Frame) => void;
  reject: (error: SwitchboardError) => void;
  /** Runs as the answer is read, before the next frame: what the ack means (a join's position) is in place for it. */
  acknowledged: ((answer: Frame) => void) | undefined;
  /** Written on the current connection; the server's answer is due on it. */
  written: boolean;
  /** Written at most once: a connection that drops before its answer fails it (an rpc, which the server may have run). */
  once: boolean;
  /** Runs while the send waits for a connection. */
  waiting: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Every frame with an id that the server has not answered yet, in the order it was sent. A frame stays here until
 * its answer (an `ack`, or the request's own answer frame) or `error`, across reconnects: what a dead connection did
 * not answer is written again, with the same id, on the next one.
 */
export class Outbox {
  private readonly pending = new Map<string, PendingSend>();

  constructor(private readonly sendTimeout: number) {}

  get size(): number {
    return this.pending.size;
  }

  has(id: string | number): boolean {
    return this.pending.has(key(id));
  }

  /**
   * Queues a frame that a frame of type `answerType` with its id answers; `write` is given it now when a connection is
   * open, else it waits for one.
   */
  add(
    frame: Record<string, unknown> & { id: string | number },
    write: ((text: string) => void) | undefined,
    answerType: string,
    acknowledged?: (answer: Frame) => void,
    once = false,
  ): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      const entry: PendingSend = {
        frame,
        text: JSON.stringify(frame),
        answerType,
        resolve,
        reject,
        acknowledged,
        written: false,
        once,
        waiting: undefined,
      };
      this.pending.set(key(frame.id), entry);
      if (write) this.write(entry, write);
      else this.wait(key(frame.id), entry);
    });
  }

  /** A connection is open: writes everything unanswered, oldest first. */
  flush(write: (text: string) => void): void {
    for (const entry of this.pending.values()) if (!entry.written) this.write(entry, write);
  }

  /**
   * The connection is gone: what it did not answer waits for the next one, except what may be written only once,
   * which fails with `unanswered` if it was written.
   */
  disconnected(): void {
    for (const [id, entry] of this.pending) {
      if (entry.written && entry.once) {
        this.take(id);
        entry.reject(
          new SwitchboardError(
            "unanswered",
            `the connection closed before the answer to the frame with id ${JSON.stringify(entry.frame.id)}; ` +
              "the server may have acted on it, so it is not sent again",
          ),
        );
        continue;
      }
      entry.written = false;
      if (entry.waiting === undefined) this.wait(id, entry);
    }
  }

  /**
   * Settles the send the server answered; false when no send has that id, or when `answer` is a frame of another type
   * than the one that answers it (an `ack` does not answer a `presence` request, nor a `presence` answer a send).
   * An `error` frame with the id answers any send.
   */
  answered(id: unknown, answer: { frame: Frame } | { error: SwitchboardError }): boolean {
    if (typeof id !== "string" && typeof id !== "number") return false;
    const pending = this.pending.get(key(id));
    if (!pending || ("frame" in answer && answer.frame.type !== pending.answerType)) return false;
    const entry = this.take(key(id))!;
    if ("frame" in answer) {
      entry.acknowledged?.(answer.frame);
      entry.resolve(answer.frame);
    }
    else entry.reject(answer.error);
    return true;
  }

  /** Fails every send that was written on the connection that just closed (1009: one of them was too large). */
  failWritten(error: SwitchboardError): void {
    for (const [id, entry] of this.pending) {
      if (entry.written) {
        this.take(id);
        entry.reject(error);
      }
    }
  }

  failAll(error: SwitchboardError): void {
    for (const id of [...this.pending.keys()]) this.take(id)?.reject(error);
  }

  private write(entry: PendingSend, write: (text: string) => void): void {
    clearTimeout(entry.waiting);
    entry.waiting = undefined;
    entry.written = true;
    write(entry.text);
  }

  private wait(id: string, entry: PendingSend): void {
    entry.waiting = setTimeout(() => {
      if (this.take(id)) {
        entry.reject(
          new SwitchboardError(
            "timeout",
            `no connection within ${this.sendTimeout} ms for the frame with id ${JSON.stringify(entry.frame.id)}` +
              " (if it was written before the connection dropped, the server may have it)",
          ),
        );
      }
    }, this.sendTimeout);
  }

  private take(id: string): PendingSend | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.waiting);
    this.pending.delete(id);
    return entry;
  }
}

/** Ids are compared as the server echoes them: the string "7" and the number 7 are different ids. */
function key(id: string | number): string {
  return JSON.stringify(id);
}
