// The application backend the service's own tests use (tests/Switchboard.TestBackend) as a process on a free loopback
// port: it answers the hooks (rpc method "echo" with its params, any other method with error "no_method") and checks
// every signature. Stopped by its PID, also when a test fails (the process's exit handler).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { eventually, freePorts, repositoryRoot } from "./service.mjs";

export const backendDll = join(repositoryRoot, "tests/Switchboard.TestBackend/bin/Release/net10.0/Switchboard.TestBackend.dll");

/** The secret the node and the backend share (Hooks__Secrets: at least 32 bytes). */
export const SECRET = "js-client-backend-secret-0123456789abcdef";

/** Starts the backend; `settings(...hooks)` gives a node's environment that points those hooks at it. */
export async function startBackend() {
  if (!existsSync(backendDll)) throw new Error(`${backendDll} is missing: build Akka.sln first (test.sh does)`);
  const port = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("dotnet", [backendDll, "--urls", url, "--secret", SECRET], {
    cwd: dirname(backendDll),
    stdio: ["ignore", "ignore", "ignore"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  await eventually(async () => (await fetch(`${url}/control/health`)).ok, `the test backend on port ${port} answers`);
  return {
    url,
    settings: (...hooks) =>
      Object.fromEntries([
        ["Hooks__Secrets", SECRET],
        ...hooks.map((hook) => [`Hooks__${hook[0].toUpperCase()}${hook.slice(1)}__Url`, `${url}/hooks/${hook}`]),
      ]),
    stop: async () => {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
