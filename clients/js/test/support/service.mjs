// Real Switchboard processes for the tests: single nodes, the three-node script, redis-server; free loopback ports;
// everything started here is stopped by its PID, also when a test fails (the process's exit handler).
import { spawn, execFile } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const serviceDll = join(repositoryRoot, "src/Service/bin/Release/net10.0/Switchboard.Service.dll");

/** Hang guard for waits: long enough for a loaded 2-core machine, never a statement about speed. */
export const DEADLINE_MS = 60_000;

const started = new Set();
process.on("exit", () => {
  for (const child of started) {
    try {
      process.kill(child, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

function track(child) {
  started.add(child.pid);
  child.once("exit", () => started.delete(child.pid));
  return child;
}

const handedOut = new Set();

/** The first of `count` consecutive free loopback ports below the ephemeral range, never handed out twice. */
export async function freePorts(count = 1) {
  for (;;) {
    const first = 10_000 + Math.floor(Math.random() * (20_000 - count));
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (ports.some((p) => handedOut.has(p))) continue;
    if ((await Promise.all(ports.map(canBind))).every(Boolean)) {
      ports.forEach((p) => handedOut.add(p));
      return first;
    }
  }
}

function canBind(port) {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/** Polls `check` until it returns a truthy value, which it returns; fails naming `what` after the deadline. */
export async function eventually(check, what, deadline = DEADLINE_MS) {
  const until = Date.now() + deadline;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}${last ? `: ${last.message}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function health(httpBase) {
  const response = await fetch(`${httpBase}/ws/health`);
  return { status: response.status, body: await response.json() };
}

/** One node, a cluster of its own, with the service's defaults plus `settings` (environment variables). */
export async function startNode(settings = {}, port) {
  if (!existsSync(serviceDll)) throw new Error(`${serviceDll} is missing: build the service first (test.sh does)`);
  const node = {
    port: port ?? (await freePorts(1)),
    settings,
    get http() {
      return `http://127.0.0.1:${this.port}`;
    },
    get ws() {
      return `ws://127.0.0.1:${this.port}/ws`;
    },
    child: undefined,
    output: "",
  };
  await launch(node);
  return Object.assign(node, {
    /** SIGTERM: the node closes its connections with 1001 and exits. */
    stop: () => stopChild(node.child, "SIGTERM"),
    kill: () => stopChild(node.child, "SIGKILL"),
    freeze: () => process.kill(node.child.pid, "SIGSTOP"),
    thaw: () => process.kill(node.child.pid, "SIGCONT"),
    /** A graceful restart on the same port. */
    restart: async () => {
      await stopChild(node.child, "SIGTERM");
      await launch(node);
    },
  });
}

async function launch(node) {
  const child = track(
    spawn("dotnet", [serviceDll, "--urls", `http://127.0.0.1:${node.port}`], {
      cwd: dirname(serviceDll),
      env: { ...process.env, ...node.settings },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  node.child = child;
  const keep = (chunk) => (node.output = (node.output + chunk).slice(-20_000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`the node exited with ${child.exitCode}:\n${node.output}`);
      return (await health(node.http)).status === 200;
    }, `the node on port ${node.port} serves`);
  } catch (error) {
    // A node that never served is stopped here: its output pipes would keep the test process from ever exiting.
    await stopChild(child, "SIGKILL");
    throw error;
  }
}

async function stopChild(child, signal) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(child.pid, "SIGCONT"); // a frozen node cannot act on SIGTERM
    process.kill(child.pid, signal);
  } catch {
    return;
  }
  await exited;
}

/** scripts/cluster.sh with three nodes on free ports and a run folder of its own. */
export async function startCluster(settings = {}) {
  const run = mkdtempSync(join(tmpdir(), "switchboard-js-cluster-"));
  const httpBase = await freePorts(3);
  const remoteBase = await freePorts(3);
  const env = {
    ...process.env,
    ...settings,
    NODES: "3",
    HTTP_BASE: String(httpBase),
    REMOTE_BASE: String(remoteBase),
    RUN_DIR: run,
    SWITCHBOARD_DLL: serviceDll,
  };
  const script = (...args) => promisify(execFile)("bash", [join(repositoryRoot, "scripts/cluster.sh"), ...args], { env });
  const nodes = [0, 1, 2].map((n) => ({
    number: n + 1,
    http: `http://127.0.0.1:${httpBase + n}`,
    ws: `ws://127.0.0.1:${httpBase + n}/ws`,
    pid: () => Number(readFileSync(join(run, `node${n + 1}.pid`), "utf8").trim()),
  }));
  const pids = () => nodes.map((n) => (existsSync(join(run, `node${n.number}.pid`)) ? n.pid() : undefined));
  const cluster = {
    nodes,
    run,
    async membersSeen(node) {
      return (await health(node.http)).body.cluster_members;
    },
    async everyNodeSeesThree() {
      for (const node of nodes) await eventually(async () => (await cluster.membersSeen(node)) === 3, `node ${node.number} sees three members`);
    },
    /** SIGKILL, then the survivors down it (as the split brain resolver would, sooner). */
    async kill(node) {
      process.kill(node.pid(), "SIGKILL");
      await eventually(() => !alive(node.pid()), `node ${node.number} is gone`);
      const survivor = nodes.find((n) => n !== node);
      await eventually(async () => {
        await fetch(`${survivor.http}/ws/admin/cluster/down-unreachable`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        return (await cluster.membersSeen(survivor)) === 2;
      }, `node ${node.number} is downed`);
    },
    async stop() {
      await script("stop").catch(() => undefined);
      for (const pid of pids()) if (pid && alive(pid)) process.kill(pid, "SIGKILL");
      rmSync(run, { recursive: true, force: true });
    },
  };
  try {
    await script("start");
    for (const pid of pids()) started.add(pid);
    await cluster.everyNodeSeesThree();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A real redis-server on a free loopback port, without persistence. */
export async function startRedis() {
  const port = await freePorts(1);
  const child = track(
    spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" }),
  );
  await eventually(() => canConnect(port), `redis-server answers on port ${port}`);
  return { connection: `127.0.0.1:${port},asyncTimeout=10000,syncTimeout=10000`, stop: () => stopChild(child, "SIGKILL") };
}

async function canConnect(port) {
  const { connect } = await import("node:net");
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.end();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}
