// Tokens: an expiring token is refreshed with getToken, an expired one without getToken stops the client, and after
// 4401 a client with getToken connects again with a fresh token. One node with HS256 tokens and no clock leeway
// (Auth:Jwt:ClockSkew=0, the setting under test), so that tokens of a few seconds expire when they say.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startNode } from "./support/service.mjs";
import { client, closeAll, mintToken, next, record, until } from "./support/clients.mjs";

const secret = "switchboard-client-tests-secret-of-32-bytes-or-more";
let node;
before(async () => {
  node = await startNode({ Auth__Jwt__Secret: secret, Auth__Jwt__ClockSkew: "0" });
});
after(async () => {
  closeAll();
  await node?.stop();
});

test("on token_expiring the client gets a new token and refreshes, and the connection outlives the first token", async () => {
  const lifetimes = [4, 600];
  const issued = [];
  const alice = client(node.ws, {
    getToken: () => {
      const seconds = lifetimes[issued.length];
      issued.push(Date.now() + seconds * 1000);
      return mintToken(secret, "refresh-alice", seconds);
    },
  });
  const seen = record(alice);
  const welcome = await alice.connect();
  assert.equal(welcome.user_id, "refresh-alice");
  await until(() => issued.length === 2, "the client asks for a second token");
  assert.equal(seen.tokenExpiring.length, 1);

  // Past the first token's end (and the server's once-a-second sweep), the connection still serves.
  await until(() => Date.now() > issued[0] + 2000, "the first token has expired");
  const arrived = next(alice, "message");
  await alice.send({ to: "refresh-alice", type: "note", data: "still here" });
  assert.equal((await arrived).data, "still here");
  assert.deepEqual(seen.state, ["connecting", "connected"]);
  assert.deepEqual(seen.error, []);
});

test("an expired token without getToken stops the client with token_expired (4401)", async () => {
  const alice = client(node.ws, { token: mintToken(secret, "expired-alice", 3) });
  const seen = record(alice);
  await alice.connect();
  const stopped = await next(alice, "error", (e) => e.code === "token_expired");
  assert.equal(stopped.closeCode, 4401);
  assert.equal(alice.state, "disconnected");
  assert.deepEqual(seen.state, ["connecting", "connected", "disconnected"]);
});

test("after 4401 a client with getToken connects again with a fresh token", async () => {
  // The refresh is refused (a token for someone else), so the connection ends with 4401 and the next connect
  // needs a token of its own.
  const tokens = [mintToken(secret, "again-alice", 3), mintToken(secret, "someone-else", 600), mintToken(secret, "again-alice", 600)];
  let calls = 0;
  const alice = client(node.ws, { getToken: () => tokens[calls++] });
  const seen = record(alice);
  await alice.connect();
  await until(() => seen.state.length === 4, "alice is connected again");
  assert.deepEqual(seen.state, ["connecting", "connected", "reconnecting", "connected"]);
  assert.equal(calls, 3);
  assert.deepEqual(seen.error.map((e) => e.code), ["invalid_token"]);
  const arrived = next(alice, "message");
  await alice.send({ to: "again-alice", type: "note", data: "back" });
  assert.equal((await arrived).data, "back");
});
