// The package itself: versioned with the service, and its reconnect rules as pure functions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { Backoff } from "../dist/backoff.js";
import { afterClose } from "../dist/close-policy.js";
import { repositoryRoot } from "./support/service.mjs";

test("the package's version is the service's (Directory.Build.props)", () => {
  const props = readFileSync(`${repositoryRoot}/Directory.Build.props`, "utf8");
  const service = props.match(/<Version>([^<]+)<\/Version>/)?.[1];
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.ok(service, "Directory.Build.props names a <Version>");
  assert.equal(pkg.version, service);
});

test("the install commands in the READMEs (both clients') and docs/cli.md ask for the service's version", () => {
  const service = readFileSync(`${repositoryRoot}/Directory.Build.props`, "utf8").match(/<Version>([^<]+)<\/Version>/)[1];
  const versioned = /--version (\S+)|switchboard-client-(\d\S*?)\.tgz|switchboard-client@(\S+)|`Directory\.Build\.props` \((\S+)\)/g;
  for (const doc of ["README.md", "docs/cli.md", "clients/js/README.md", "clients/dotnet/README.md"]) {
    const named = [...readFileSync(`${repositoryRoot}/${doc}`, "utf8").matchAll(versioned)].map((m) => m.slice(1).find(Boolean));
    assert.ok(named.length > 0, `${doc} names a version`);
    for (const version of named) assert.equal(version.replace(/[`,.]+$/, ""), service, doc);
  }
});

test("backoff bounds double from the initial delay up to the maximum, with full jitter below them", () => {
  const highest = new Backoff(500, 4000, () => 0.999_999);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => highest.next()), [499, 999, 1999, 3999, 3999]);
  assert.equal(highest.attempts, 5);
  highest.reset();
  assert.equal(highest.next(), 499);
  const lowest = new Backoff(500, 4000, () => 0);
  assert.deepEqual([1, 2, 3].map(() => lowest.next()), [0, 0, 0]);
});

test("close codes decide: stop for a kick or an expired token without getToken, else come back", () => {
  assert.equal(afterClose(1001, "node draining", false).kind, "soon");
  assert.equal(afterClose(1008, "kicked", false).kind, "stop");
  assert.equal(afterClose(1008, "kicked: spam", true).error.code, "kicked");
  assert.equal(afterClose(1008, "rate limit", false).kind, "rate_limited");
  assert.equal(afterClose(1009, "", false).kind, "too_large");
  assert.equal(afterClose(4401, "token expired", false).error.code, "token_expired");
  assert.equal(afterClose(4401, "token expired", true).kind, "new_token");
  for (const code of [1006, 1011, 1013, 4408]) assert.equal(afterClose(code, "", false).kind, "backoff");
});

test("npm pack builds the package and ships dist/ with its type declarations and the README", async () => {
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json"], { cwd: new URL("..", import.meta.url) });
  const [packed] = JSON.parse(stdout);
  const files = packed.files.map((f) => f.path);
  for (const shipped of ["dist/index.js", "dist/index.d.ts", "dist/client.js", "README.md", "package.json"]) assert.ok(files.includes(shipped), shipped);
  assert.deepEqual(files.filter((f) => !f.startsWith("dist/") && !["README.md", "package.json"].includes(f)), []);
  assert.equal(packed.name, "switchboard-client");
});
