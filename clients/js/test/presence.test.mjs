// Presence (PROTOCOL.md "Presence"): lists, counts, pages and events of who is in a group, against real nodes whose
// namespace `room` has presence and its events on (Namespaces__Rules__room__*); groups outside it have none. The first
// node pages by two users (Presence__PageSize, the paging setting, so that three users need two pages). The second
// has room for one event delivery a second (Presence__EventDeliveriesPerSecond, the setting under test in the
// coalescing test) and history on, so that a reconnect's groups are joined again before its welcome (the resend test).
// Members join with join() and its ack: the group knows a member once its join is acknowledged. One test needs answers
// of the wrong type, which the service never sends: a stand-in server of the test's own gives them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startNode } from "./support/service.mjs";
import { client, closeAll, next, record, until } from "./support/clients.mjs";
import { standIn } from "./support/stand-in.mjs";

const rooms = {
  Namespaces__Rules__room__Presence: "true",
  Namespaces__Rules__room__PresenceEvents: "true",
  Presence__LeaveDelay: "0",
};

let node;
let busy;
before(async () => {
  // Settled, so that after() stops the node that started when the other did not.
  const started = await Promise.allSettled([
    startNode({ ...rooms, Presence__PageSize: "2" }),
    startNode({ ...rooms, Presence__EventDeliveriesPerSecond: "1", WEBSOCKET_HISTORY_SIZE: "1000" }),
  ]);
  [node, busy] = started.map((s) => s.value);
  for (const s of started) if (s.status === "rejected") throw s.reason;
});
after(async () => {
  closeAll();
  await Promise.all([node, busy].map((n) => n?.stop()));
});

/** Connected clients of `users` on `at`, each a member of `group`, with their welcomes. */
async function members(at, group, users) {
  const made = users.map((userId) => client(at.ws, { userId }));
  const welcomes = await Promise.all(made.map((c) => c.connect()));
  for (const c of made) await c.join(group);
  return { clients: made, welcomes };
}

test("presence lists each user with its connections, presenceStats counts them, and neither is an ack", async () => {
  const group = "room:list";
  const {
    clients: [tab1, tab2, bob],
    welcomes: [w1, w2, wb],
  } = await members(node, group, ["list-alice", "list-alice", "list-bob"]);
  const seen = record(bob);

  const page = await bob.presence(group);
  assert.deepEqual(Object.keys(page.users), ["list-alice", "list-bob"]);
  assert.deepEqual(
    page.users["list-alice"].map((c) => [c.connection_id, c.node]).sort(),
    [[w1.connection_id, w1.node], [w2.connection_id, w2.node]].sort(),
  );
  assert.deepEqual(page.users["list-bob"], [{ connection_id: wb.connection_id, node: wb.node }]);
  assert.equal(page.complete, true);
  assert.equal(page.cursor, undefined);
  assert.equal(page.type, undefined); // the answer's data, not an ack frame

  assert.deepEqual(await tab1.presenceStats(group), { users: 2, connections: 3 });
  assert.deepEqual(await tab2.presenceAll(group), page.users);
  assert.deepEqual([seen.message, seen.error], [[], []]);
});

test("presence events: joins with first, leaves with last and their reason, delivered to members and not as messages", async () => {
  const group = "room:events";
  const watcher = client(node.ws, { userId: "events-bob" });
  const seen = record(watcher);
  const bob = await watcher.connect();
  await watcher.join(group);
  await until(() => seen.presenceJoin.length === 1, "bob sees his own join");

  const tab1 = client(node.ws, { userId: "events-alice" });
  const tab2 = client(node.ws, { userId: "events-alice" });
  const [w1, w2] = await Promise.all([tab1.connect(), tab2.connect()]);
  await tab1.join(group);
  await until(() => seen.presenceJoin.length === 2, "bob sees alice's first tab");
  await tab2.join(group);
  await until(() => seen.presenceJoin.length === 3, "bob sees alice's second tab");
  assert.deepEqual(seen.presenceJoin, [
    { group, user_id: "events-bob", connection_id: bob.connection_id, first: true },
    { group, user_id: "events-alice", connection_id: w1.connection_id, first: true },
    { group, user_id: "events-alice", connection_id: w2.connection_id, first: false },
  ]);

  await tab1.leave(group);
  await until(() => seen.presenceLeave.length === 1, "bob sees alice's first tab leave");
  tab2.close();
  await until(() => seen.presenceLeave.length === 2, "bob sees alice's second tab close");
  assert.deepEqual(seen.presenceLeave, [
    { group, user_id: "events-alice", connection_id: w1.connection_id, last: false, reason: "left" },
    { group, user_id: "events-alice", connection_id: w2.connection_id, last: true, reason: "closed" },
  ]);
  assert.deepEqual([seen.message, seen.ignored, seen.presenceStats, seen.presenceReset, seen.error], [[], [], [], [], []]);
  assert.deepEqual(await watcher.presenceStats(group), { users: 1, connections: 1 });
});

test("a group larger than a page comes in pages across a cursor, and presenceAll reads them all", async () => {
  const group = "room:pages";
  const {
    clients: [asker],
    welcomes,
  } = await members(node, group, ["pages-a", "pages-b", "pages-c"]);

  const first = await asker.presence(group);
  assert.deepEqual([Object.keys(first.users), first.complete, first.cursor], [["pages-a", "pages-b"], false, "pages-b"]);
  const second = await asker.presence(group, { cursor: first.cursor });
  assert.deepEqual(second, { users: { "pages-c": [{ connection_id: welcomes[2].connection_id, node: welcomes[2].node }] }, complete: true });

  const all = await asker.presenceAll(group);
  assert.deepEqual(Object.keys(all), ["pages-a", "pages-b", "pages-c"]);
  assert.deepEqual(all, { ...first.users, ...second.users });
  assert.deepEqual(await asker.presenceStats(group), { users: 3, connections: 3 });
});

test("presence is refused with the server's code: presence_off outside presence namespaces, forbidden to non-members", async () => {
  const {
    clients: [member],
  } = await members(node, "room:closed", ["refused-member"]);
  const stranger = client(node.ws, { userId: "refused-stranger" });
  const seen = record(stranger);
  await assert.rejects(stranger.presence("room:lobby"), { code: "closed", message: /connect\(\)/ });
  await stranger.connect();
  await stranger.join("lobby");
  await stranger.join("chat:plain");

  for (const group of ["lobby", "chat:plain"]) {
    await assert.rejects(stranger.presence(group), { name: "SwitchboardError", code: "presence_off" }, group);
    await assert.rejects(stranger.presenceStats(group), { code: "presence_off" }, group);
    await assert.rejects(stranger.presenceAll(group), { code: "presence_off" }, group);
  }
  await assert.rejects(stranger.presence("room:closed"), { name: "SwitchboardError", code: "forbidden" });
  await assert.rejects(stranger.presenceStats("room:closed"), { code: "forbidden" });
  await assert.rejects(stranger.presence("room:a,b"), { code: "invalid_argument" });
  await assert.rejects(stranger.presence("room:closed", { cursor: "" }), { code: "invalid_argument" });

  // Refusals answer their requests: no error event, and the connection serves on.
  assert.deepEqual(seen.error, []);
  assert.equal(stranger.state, "connected");
  assert.deepEqual(await member.presenceStats("room:closed"), { users: 1, connections: 1 });
});

test("past the group's event budget members get the coalesced presenceStats with resync, not the events", async () => {
  const group = "room:busy";
  const watcher = client(busy.ws, { userId: "busy-watcher" });
  const seen = record(watcher);
  await watcher.connect();
  await watcher.join(group);
  await until(() => seen.presenceJoin.length === 1, "the watcher sees its own join (one delivery fits the budget)");

  const coalesced = next(watcher, "presenceStats", (s) => s.connections === 3, "a coalesced presence_stats naming three connections");
  await members(busy, group, ["busy-a", "busy-b"]);
  // A presenceStats() request meanwhile gets its own answer, not the coalesced frame.
  assert.deepEqual(await watcher.presenceStats(group), { users: 3, connections: 3 });
  assert.deepEqual(await coalesced, { group, users: 3, connections: 3, coalesced: true, resync: true });
  assert.deepEqual(seen.presenceJoin.map((j) => j.user_id), ["busy-watcher"]);
  assert.deepEqual(seen.message, []);
});

test("a presence request the dead connection did not answer is sent again after the reconnect, and answered", async () => {
  const group = "room:again";
  // Short heartbeat settings, as in the reconnect tests: the frozen node is given up on in seconds.
  const alice = client(busy.ws, { userId: "again-alice", pingInterval: 500, pongTimeout: 3000 });
  const states = record(alice).state;
  await alice.connect();
  await alice.join(group);
  busy.freeze();
  let asked;
  try {
    asked = alice.presence(group);
    await until(() => alice.state === "reconnecting", "alice gives up the frozen connection");
  } finally {
    busy.thaw();
  }
  const page = await asked;
  assert.deepEqual([Object.keys(page.users), page.complete], [["again-alice"], true]);
  assert.deepEqual(states, ["connecting", "connected", "reconnecting", "connected"]);
});

test("an answer settles only a request of its type: an ack is no presence answer, a presence answer no ack", async () => {
  const page = { users: {}, complete: true };
  const asked = [];
  // Each request is first answered under its id with frames of the other types, then for real.
  const welcome = { type: "welcome", data: { user_id: "typed", connection_id: "c", node: "stand-in" } };
  const server = await standIn([welcome], (socket, frame) => {
    asked.push(frame.type);
    const answers = {
      ack: { type: "ack", id: frame.id },
      presence: { type: "presence", group: "room:x", id: frame.id, data: page },
      presence_stats: { type: "presence_stats", group: "room:x", id: frame.id, data: { users: 0, connections: 0 } },
    };
    const right = frame.type === "presence" ? "presence" : "ack";
    for (const type of [...Object.keys(answers).filter((t) => t !== right), right]) socket.send(JSON.stringify(answers[type]));
  });
  try {
    const typed = client(server.url, { userId: "typed" });
    const seen = record(typed);
    await typed.connect();
    assert.deepEqual(await typed.presence("room:x"), page);
    const ack = await typed.send({ group: "room:x", type: "chat", id: "s-1" });
    assert.deepEqual(ack, { type: "ack", id: "s-1" });
    // Answers nothing waits for (each request's wrong-typed answers) are dropped: no event, no message.
    assert.deepEqual(asked, ["presence", "chat"]);
    assert.deepEqual([seen.message, seen.presenceStats, seen.error, seen.ignored], [[], [], [], []]);
  } finally {
    closeAll();
    await server.close();
  }
});
