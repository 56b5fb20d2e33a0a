// A real `pulseboard serve` for the tests: started on a free loopback port, stopped by its pid.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CLIENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "node.js");

/** How to run the CLI: $PULSEBOARD_CLI, else the Release build (./test.sh builds it), else the ./pulseboard launcher. */
export function cli() {
  if (process.env.PULSEBOARD_CLI) return process.env.PULSEBOARD_CLI.split(" ");
  const built = path.join(REPO, "src", "Pulseboard.Cli", "bin", "Release", "net10.0", "pulseboard.dll");
  return fs.existsSync(built) ? ["dotnet", built] : [path.join(REPO, "pulseboard")];
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export const tempDir = (prefix) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Waits (bounded) until condition() holds, checking every few milliseconds. */
export async function waitFor(condition, boundMs = 30_000) {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not true within ${boundMs} ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export class Server {
  /** Starts a server on `port` (a free one by default), with `tokens` ([{ name, token, dashboards }]) when given. */
  static async start(port, tokens) {
    const server = new Server(port ?? (await freePort()), tokens);
    await server.#waitHealthy();
    return server;
  }

  constructor(port, tokens) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.data = tempDir("pb-js-");
    const out = fs.openSync(path.join(this.data, "server-output.txt"), "a");
    const [command, ...args] = cli();
    const extra = [];
    if (tokens) {
      extra.push("--tokens", path.join(this.data, "tokens.json"));
      fs.writeFileSync(extra[1], JSON.stringify(tokens));
    }
    this.process = spawn(command, [...args, "serve", "--data", this.data, "--dashboards", path.join(REPO, "dashboards"), "--urls", this.url, ...extra], { stdio: ["ignore", out, out] });
    fs.closeSync(out);
    this.exited = new Promise((resolve) => this.process.once("exit", resolve));
  }

  async #waitHealthy() {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (this.process.exitCode !== null) throw new Error(`the server exited with ${this.process.exitCode}; see ${this.data}`);
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // still starting
      }
      if (Date.now() > deadline) throw new Error("the server did not answer /healthz within a minute");
      await new Promise((resolve) => setTimeout(resolve, 50)); // polling the server's start-up, bounded
    }
  }

  /** Every event in the log, in seq order (the log's own files, read while it runs). */
  events() {
    const folder = path.join(this.data, "events");
    return fs.readdirSync(folder).filter((f) => f.endsWith(".jsonl")).sort()
      .flatMap((f) => fs.readFileSync(path.join(folder, f), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)));
  }

  /** The events whose id starts with `prefix-`. */
  eventsOf(prefix) {
    return this.events().filter((e) => typeof e.id === "string" && e.id.startsWith(`${prefix}-`));
  }

  async remove() {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      process.kill(this.process.pid, "SIGTERM");
      await this.exited;
    }
    fs.rmSync(this.data, { recursive: true, force: true });
  }
}

/** Runs `node --input-type=module -e script args…` with the client importable as "pulseboard-client". */
export function child(script, ...args) {
  const source = script.replaceAll("pulseboard-client", CLIENT);
  return spawn(process.execPath, ["--input-type=module", "-e", source, "--", ...args.map(String)], { stdio: ["pipe", "pipe", "pipe"] });
}

/** The next line the child writes on stdout. */
export function readLine(process) {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (data) => {
      buffer += data;
      const newline = buffer.indexOf("\n");
      if (newline >= 0) {
        process.stdout.off("data", onData);
        resolve(buffer.slice(0, newline));
      }
    };
    process.stdout.setEncoding("utf8");
    process.stdout.on("data", onData);
    process.once("exit", (code) => reject(new Error(`the child exited with ${code} before writing a line: ${buffer}`)));
  });
}

/** Resolves to { code, out, err } when the child ends. */
export function finished(process) {
  let out = "";
  let err = "";
  process.stdout.setEncoding("utf8").on("data", (d) => { out += d; });
  process.stderr.setEncoding("utf8").on("data", (d) => { err += d; });
  return new Promise((resolve) => process.once("close", (code) => resolve({ code, out, err })));
}

/** Resolves as promise does, or rejects once boundMs have passed first, saying `what` (a bound, not a timing). */
export function within(promise, boundMs, what) {
  let timer;
  const bound = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`not within ${boundMs} ms: ${what}`)), boundMs); });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}
