// What the client does when its connection ends: a kick stops it, a node going away (1001) or a dead server sends it
// to the next URL, a send made meanwhile waits and arrives, a resume the server cannot serve says recovered:false.
// Two single nodes with the service's defaults (each a cluster of its own) and one with history on.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startNode } from "./support/service.mjs";
import { client, closeAll, next, record, until } from "./support/clients.mjs";

let first;
let second;
let withHistory;
before(async () => {
  [first, second, withHistory] = await Promise.all([startNode(), startNode(), startNode({ WEBSOCKET_HISTORY_SIZE: "1000" })]);
});
after(async () => {
  closeAll();
  await Promise.all([first, second, withHistory].map((node) => node?.kill()));
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
  // The heartbeat's settings are what this test is about: short, so that the test does not wait 35 s.
  const alice = client([first.ws, second.ws], { userId: "frozen-alice", pingInterval: 300, pongTimeout: 1000 });
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

test("after 1001 the client goes to the next URL, and a send made while reconnecting waits and arrives", async () => {
  const alice = client([first.ws, second.ws], { userId: "moving-alice" });
  const bob = client(second.ws, { userId: "moving-bob" });
  const seen = record(alice);
  await Promise.all([alice.connect(), bob.connect()]);
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
