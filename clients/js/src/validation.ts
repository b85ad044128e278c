import { invalidArgument } from "./errors.js";
import { CONTROL_PREFIX, isReservedType } from "./reserved.js";
import type { OutgoingMessage } from "./types.js";

// Bad input is refused before anything is sent, with an error that names what is wrong (code invalid_argument).

/** The frame for a direct (`to`) or group (`group`) message. */
export function messageFrame(message: OutgoingMessage): Record<string, unknown> {
  if (typeof message !== "object" || message === null) throw invalidArgument("send takes an object: { to | group, type, data }");
  const { to, group, type, data, receipt, id } = message;
  if ((to === undefined) === (group === undefined)) throw invalidArgument("a message needs exactly one of to and group");
  const frame: Record<string, unknown> = { type: routedType(type) };
  if (to !== undefined) frame.to = checkedName(to, "to");
  if (group !== undefined) frame.group = checkedGroup(group);
  if (data !== undefined) frame.data = data;
  if (id !== undefined) {
    if (typeof id !== "number" && (typeof id !== "string" || id === "")) throw invalidArgument("id must be a non-empty string or a number");
    frame.id = id;
  }
  if (receipt !== undefined) {
    if (typeof receipt !== "boolean") throw invalidArgument("receipt must be true or false");
    if (receipt && to === undefined) throw invalidArgument("receipts are for direct messages (to), not group messages");
    frame.receipt = receipt;
  }
  return frame;
}

export function checkedType(type: unknown): string {
  if (typeof type !== "string" || type === "") throw invalidArgument("type must be a non-empty string");
  return type;
}

/**
 * A routed message's type: never one of the service's, which its recipient would take for the service's own frame
 * (a session, a stream reset, a receipt). The service refuses them too; refusing here keeps them off the wire.
 */
function routedType(type: unknown): string {
  const checked = checkedType(type);
  if (isReservedType(checked))
    throw invalidArgument(
      `type ${JSON.stringify(checked)} is reserved for the service's own and control frames, as is every type beginning with ` +
        `"${CONTROL_PREFIX}": a message to a user or group uses another (join, leave, broadcast... have their own methods)`,
    );
  return checked;
}

export function checkedName(name: unknown, what: string): string {
  if (typeof name !== "string" || name.length < 1 || name.length > 128 || /[\u0000-\u001f\u007f]/.test(name))
    throw invalidArgument(`${what} must be 1 to 128 characters without control characters`);
  return name;
}

/** Group names go on the connect URL as a comma-separated list when the client reconnects, so a comma cannot be in one. */
export function checkedGroup(group: unknown): string {
  const name = checkedName(group, "a group name");
  if (name.includes(",")) throw invalidArgument(`a group name cannot contain "," (it could not be rejoined on reconnect): ${name}`);
  return name;
}

export function checkedToken(token: unknown): string {
  if (typeof token !== "string" || token === "") throw invalidArgument("getToken must return a non-empty string");
  return token;
}

export function checkedUrl(url: unknown): string {
  if (typeof url !== "string") throw invalidArgument("a URL must be a string");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument(`not a URL: ${url}`);
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") throw invalidArgument(`not a ws:// or wss:// URL: ${url}`);
  return url;
}

export function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) throw invalidArgument(`${what} must be a number above 0, not ${String(value)}`);
  return value;
}

