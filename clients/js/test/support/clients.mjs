// The package as built (dist/), with the ws package's WebSocket (this machine's Node 20 has no global one),
// and helpers to wait for what a client reports.
import { createHmac } from "node:crypto";
import WebSocket from "ws";
import { SwitchboardClient } from "../../dist/index.js";
import { DEADLINE_MS } from "./service.mjs";

export { SwitchboardClient };

const open = new Set();

/** A client on `urls` with the ws package; `closeAll` closes every one made. */
export function client(urls, options = {}) {
  const made = new SwitchboardClient(urls, { WebSocket, ...options });
  open.add(made);
  return made;
}

export function closeAll() {
  for (const made of open) made.close();
  open.clear();
}

/** Everything a client emits, in order, by event name. */
export function record(made) {
  const seen = {
    message: [],
    state: [],
    resumed: [],
    receipt: [],
    tokenExpiring: [],
    error: [],
    ignored: [],
    presenceJoin: [],
    presenceLeave: [],
    presenceStats: [],
    presenceReset: [],
  };
  for (const name of Object.keys(seen)) made.on(name, (value) => seen[name].push(value));
  return seen;
}

/** The next `event` (after now) whose value passes `matches`. */
export function next(made, event, matches = () => true, what = event) {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within the hang guard`));
    }, DEADLINE_MS);
    const off = made.on(event, (value) => {
      if (!matches(value)) return;
      clearTimeout(guard);
      off();
      resolve(value);
    });
  });
}

/** Waits until `check()` is true; fails naming `what` after the hang guard. */
export async function until(check, what) {
  const deadline = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An HS256 JWT for `sub`, expiring `expiresIn` seconds from now, signed with `secret`. */
export function mintToken(secret, sub, expiresIn) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub, exp: Math.floor(Date.now() / 1000) + expiresIn })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}
