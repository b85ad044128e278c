// The three-node script: the node holding a client is killed while two users message each other; the client
// reconnects to another node of its list, resumes, resends what was not acknowledged, and each application sees
// every message of the other once, in order. History on with the Redis store (HISTORY_STORE=redis), so that a killed
// node loses no stream: that is the setting under test (with the memory store a lost keeper means a new epoch).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startCluster, startRedis } from "./support/service.mjs";
import { client, closeAll, record, until } from "./support/clients.mjs";

let redis;
let cluster;
before(async () => {
  redis = await startRedis();
  cluster = await startCluster({ WEBSOCKET_HISTORY_SIZE: "5000", HISTORY_STORE: "redis", HISTORY_REDIS: redis.connection });
});
after(async () => {
  closeAll();
  await cluster?.stop();
  await redis?.stop();
});

/** Sends 1, 2, 3, ... to `to`, each once the previous was acknowledged, until `sending.stop` is set. */
async function sendNumbers(from, to, sending) {
  let acked = 0;
  while (!sending.stop) {
    const n = acked + 1;
    await from.send({ to, type: "count", data: n });
    acked = n;
    sending.acked.set(to, acked);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("a killed node's client reconnects elsewhere, resumes, and both users see every message once, in order", async () => {
  const [n1, n2, n3] = cluster.nodes;
  // The sends wait out the reconnect and the entities' move to the survivors, which takes longer than the default.
  const roamer = client([n1.ws, n2.ws, n3.ws], { userId: "roamer" });
  const steady = client([n2.ws, n3.ws], { userId: "steady" });
  const roamerSaw = record(roamer);
  const steadySaw = record(steady);
  await Promise.all([roamer.connect(), steady.connect()]);

  const sending = { stop: false, acked: new Map() };
  const loops = [sendNumbers(roamer, "steady", sending), sendNumbers(steady, "roamer", sending)];
  const count = (saw) => saw.message.length;
  await until(() => count(roamerSaw) >= 20 && count(steadySaw) >= 20, "messages flow both ways");

  await cluster.kill(n1);
  await until(() => roamerSaw.state.at(-1) === "connected" && roamerSaw.state.includes("reconnecting"), "the roamer is back");
  const [roamerBack, steadyBack] = [count(roamerSaw), count(steadySaw)];
  await until(() => count(roamerSaw) >= roamerBack + 20 && count(steadySaw) >= steadyBack + 20, "messages flow again");
  sending.stop = true;
  await Promise.all(loops);
  await until(
    () => count(roamerSaw) >= sending.acked.get("roamer") && count(steadySaw) >= sending.acked.get("steady"),
    "each user has every acknowledged message",
  );

  const numbers = (acked) => Array.from({ length: acked }, (_, i) => i + 1);
  assert.deepEqual(roamerSaw.message.map((m) => m.data), numbers(sending.acked.get("roamer")));
  assert.deepEqual(steadySaw.message.map((m) => m.data), numbers(sending.acked.get("steady")));
  assert.deepEqual(roamerSaw.message.map((m) => m.seq), numbers(sending.acked.get("roamer")));
  assert.ok(roamerSaw.resumed.some((r) => r.stream === "user" && r.recovered === true), "the roamer's stream was recovered");
  assert.ok(roamerSaw.resumed.every((r) => r.recovered === true), "no resume lost anything");
  assert.deepEqual(steadySaw.state, ["connecting", "connected"]);
});
