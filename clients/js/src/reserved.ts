import type { Frame } from "./types.js";

/**
 * The frame types the service interprets or sends (PROTOCOL.md "Reserved types"). A copy of the service's
 * `src/Streams/Json/ReservedTypes.cs`, kept exactly like it (a test compares the two): no routed message may carry
 * one, so that no sender can make a recipient see a frame that looks like the service's own.
 */
export const RESERVED_TYPES: readonly string[] = Object.freeze([
  // client → server
  "join", "leave", "ping", "broadcast", "refresh", "received", "presence", "presence_stats", "rpc",
  // server → client
  "welcome", "pong", "ack", "error", "token_expiring", "resumed", "stream_reset", "receipt",
  "presence_join", "presence_leave", "presence_reset", "rpc_result",
]);

/** The prefix of every type kept for the service's future control frames. */
export const CONTROL_PREFIX = "$";

const reserved: ReadonlySet<string> = new Set(RESERVED_TYPES);

/** Whether `type` is the service's: one of `RESERVED_TYPES` or beginning with `$`, compared exactly and case-sensitively. */
export function isReservedType(type: unknown): boolean {
  return typeof type === "string" && (type.startsWith(CONTROL_PREFIX) || reserved.has(type));
}

/**
 * A routed message dressed as one of the service's frames. The service's own frames never carry `from` and routed
 * messages always do, so a reserved type with `from` was routed: sent by another client (or kept in history from
 * before the service refused such sends). `broadcast` is the one reserved type that routed messages rightly carry.
 */
export function posesAsServiceFrame(frame: Frame): boolean {
  return "from" in frame && frame.type !== "broadcast" && isReservedType(frame.type);
}
