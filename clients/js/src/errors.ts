/**
 * Every failure the client reports: a server `error` frame's code (`unknown_group`, `forbidden`, `presence_off`, ...),
 * or one of the client's own: `invalid_argument`, `duplicate_id`, `timeout`, `closed`, `kicked`, `token_expired`,
 * `too_large`, `gave_up`, `connect_failed`, `invalid_frame`, `unanswered` (an rpc whose connection closed before its answer).
 */
export class SwitchboardError extends Error {
  override readonly name = "SwitchboardError";

  constructor(
    readonly code: string,
    message: string,
    /** The close code when a close caused it. */
    readonly closeCode?: number,
  ) {
    super(message);
  }
}

export function invalidArgument(message: string): SwitchboardError {
  return new SwitchboardError("invalid_argument", message);
}
