// Connect, send, acks and errors, join and leave, receipts and resends, against one real node with history on
// (WEBSOCKET_HISTORY_SIZE: seq, positions, receipts and idempotent resends are what these tests are about).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startNode } from "./support/service.mjs";
import { client, closeAll, next, record, SwitchboardClient } from "./support/clients.mjs";

let node;
before(async () => {
  node = await startNode({ WEBSOCKET_HISTORY_SIZE: "1000" });
});
after(async () => {
  closeAll();
  await node?.stop();
});

test("connect resolves with the welcome and the client holds its user stream's position", async () => {
  const alice = client(node.ws, { userId: "welcome-alice" });
  const seen = record(alice);
  const welcome = await alice.connect();
  assert.equal(welcome.user_id, "welcome-alice");
  assert.equal(typeof welcome.connection_id, "string");
  assert.equal(alice.state, "connected");
  assert.equal(alice.userId, "welcome-alice");
  assert.deepEqual(seen.state, ["connecting", "connected"]);
  assert.deepEqual(alice.positions.user, welcome.streams.user);
});

test("a direct message is acked with its seq and reaches the recipient once, with its sender", async () => {
  const alice = client(node.ws, { userId: "direct-alice" });
  const bob = client(node.ws, { userId: "direct-bob" });
  await Promise.all([alice.connect(), bob.connect()]);
  const arrived = next(bob, "message");
  const ack = await alice.send({ to: "direct-bob", type: "chat", data: { text: "hi" } });
  assert.equal(ack.type, "ack");
  assert.equal(ack.data.seq, 1);
  const message = await arrived;
  assert.deepEqual(
    { type: message.type, from: message.from, to: message.to, data: message.data, seq: message.seq },
    { type: "chat", from: "direct-alice", to: "direct-bob", data: { text: "hi" }, seq: 1 },
  );
  assert.equal(bob.positions.user.seq, 1);
});

test("the server's error frame rejects the send with its code, and the connection stays", async () => {
  const alice = client(node.ws, { userId: "error-alice" });
  await alice.connect();
  // Clients may not broadcast with the service's defaults.
  await assert.rejects(alice.broadcast("notice", "everyone"), { name: "SwitchboardError", code: "forbidden" });
  await assert.rejects(alice.leave("never-joined"), { code: "unknown_group" });
  assert.equal(alice.state, "connected");
  assert.equal((await alice.send({ to: "error-alice", type: "note", data: 1 })).data.seq, 1);
});

test("join gets the group's position, group messages reach members, and after leave they do not", async () => {
  const alice = client(node.ws, { userId: "group-alice" });
  const bob = client(node.ws, { userId: "group-bob" });
  await Promise.all([alice.connect(), bob.connect()]);
  const joined = await bob.join("room");
  assert.equal(typeof joined.data.epoch, "string");
  assert.deepEqual(bob.positions.groups.room, { epoch: joined.data.epoch, seq: joined.data.seq });
  assert.deepEqual(bob.groups, ["room"]);

  const inRoom = next(bob, "message");
  await alice.send({ group: "room", type: "chat", data: "one" });
  assert.deepEqual([(await inRoom).group, (await inRoom).data], ["room", "one"]);

  await bob.leave("room");
  assert.deepEqual(bob.groups, []);
  assert.equal(bob.positions.groups.room, undefined);
  // One sender's messages reach a connection in order: had "two" reached bob, it would come before "after".
  const seen = record(bob);
  const marker = next(bob, "message", (m) => m.data === "after");
  await alice.send({ group: "room", type: "chat", data: "two" });
  await alice.send({ to: "group-bob", type: "chat", data: "after" });
  await marker;
  assert.deepEqual(seen.message.map((m) => m.data), ["after"]);
});

test("a receipt comes back once the recipient confirms the message", async () => {
  const alice = client(node.ws, { userId: "receipt-alice" });
  const bob = client(node.ws, { userId: "receipt-bob" });
  await Promise.all([alice.connect(), bob.connect()]);
  const arrived = next(bob, "message");
  const ack = await alice.send({ to: "receipt-bob", type: "chat", data: "read me", receipt: true, id: "r-1" });
  const message = await arrived;
  const receipt = next(alice, "receipt");
  await bob.confirmReceived(message.seq);
  const got = await receipt;
  assert.deepEqual([got.id, got.to, got.data.seq, got.data.status], ["r-1", "receipt-bob", ack.data.seq, "delivered"]);
});

test("a resend with the same id is acked with its first seq and delivered once", async () => {
  const alice = client(node.ws, { userId: "resend-alice" });
  const bob = client(node.ws, { userId: "resend-bob" });
  await Promise.all([alice.connect(), bob.connect()]);
  const seen = record(bob);
  const first = await alice.send({ to: "resend-bob", type: "chat", data: "once", id: "same" });
  const again = await alice.send({ to: "resend-bob", type: "chat", data: "once", id: "same" });
  assert.equal(again.data.seq, first.data.seq);
  const marker = next(bob, "message", (m) => m.data === "marker");
  await alice.send({ to: "resend-bob", type: "chat", data: "marker" });
  await marker;
  assert.deepEqual(seen.message.map((m) => m.data), ["once", "marker"]);
});

test("generated ids are unique strings, and an id still waiting for its ack cannot be reused", async () => {
  const alice = client(node.ws, { userId: "ids-alice" });
  await alice.connect();
  const acks = await Promise.all([1, 2, 3].map((n) => alice.send({ to: "ids-alice", type: "n", data: n })));
  assert.equal(new Set(acks.map((a) => a.id)).size, 3);
  assert.ok(acks.every((a) => typeof a.id === "string"));
  const pending = alice.send({ to: "ids-alice", type: "n", id: 42 });
  await assert.rejects(alice.send({ to: "ids-alice", type: "n", id: 42 }), { code: "duplicate_id" });
  await pending;
});

test("bad input gets a clear error before anything is sent", async () => {
  assert.throws(() => new SwitchboardClient("http://127.0.0.1/ws", { WebSocket }), { code: "invalid_argument", message: /ws:\/\// });
  assert.throws(() => new SwitchboardClient(node.ws), { code: "invalid_argument", message: /options\.WebSocket/ });
  assert.throws(() => new SwitchboardClient([], { WebSocket }), { code: "invalid_argument" });
  assert.throws(() => client(node.ws, { pingInterval: -1 }), { message: /pingInterval/ });
  const alice = client(node.ws, { userId: "input-alice" });
  await assert.rejects(alice.send({ to: "bob", type: "chat" }), { code: "closed", message: /connect\(\)/ });
  await alice.connect();
  await assert.rejects(alice.send({ type: "chat" }), { code: "invalid_argument", message: /exactly one of to and group/ });
  await assert.rejects(alice.send({ to: "a", group: "b", type: "chat" }), { code: "invalid_argument" });
  await assert.rejects(alice.send({ to: "bob", type: "" }), { code: "invalid_argument", message: /type/ });
  await assert.rejects(alice.send({ to: "bob", type: "join" }), { code: "invalid_argument", message: /reserved/ });
  await assert.rejects(alice.send({ group: "g", type: "chat", receipt: true }), { code: "invalid_argument" });
  await assert.rejects(alice.join("a,b"), { code: "invalid_argument", message: /","/ });
  await assert.rejects(alice.confirmReceived(-1), { code: "invalid_argument" });
  assert.throws(() => alice.on("nope", () => {}), { code: "invalid_argument" });
});

test("close stops the client and fails what was still waiting, never dropping it silently", async () => {
  const alice = client(node.ws, { userId: "close-alice" });
  const connecting = alice.connect();
  const waiting = alice.send({ to: "close-alice", type: "chat" });
  alice.close();
  assert.equal(alice.state, "disconnected");
  await assert.rejects(connecting, { code: "closed" });
  await assert.rejects(waiting, { code: "closed" });
  await assert.rejects(alice.send({ to: "close-alice", type: "chat" }), { code: "closed" });
});

test("on returns a function that unsubscribes", async () => {
  const alice = client(node.ws, { userId: "off-alice" });
  const states = [];
  const off = alice.on("state", (s) => states.push(s));
  await alice.connect();
  off();
  alice.close();
  assert.deepEqual(states, ["connecting", "connected"]);
});
