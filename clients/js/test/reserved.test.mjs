// Reserved types (PROTOCOL.md "Reserved types"): the client never routes one, and never acts on one routed to it.
// Sends go to a real node with client broadcasts allowed (a broadcast may carry any type). Forged frames come from a
// stand-in server of the test's own on a loopback port, since the service refuses to route them: it gives a real
// welcome, then frames of reserved types carrying `from`, as a message kept in history from before the rule would.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { isReservedType } from "../dist/index.js";
import { CONTROL_PREFIX, RESERVED_TYPES } from "../dist/reserved.js";
import { repositoryRoot, startNode } from "./support/service.mjs";
import { client, closeAll, next, record } from "./support/clients.mjs";
import { standIn } from "./support/stand-in.mjs";

let node;
before(async () => {
  node = await startNode({ WEBSOCKET_ALLOW_CLIENT_BROADCAST: "true" });
});
after(async () => {
  closeAll();
  await node?.stop();
});

test("the client's reserved types are the service's list, compared exactly and case-sensitively", () => {
  const source = readFileSync(`${repositoryRoot}/src/Streams/Json/ReservedTypes.cs`, "utf8");
  const names = source.match(/Names = new HashSet<string>\(StringComparer\.Ordinal\)\s*\{([^}]*)\}/)?.[1];
  assert.ok(names, "ReservedTypes.cs declares Names as it did when the client's copy was made");
  assert.deepEqual([...RESERVED_TYPES].sort(), [...names.matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort());
  assert.equal(source.match(/ControlPrefix = '(.)'/)?.[1], CONTROL_PREFIX);
  for (const type of [...RESERVED_TYPES, "$", "$x"]) assert.equal(isReservedType(type), true, type);
  for (const type of ["Welcome", "ACK", " welcome", "welcome ", "x$", "chat", "", 7, undefined])
    assert.equal(isReservedType(type), false, String(type));
});

test("a routed send with a reserved type is refused before the wire, and nothing reaches its recipient", async () => {
  const written = [];
  const alice = client(node.ws, { userId: "reserved-alice", WebSocket: writtenInto(written) });
  const bob = client(node.ws, { userId: "reserved-bob", groups: ["reserved-room"] });
  await Promise.all([alice.connect(), bob.connect()]);
  const seen = record(bob);
  for (const type of [...RESERVED_TYPES, "$x"]) {
    for (const target of [{ to: "reserved-bob" }, { group: "reserved-room" }]) {
      await assert.rejects(alice.send({ ...target, type, data: "forged" }), { code: "invalid_argument", message: /reserved/ }, type);
    }
  }
  assert.deepEqual(written, []);

  // One sender's messages reach a connection in order: anything sent before the marker would arrive before it.
  const marker = next(bob, "message", (m) => m.data === "marker");
  await alice.send({ to: "reserved-bob", type: "chat", data: "marker" });
  await marker;
  assert.deepEqual(seen.message.map((m) => [m.type, m.data]), [["chat", "marker"]]);
  assert.deepEqual(written.map((f) => f.type), ["chat"]);
});

test("types that only resemble reserved ones are routed, and a broadcast may carry any type", async () => {
  const alice = client(node.ws, { userId: "resembling-alice" });
  const bob = client(node.ws, { userId: "resembling-bob" });
  await Promise.all([alice.connect(), bob.connect()]);
  const seen = record(bob);
  const broadcast = next(bob, "message", (m) => m.type === "broadcast");
  const marker = next(bob, "message", (m) => m.data === "marker");
  for (const type of ["Welcome", "STREAM_RESET", "receipt "]) await alice.send({ to: "resembling-bob", type, data: type });
  await alice.broadcast("welcome", { user_id: "resembling-alice" });
  await alice.send({ to: "resembling-bob", type: "chat", data: "marker" });
  const [got] = await Promise.all([broadcast, marker]);

  assert.deepEqual([got.from, got.data], ["resembling-alice", { type: "welcome", data: { user_id: "resembling-alice" } }]);
  const direct = seen.message.filter((m) => m.type !== "broadcast").map((m) => m.type);
  assert.deepEqual(direct, ["Welcome", "STREAM_RESET", "receipt ", "chat"]);
  assert.equal(bob.userId, "resembling-bob");
  assert.deepEqual(seen.ignored, []);
});

test("frames of reserved types that carry from are ignored: no session, position, answer, receipt, refresh or presence", async () => {
  const realWelcome = {
    user_id: "victim",
    connection_id: "real",
    node: "stand-in",
    streams: { user: { epoch: "e1", seq: 5 }, groups: { room: { epoch: "g1", seq: 3 } } },
  };
  const forgedWelcome = forged({ type: "welcome", data: { ...realWelcome, user_id: "mallory", connection_id: "forged", streams: { user: { epoch: "x", seq: 99 } } } });
  const received = [];
  const realPage = { users: { victim: [{ connection_id: "real", node: "stand-in" }] }, complete: true };
  let presenceId;
  // The victim asks who is in its room, then sends. After the send the stand-in forges every answer to both and every
  // presence event, then delivers a broadcast and a marker, and only then answers the two for real.
  const server = await standIn([forgedWelcome, { type: "welcome", data: realWelcome }], (socket, frame) => {
    received.push(frame.type);
    if (frame.type === "presence") presenceId = frame.id;
    if (frame.type !== "chat") return;
    const frames = [
      forged({ type: "stream_reset", data: { stream: "user", epoch: "x", seq: 99 } }),
      forged({ type: "stream_reset", data: { group: "room", epoch: "x", seq: 0 } }),
      forged({ type: "resumed", data: { stream: "user", recovered: true, epoch: "x", seq: 99 } }),
      forged({ type: "receipt", id: "r-1", data: { seq: 1, status: "delivered" } }),
      forged({ type: "error", id: frame.id, data: { code: "forbidden", message: "a forged refusal of the send" } }),
      forged({ type: "ack", id: frame.id, data: { seq: 99 } }),
      forged({ type: "error", data: { code: "forbidden", message: "a forged error" } }),
      forged({ type: "token_expiring", data: { expires_in: 0 } }),
      forged({ type: "presence_join", group: "room", data: { user_id: "mallory", connection_id: "m", first: true } }),
      forged({ type: "presence_leave", group: "room", data: { user_id: "victim", connection_id: "real", last: true, reason: "closed" } }),
      forged({ type: "presence_reset", group: "room" }),
      forged({ type: "presence_stats", group: "room", data: { users: 9, connections: 9, coalesced: true, resync: true } }),
      forged({ type: "presence", group: "room", id: presenceId, data: { users: { mallory: [] }, complete: true } }),
      forged({ type: "$session", data: {} }),
      { type: "broadcast", from: "mallory", timestamp: 1, data: { type: "welcome", data: {} } },
      { type: "chat", from: "mallory", to: "victim", timestamp: 1, seq: 6, data: "marker" },
      { type: "ack", id: frame.id, data: { seq: 7 } },
      { type: "presence", group: "room", id: presenceId, data: realPage },
    ];
    for (const f of frames) socket.send(JSON.stringify(f));
  });
  try {
    let refreshes = 0;
    const victim = client(server.url, { userId: "victim", groups: ["room"], token: "first", getToken: () => `token-${++refreshes}` });
    const seen = record(victim);
    const welcome = await victim.connect();
    const marker = next(victim, "message", (m) => m.data === "marker");
    const page = victim.presence("room");
    const ack = await victim.send({ to: "bob", type: "chat", data: "hello" });
    await marker;
    assert.deepEqual(await page, realPage);

    assert.deepEqual([welcome.connection_id, victim.userId], ["real", "victim"]);
    assert.equal(ack.data.seq, 7);
    assert.deepEqual(victim.positions, { user: { epoch: "e1", seq: 6 }, groups: { room: { epoch: "g1", seq: 3 } } });
    assert.deepEqual(seen.message.map((m) => m.type), ["broadcast", "chat"]);
    assert.deepEqual(
      seen.ignored.map((f) => f.type),
      [
        "welcome", "stream_reset", "stream_reset", "resumed", "receipt", "error", "ack", "error", "token_expiring",
        "presence_join", "presence_leave", "presence_reset", "presence_stats", "presence", "$session",
      ],
    );
    assert.deepEqual([seen.resumed, seen.receipt, seen.tokenExpiring, seen.error], [[], [], [], []]);
    assert.deepEqual([seen.presenceJoin, seen.presenceLeave, seen.presenceReset, seen.presenceStats], [[], [], [], []]);
    assert.deepEqual(seen.state, ["connecting", "connected"]);
    assert.equal(refreshes, 0);
    assert.deepEqual(received, ["presence", "chat"]);
  } finally {
    closeAll();
    await server.close();
  }
});

/** The ws package's WebSocket, keeping every frame the client writes in `written`. */
function writtenInto(written) {
  return class extends WebSocket {
    send(data, ...rest) {
      written.push(JSON.parse(data));
      return super.send(data, ...rest);
    }
  };
}

/** A routed message with `frame`'s type: the service sets `from` and `timestamp` on every one. */
function forged(frame) {
  return { ...frame, from: "mallory", to: "victim", timestamp: 1 };
}
