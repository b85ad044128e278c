// What the client does when its connection ends: a kick stops it, a node going away (1001) or a dead server sends it
// to the next URL, a send made meanwhile waits and arrives, a resume the server cannot serve says recovered:false.
// A send the dead connection did not answer is sent again and delivered once, a rate-limit close is backed off from.
// Two single nodes with the service's defaults (each a cluster of its own), one with history on (resends and
// resumes are about it), one with a message rate (WEBSOCKET_MESSAGE_RATE: the rate-limit close is).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startNode } from "./support/service.mjs";
import { client, closeAll, next, record, until } from "./support/clients.mjs";

let first;
let second;
let withHistory;
let rateLimited;
before(async () => {
  [first, second, withHistory, rateLimited] = await Promise.all([
    startNode(),
    startNode(),
    startNode({ WEBSOCKET_HISTORY_SIZE: "1000" }),
    startNode({ WEBSOCKET_MESSAGE_RATE: "1-S" }),
  ]);
});
after(async () => {
  closeAll();
  await Promise.all([first, second, withHistory, rateLimited].map((node) => node?.kill()));
});

test("a kick stops the client, which says why and does not reconnect", async () => {
  const alice = client([first.ws, second.ws], { userId: "kicked-alice" });
  const seen = record(alice);
  await alice.connect();
  const stopped = next(alice, "error");
  const response = await fetch(`${first.http}/ws/admin/kick`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_id: "kicked-alice", reason: "spam" }),
  });
  assert.equal(response.status, 200);
  const error = await stopped;
  assert.deepEqual([error.code, error.closeCode], ["kicked", 1008]);
  assert.match(error.message, /kicked: spam/);
  assert.equal(alice.state, "disconnected");
  assert.equal(alice.stopReason, error);
  assert.deepEqual(seen.state, ["connecting", "connected", "disconnected"]);
  await assert.rejects(alice.send({ to: "anyone", type: "chat" }), { code: "kicked" });
});

test("a dead server that keeps its TCP connection open is noticed by the ping and left for the next URL", async () => {
  // The heartbeat's settings are what this test is about: short, so that the test does not wait 35 s, and with a
  // pong timeout that a node busy on a loaded machine still meets.
  const alice = client([first.ws, second.ws], { userId: "frozen-alice", pingInterval: 500, pongTimeout: 3000 });
  const bob = client(second.ws, { userId: "frozen-bob" });
  const seen = record(alice);
  await Promise.all([alice.connect(), bob.connect()]);
  first.freeze();
  try {
    await until(() => seen.state.at(-1) === "connected" && seen.state.includes("reconnecting"), "alice reconnects");
    const arrived = next(alice, "message");
    await bob.send({ to: "frozen-alice", type: "chat", data: "on the second node" });
    assert.equal((await arrived).data, "on the second node");
    assert.deepEqual(seen.state, ["connecting", "connected", "reconnecting", "connected"]);
  } finally {
    first.thaw();
  }
});

test("after 1001 the client goes to the next URL, and a send made while reconnecting waits and arrives (with reconnect off it stops)", async () => {
  const alice = client([first.ws, second.ws], { userId: "moving-alice" });
  const bob = client(second.ws, { userId: "moving-bob" });
  const once = client(first.ws, { userId: "once-carol", reconnect: false });
  const seen = record(alice);
  await Promise.all([alice.connect(), bob.connect(), once.connect()]);
  const onceStopped = next(once, "error");
  const sentWhileAway = new Promise((resolve) => {
    const off = alice.on("state", (state) => {
      if (state !== "reconnecting") return;
      off();
      resolve(alice.send({ to: "moving-bob", type: "chat", data: "sent while reconnecting" }));
    });
  });
  const arrived = next(bob, "message");
  await first.stop(); // SIGTERM: the node closes its connections with 1001
  await sentWhileAway;
  assert.equal((await arrived).data, "sent while reconnecting");
  assert.equal(alice.state, "connected");
  assert.deepEqual(seen.state, ["connecting", "connected", "reconnecting", "connected"]);
  // History is off: the client had no position to resume from, and says so.
  assert.deepEqual(seen.resumed, [{ stream: "user", recovered: false, reason: "no_position" }]);
  // With reconnect off, the close stops the client and says so.
  const stopped = await onceStopped;
  assert.deepEqual([stopped.code, stopped.closeCode, once.state], ["closed", 1001, "disconnected"]);
});

test("a send the dead connection did not answer is sent again with its id after the reconnect, and delivered once", async () => {
  const alice = client(withHistory.ws, { userId: "resend-alice", pingInterval: 500, pongTimeout: 3000 });
  const bob = client(withHistory.ws, { userId: "resend-bob" });
  const seen = record(bob);
  const aliceStates = record(alice).state;
  await Promise.all([alice.connect(), bob.connect()]);
  withHistory.freeze();
  let sent;
  try {
    sent = alice.send({ to: "resend-bob", type: "chat", data: "once", id: "resent-1" });
    // The heartbeat gives the frozen connection up with the frame unanswered.
    await until(() => alice.state === "reconnecting", "alice gives up the frozen connection");
  } finally {
    withHistory.thaw();
  }
  const ack = await sent;
  assert.equal(ack.id, "resent-1");
  const marker = next(bob, "message", (m) => m.data === "marker");
  await alice.send({ to: "resend-bob", type: "chat", data: "marker" });
  await marker;
  assert.deepEqual(seen.message.map((m) => [m.data, m.seq]), [["once", ack.data.seq], ["marker", ack.data.seq + 1]]);
  assert.deepEqual(aliceStates, ["connecting", "connected", "reconnecting", "connected"]);
});

test("after a rate-limit close the client backs off and comes back; every send is answered, none dropped", async () => {
  // The delay added after a rate-limit close is the setting under test: short, so that the test does not wait 5 s.
  const alice = client(rateLimited.ws, { userId: "flood-alice", reconnect: { rateLimitDelay: 200 } });
  const states = record(alice).state;
  await alice.connect();
  const closed = until(() => states.includes("reconnecting"), "the rate-limit close");
  const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, n) => alice.send({ to: "flood-alice", type: "n", data: n })));
  await closed;
  const refused = outcomes.filter((o) => o.status === "rejected");
  assert.ok(outcomes.some((o) => o.status === "fulfilled"));
  assert.ok(refused.length > 0);
  assert.deepEqual([...new Set(refused.map((o) => o.reason.code))], ["rate_limited"]);
  await until(() => alice.state === "connected", "alice is back");
  assert.deepEqual(states.slice(0, 4), ["connecting", "connected", "reconnecting", "connected"]);
});

test("a resume from a position whose history is gone is reported as recovered: false, with the new epoch held", async () => {
  const alice = client(withHistory.ws, { userId: "resume-alice" });
  const seen = record(alice);
  await alice.connect();
  await alice.send({ to: "resume-alice", type: "note", data: 1 });
  await until(() => seen.message.length === 1, "alice has her note");
  const before = alice.positions.user;
  assert.equal(before.seq, 1);

  const resumed = next(alice, "resumed");
  await withHistory.restart(); // the memory store starts every stream again under a new epoch
  const report = await resumed;
  assert.equal(report.stream, "user");
  assert.equal(report.recovered, false);
  assert.notEqual(report.epoch, before.epoch);
  assert.deepEqual(alice.positions.user, { epoch: report.epoch, seq: report.seq });
});
