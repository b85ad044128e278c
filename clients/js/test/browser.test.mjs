// The package in a real browser: headless Chromium (Debian's package, on PATH) driven by playwright-core opens a page
// that a small test server serves with the built dist/; the page connects to a real node, answers messages, and is
// still answering after the node restarted. The node runs with the service's defaults.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startNode, DEADLINE_MS } from "./support/service.mjs";
import { client, closeAll, next, until } from "./support/clients.mjs";

const dist = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");

// The page: connects as "browser-page" and echoes every message back to its sender.
const page = `<!doctype html>
<meta charset="utf-8">
<title>switchboard-client</title>
<script type="module">
  import { SwitchboardClient } from "/dist/index.js";
  const client = new SwitchboardClient(new URLSearchParams(location.search).get("ws"), { userId: "browser-page" });
  window.states = [];
  window.errors = [];
  client.on("state", (state) => window.states.push(state));
  client.on("error", (error) => window.errors.push(error.code + ": " + error.message));
  client.on("message", (message) => client.send({ to: message.from, type: "echo", data: message.data }));
  client.connect().then((welcome) => (window.welcome = welcome));
</script>`;

function serve() {
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://page").pathname;
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      return;
    }
    const file = normalize(join(dist, path.replace(/^\/dist\//, "")));
    if (path.startsWith("/dist/") && file.startsWith(dist) && existsSync(file)) {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(readFileSync(file));
      return;
    }
    response.writeHead(404).end();
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

function chromiumOnPath() {
  for (const folder of (process.env.PATH ?? "").split(delimiter))
    for (const name of ["chromium", "chromium-browser", "google-chrome"])
      if (folder && existsSync(join(folder, name))) return join(folder, name);
  throw new Error("headless Chromium is needed for this test and is not on PATH: run ./test.sh, which installs it (apt-get install chromium)");
}

let node;
let server;
let browser;
before(async () => {
  [node, server, browser] = await Promise.all([
    startNode(),
    serve(),
    chromium.launch({
      executablePath: chromiumOnPath(),
      timeout: DEADLINE_MS,
      args: ["--disable-gpu", "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"],
    }),
  ]);
});
after(async () => {
  closeAll();
  await browser?.close();
  server?.close();
  await node?.stop();
});

test("a page connects, exchanges messages, and survives a node restart", async () => {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/?ws=${encodeURIComponent(node.ws)}`);
  await tab.waitForFunction(() => window.welcome !== undefined, null, { timeout: DEADLINE_MS });
  assert.equal(await tab.evaluate(() => window.welcome.user_id), "browser-page");

  const peer = client(node.ws, { userId: "node-peer" });
  await peer.connect();
  const echoed = (data) => next(peer, "message", (m) => m.type === "echo" && m.data === data, `the echo of ${data}`);

  const first = echoed("before");
  await peer.send({ to: "browser-page", type: "chat", data: "before" });
  assert.equal((await first).from, "browser-page");

  await node.restart(); // graceful: the page and the peer get 1001 and come back when the node does
  await tab.waitForFunction(() => window.states.at(-1) === "connected" && window.states.includes("reconnecting"), null, {
    timeout: DEADLINE_MS,
  });
  await until(() => peer.state === "connected", "the peer is back");

  const second = echoed("after");
  await peer.send({ to: "browser-page", type: "chat", data: "after" });
  assert.equal((await second).from, "browser-page");
  assert.deepEqual(await tab.evaluate(() => window.states), ["connecting", "connected", "reconnecting", "connected"]);
  assert.deepEqual(await tab.evaluate(() => window.errors), []);
});
