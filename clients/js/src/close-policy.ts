import { SwitchboardError } from "./errors.js";

/** What the client does after a connection closed, from its close code and reason (docs/protocol.md, Closing). */
export type AfterClose =
  | { kind: "stop"; error: SwitchboardError }
  /** The node is going away: come back soon, at a random moment so that its clients spread over the others. */
  | { kind: "soon" }
  | { kind: "backoff" }
  | { kind: "rate_limited" }
  /** The message in flight was too large (1009): its sends are failed instead of resent. */
  | { kind: "too_large" }
  /** The token expired: reconnect with a new one. */
  | { kind: "new_token" };

export function afterClose(code: number, reason: string, canGetToken: boolean): AfterClose {
  if (code === 1001) return { kind: "soon" };
  if (code === 1008 && (reason === "kicked" || reason.startsWith("kicked:")))
    return { kind: "stop", error: new SwitchboardError("kicked", `closed by an operator (${reason})`, code) };
  if (code === 1008 && reason === "rate limit") return { kind: "rate_limited" };
  if (code === 1009) return { kind: "too_large" };
  if (code === 4401) {
    if (canGetToken) return { kind: "new_token" };
    return {
      kind: "stop",
      error: new SwitchboardError("token_expired", "the token expired and there is no getToken to get a new one", code),
    };
  }
  return { kind: "backoff" };
}
