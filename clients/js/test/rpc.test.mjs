// rpc(method, params) (PROTOCOL.md "Application hooks"): a request answered by the application's rpc hook through the
// service. Against real nodes: one without an rpc hook (not_available) and one whose rpc hook is the real test backend
// (Hooks__Rpc__Url). The promise plumbing the service never exercises on purpose (an ack with an rpc's id, a connection
// that drops before the answer) against a stand-in server of the test's own.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { eventually, startNode } from "./support/service.mjs";
import { startBackend } from "./support/backend.mjs";
import { client, closeAll, until } from "./support/clients.mjs";
import { standIn } from "./support/stand-in.mjs";

let plain;
let hooked;
let backend;
before(async () => {
  backend = await startBackend();
  const started = await Promise.allSettled([startNode(), startNode(backend.settings("rpc"))]);
  [plain, hooked] = started.map((s) => s.value);
  for (const s of started) if (s.status === "rejected") throw s.reason;
  // The node's first call to its rpc hook builds its HTTP client and warms the backend's route; on a loaded machine
  // (test.sh runs these tests beside the .NET ones) that can pass the 2 s default timeout, which is not this file's
  // subject: the hook answers once before the tests start.
  const warm = client(hooked.ws, { userId: "rpc-warmup" });
  await warm.connect();
  await eventually(() => warm.rpc("echo", {}), "the rpc hook answers");
});
after(async () => {
  closeAll();
  await Promise.all([plain, hooked].map((n) => n?.stop()));
  await backend?.stop();
});

test("an rpc to a node without an rpc hook is rejected with not_available, and the connection goes on", async () => {
  const alice = client(plain.ws, { userId: "rpc-plain" });
  await alice.connect();

  await assert.rejects(alice.rpc("echo", { a: 1 }), (e) => e.code === "not_available");
  await alice.join("rpc-plain-room");
  assert.equal(alice.state, "connected");
});

test("an rpc method must be a name: refused before anything is sent", async () => {
  const alice = client(plain.ws, { userId: "rpc-bad" });
  await alice.connect();
  for (const method of ["", 7, undefined, "x".repeat(129)])
    await assert.rejects(alice.rpc(method), (e) => e.code === "invalid_argument");
});

test("an rpc resolves with the application's result, and its error rejects with its code", async () => {
  const alice = client(hooked.ws, { userId: "rpc-alice" });
  await alice.connect();

  assert.deepEqual(await alice.rpc("echo", { text: "hi", n: [1, 2] }),
    { method: "echo", params: { text: "hi", n: [1, 2] }, user_id: "rpc-alice" });
  await assert.rejects(alice.rpc("nope", {}), (e) => e.code === "no_method");
  const calls = (await (await fetch(`${backend.url}/control/calls?hook=rpc`)).json()).filter((c) => c.body.user_id === "rpc-alice");
  assert.deepEqual(calls.map((c) => [c.body.method, c.body.user_id, c.signature_valid]), [
    ["echo", "rpc-alice", true],
    ["nope", "rpc-alice", true],
  ]);
});

test("only an rpc_result or an error with its id settles an rpc, and a dropped connection fails a written rpc once", async () => {
  const rpcs = [];
  const server = await standIn([{ type: "welcome", data: { user_id: "u", connection_id: "c", node: "n" } }], (socket, frame) => {
    if (frame.type !== "rpc") return;
    rpcs.push(frame);
    const { method, params } = frame.data;
    if (method === "echo") {
      socket.send(JSON.stringify({ type: "ack", id: frame.id })); // not an rpc's answer: ignored
      socket.send(JSON.stringify({ type: "rpc_result", id: frame.id, data: params }));
    } else if (method === "busy") {
      socket.send(JSON.stringify({ type: "error", id: frame.id, data: { code: "busy", message: "try again" } }));
    } else if (method === "drop") {
      socket.terminate();
    }
  });
  try {
    const alice = client(server.url, { userId: "u", reconnect: { initialDelay: 10, maxDelay: 10 } });
    await alice.connect();

    assert.deepEqual(await alice.rpc("echo", { x: 1 }), { x: 1 });
    assert.equal(await alice.rpc("echo"), undefined);
    await assert.rejects(alice.rpc("busy", {}), (e) => e.code === "busy" && e.message === "try again");
    await assert.rejects(alice.rpc("drop", {}), (e) => e.code === "unanswered");

    // Reconnected, it is not written again.
    await until(() => alice.state === "connected", "the client is connected again");
    assert.deepEqual(await alice.rpc("echo", "after"), "after");
    assert.equal(rpcs.filter((f) => f.data.method === "drop").length, 1);
  } finally {
    await server.close();
  }
});
