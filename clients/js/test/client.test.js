// The JavaScript client against a real `pulseboard serve` on loopback.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Client, Refused, SpoolFull } from "../src/node.js";
import { Client as BrowserClient } from "../src/browser.js";
import { Spool } from "../src/spool.js";
import { REPO, Server, child, finished, freePort, readLine, tempDir, waitFor, within } from "./support.js";

let server;
before(async () => { server = await Server.start(); });
after(async () => { await server.remove(); });

const mine = (client, on = server) => on.eventsOf(client.clientId);
const budget = (content, extra = {}) => ({ dashboard: "costs", section: "alerts", action: "budget_warning", content, ...extra });
const deadUrl = async () => `http://127.0.0.1:${await freePort()}`;

describe("delivery", () => {
  it("append returns true and flush sees every event stored in order", async () => {
    const client = new Client({ url: server.url });
    for (let i = 0; i < 300; i++) assert.equal(client.append(budget({ i }, { priority: "high", source: "haiku" })), true);
    assert.equal(await client.flush(30_000), true);
    const stored = mine(client);
    assert.deepEqual(stored.map((e) => e.content.i), [...Array(300).keys()]);
    assert.deepEqual([stored[0].priority, stored[0].source], ["high", "haiku"]);
    assert.equal(client.delivered, 300);
    await client.close();
  });

  it("a burst of appends goes in batches of maxBatch", async () => {
    const client = new Client({ url: server.url, maxBatch: 512 });
    for (let i = 0; i < 1000; i++) client.append({ dashboard: "velocity", section: "tasks", action: "task_completed", content: { i } });
    assert.equal(await client.flush(30_000), true);
    assert.equal(client.requests, 2); // 512 + 488: the writer starts after the synchronous burst
    assert.equal(mine(client).length, 1000);
    await client.close();
  });

  it("appendAsync answers the seq", async () => {
    const client = new Client({ url: server.url });
    const outcome = await client.appendAsync(budget({ current: 1 }), { durable: true });
    assert.equal(outcome.stored, true);
    assert.equal(outcome.seq, mine(client)[0].seq);
    await client.close();
  });

  it("an id given twice is stored once", async () => {
    const client = new Client({ url: server.url });
    client.append(budget(1, { id: `${client.clientId}-mine` }));
    client.append(budget(2, { id: `${client.clientId}-mine` }));
    assert.equal(await client.flush(30_000), true);
    assert.deepEqual(mine(client).map((e) => e.content), [1]);
    await client.close();
  });

  it("close is idempotent and later appends are dropped and counted", async () => {
    const client = new Client({ url: server.url });
    client.append(budget(1));
    await client.close();
    await client.close();
    assert.equal(client.append(budget(2)), false);
    assert.equal(client.dropped, 1);
    assert.deepEqual(mine(client).map((e) => e.content), [1]);
  });

  it("the package exports the Node client, and index.d.ts types the README's example", async () => {
    const exported = await import("pulseboard-client"); // the package's own name: its "exports" map
    assert.equal(exported.Client, Client);
    const here = path.dirname(new URL(import.meta.url).pathname);
    const tsc = path.join(here, "..", "node_modules", ".bin", "tsc");
    assert.ok(fs.existsSync(tsc), "TypeScript is not installed: run 'npm ci' in clients/js (./test.sh does)");
    const { code, out } = await new Promise((resolve) => execFile(tsc, ["-p", path.join(here, "types")], (error, stdout) => resolve({ code: error?.code ?? 0, out: stdout })));
    assert.equal(code, 0, out);
  });

  it("the browser entry has the same API and refuses a spool", async () => {
    assert.throws(() => new BrowserClient({ url: server.url, spoolDir: "x" }), /a browser has no disk spool/);
    const client = new BrowserClient({ url: server.url });
    client.append(budget(7));
    assert.equal(await client.flush(30_000), true);
    assert.deepEqual(mine(client).map((e) => e.content), [7]);
    await client.close();
  });
});

describe("never blocking", () => {
  it("append returns at once against a server that never answers, and a full queue drops and counts", async () => {
    const hung = net.createServer(() => {}); // takes connections, never answers
    await new Promise((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const sockets = [];
    hung.on("connection", (s) => sockets.push(s));
    try {
      const client = new Client({ url: `http://127.0.0.1:${hung.address().port}`, spoolDir: tempDir("pb-hung-"), queueSize: 10, timeoutMs: 1000, maxAttempts: 1 });
      const results = Array.from({ length: 100 }, (_, i) => client.append(budget(i)));
      assert.equal(results.filter(Boolean).length, 10);
      assert.equal(client.dropped, 90);
      await client.close(1000);
      assert.equal(client.spooled, 10); // what was queued is in the spool, none lost
    } finally {
      sockets.forEach((s) => s.destroy());
      hung.close();
    }
  });
});

describe("retries", () => {
  it("a batch whose answer was lost is sent again and stored once", async () => {
    const proxy = await losesFirstAnswer(server.port);
    try {
      const client = new Client({ url: proxy.url, firstBackoffMs: 10 });
      for (let i = 0; i < 5; i++) client.append(budget(i));
      assert.equal(await client.flush(30_000), true);
      assert.ok(client.requests >= 2);
      assert.deepEqual(mine(client).map((e) => e.content), [0, 1, 2, 3, 4]);
      assert.equal(client.delivered, 5);
      await client.close();
    } finally {
      proxy.close();
    }
  });
});

describe("errors", () => {
  it("an invalid event is told at once, without a round trip", async () => {
    const errors = [];
    const client = new Client({ url: server.url, onError: (e) => errors.push(e) });
    assert.equal(client.append({ dashboard: "Costs", section: "alerts", action: "budget_warning" }), false);
    assert.equal(client.append({ dashboard: "costs", section: "alerts", action: "budget warning" }), false);
    assert.equal(client.append(budget({ big: "x".repeat(70_000) })), false);
    assert.equal(client.append(budget(10n)), false);
    assert.equal(client.append(budget(() => 1)), false);
    assert.equal(client.append(budget(1, { priority: "urgent" })), false);
    assert.equal(client.append(budget(1, { dashbaord: "typo" })), false);
    assert.deepEqual(errors.map((e) => e.field), ["dashboard", "action", "", "content", "content", "priority", "dashbaord"]);
    assert.match(errors[0].message, /"Costs" is not a slug/);
    assert.equal(client.invalid, 7);
    assert.equal(client.requests, 0);
    await client.close();
  });

  it("the rules agree with the server's samples", async () => {
    const samples = JSON.parse(fs.readFileSync(path.join(REPO, "tests", "samples", "event-samples.json"), "utf8"));
    const client = new Client({ url: server.url, onError: () => {} });
    let checked = 0;
    for (const sample of samples) {
      const e = sample.event;
      if (e === null || typeof e !== "object" || Array.isArray(e)) continue; // not an object: not expressible as append's argument
      if (e.timestamp && !sample.valid && sample.why.includes("timestamp")) continue; // a calendar check the schema's pattern does not make
      assert.equal(client.append(e), sample.valid, sample.why);
      checked++;
    }
    assert.ok(checked > 20);
    await client.close();
  });

  it("rejected events reach onError, and a throwing onError stops nothing", async () => {
    const told = [];
    const client = new Client({ url: server.url, onError: (e) => { told.push(e); throw new Error("the listener fails"); } });
    assert.equal(client.append({ dashboard: "costs", section: "alerts", action: "Bad Action" }), false); // not thrown at the caller
    client.append(budget(1, { timestamp: "2026-13-45T00:00:00Z" })); // the server refuses it
    client.append(budget(2));
    assert.equal(await client.flush(30_000), true);
    client.append(budget(3));
    assert.equal(await client.flush(30_000), true);
    assert.deepEqual(mine(client).map((e) => e.content), [2, 3]);
    assert.deepEqual(told.map((e) => e.field), ["action", "timestamp"]);
    assert.match(told[1].message, /2026-13-45/);
    assert.deepEqual([client.rejected, client.listenerFailures], [1, 2]);
    await client.close();
  });
});

describe("refusals", () => {
  it("a batch the server refuses as a whole is reported, not spooled", async () => {
    const errors = [];
    const client = new Client({ url: `${server.url}/not-here`, spoolDir: tempDir("pb-404-"), onError: (e) => errors.push(e) }); // a 404
    client.append(budget(1));
    assert.equal(await client.flush(30_000), true);
    assert.deepEqual([client.failed, client.spooled, client.delivered], [1, 0, 0]);
    assert.ok(errors[0] instanceof Refused);
    assert.equal(errors[0].status, 404);
    await client.close();
  });
});

describe("tokens", () => {
  it("a token is sent as a bearer, and a missing or narrow one is reported", async () => {
    const token = "t".repeat(32);
    const guarded = await Server.start(undefined, [{ name: "agents", token, dashboards: ["costs"] }]);
    try {
      const errors = [];
      const client = new Client({ url: guarded.url, token, onError: (e) => errors.push(e) });
      client.append(budget(1));
      assert.equal(await client.flush(30_000), true);
      client.append({ dashboard: "velocity", section: "tasks", action: "task_completed", content: 2 }); // outside its dashboards: 403
      assert.equal(await client.flush(30_000), true);
      assert.deepEqual(mine(client, guarded).map((e) => e.content), [1]);
      assert.deepEqual(errors.map((e) => e.status), [403]);
      await client.close();
      const anonymous = new Client({ url: guarded.url, onError: (e) => errors.push(e) });
      anonymous.append(budget(3));
      assert.equal(await anonymous.flush(30_000), true);
      assert.deepEqual(errors.map((e) => e.status), [403, 401]);
      assert.match(errors[1].message, /Authorization: Bearer/);
      await anonymous.close();
    } finally {
      await guarded.remove();
    }
  });
});

describe("spool", () => {
  it("a down server spools, and gets everything in order when it is back", async () => {
    const port = await freePort();
    const spoolDir = tempDir("pb-spool-");
    const client = new Client({ url: `http://127.0.0.1:${port}`, spoolDir, firstBackoffMs: 50 });
    for (let i = 0; i < 20; i++) client.append(budget(i));
    await waitFor(() => client.spooled === 20);
    const back = await Server.start(port);
    try {
      client.append(budget(20));
      assert.equal(await client.flush(60_000), true);
      const stored = mine(client, back);
      assert.deepEqual(stored.map((e) => e.content), [...Array(21).keys()]);
      assert.ok(stored[0].timestamp); // stamped when spooled: it says when it happened
      await client.close();
      assert.equal(fs.existsSync(path.join(spoolDir, "spool.ndjson")), false);
    } finally {
      await back.remove();
    }
  });

  it("the next process with the same spool sends what the last one left, first", async () => {
    const spoolDir = tempDir("pb-spool-");
    const earlier = child(`
      import { Client } from "pulseboard-client";
      const [url, spoolDir, clientId] = process.argv.slice(1);
      const client = new Client({ url, spoolDir, clientId });
      for (let i = 0; i < 10; i++) client.append({ dashboard: "costs", section: "alerts", action: "budget_warning", content: i });
      await client.close(30000);
      console.log(client.spooled);`, await deadUrl(), spoolDir, `earlier-${process.pid}`);
    const { code, out, err } = await finished(earlier);
    assert.equal(out.trim(), "10", `${code} ${err}`);
    const client = new Client({ url: server.url, spoolDir });
    client.append(budget(10));
    assert.equal(await client.flush(60_000), true);
    const ours = server.events().filter((e) => e.id?.startsWith(`earlier-${process.pid}-`) || e.id?.startsWith(`${client.clientId}-`));
    assert.deepEqual(ours.map((e) => e.content), [...Array(11).keys()]);
    await client.close();
  });

  it("a full spool drops the oldest and counts them", async () => {
    const spoolDir = tempDir("pb-spool-");
    const errors = [];
    const client = new Client({ url: await deadUrl(), spoolDir, spoolMaxBytes: 2000, maxBatch: 5, onError: (e) => errors.push(e) });
    for (let i = 0; i < 60; i++) client.append(budget(i));
    await waitFor(() => client.spooled === 60);
    assert.ok(fs.statSync(path.join(spoolDir, "spool.ndjson")).size <= 2000);
    assert.ok(client.spoolDropped > 0);
    assert.ok(errors.some((e) => e instanceof SpoolFull));
    await client.close(0);
    const afterwards = new Client({ url: server.url, spoolDir });
    assert.equal(await afterwards.flush(60_000), true);
    await afterwards.close();
    const kept = mine(client).map((e) => e.content);
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => 60 - kept.length + i)); // the newest, in order
    assert.equal(kept.length + client.spoolDropped, 60);
  });
});

describe("processes", () => {
  it("a script that ends sends what it queued", async () => {
    const clientId = `ends-${process.pid}`;
    const script = child(`
      import { Client } from "pulseboard-client";
      const [url, clientId] = process.argv.slice(1);
      const client = new Client({ url, clientId });
      for (let i = 0; i < 50; i++) client.append({ dashboard: "costs", section: "alerts", action: "budget_warning", content: i });`, server.url, clientId);
    const { code, err } = await finished(script);
    assert.equal(code, 0, err);
    assert.deepEqual(server.eventsOf(clientId).map((e) => e.content), [...Array(50).keys()]);
  });

  it("process.exit() spools what was still queued; the next client delivers it", async () => {
    const spoolDir = tempDir("pb-exit-");
    const clientId = `exit-${process.pid}`;
    const script = child(`
      import { Client } from "pulseboard-client";
      const [url, spoolDir, clientId] = process.argv.slice(1);
      const client = new Client({ url, spoolDir, clientId });
      for (let i = 0; i < 30; i++) client.append({ dashboard: "costs", section: "alerts", action: "budget_warning", content: i });
      process.exit(0);`, server.url, spoolDir, clientId);
    const { code, err } = await finished(script);
    assert.equal(code, 0, err);
    const next = new Client({ url: server.url, spoolDir });
    assert.equal(await next.flush(60_000), true);
    await next.close();
    assert.deepEqual(server.eventsOf(clientId).map((e) => e.content), [...Array(30).keys()]);
  });

  it("kill -9 loses only the events not yet spooled", async () => {
    // The child spools 5 events (server down), then queues 3 more while this test holds the spool's lock, so its
    // writer cannot spool them; then it is killed. The next client delivers exactly the 5.
    const spoolDir = tempDir("pb-kill-");
    const clientId = `killed-${process.pid}`;
    const killed = child(`
      import { Client } from "pulseboard-client";
      import readline from "node:readline";
      const [url, spoolDir, clientId] = process.argv.slice(1);
      const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
      const client = new Client({ url, spoolDir, clientId });
      for (let i = 0; i < 5; i++) client.append({ dashboard: "costs", section: "alerts", action: "budget_warning", content: i });
      for (const deadline = Date.now() + 30000; client.spooled < 5 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 5));
      console.log(client.spooled === 5 ? "spooled" : "not spooled");
      await lines.next();
      for (let i = 5; i < 8; i++) client.append({ dashboard: "costs", section: "alerts", action: "budget_warning", content: i });
      console.log("queued");
      await lines.next();`, await deadUrl(), spoolDir, clientId);
    try {
      assert.equal(await readLine(killed), "spooled");
      const lock = new Spool(spoolDir, 1);
      await waitFor(() => lock.tryLock()); // the child's writer takes it for a moment on each retry
      killed.stdin.write("go\n");
      assert.equal(await readLine(killed), "queued");
      process.kill(killed.pid, "SIGKILL");
      await new Promise((resolve) => killed.once("exit", resolve));
      lock.unlock();
      const next = new Client({ url: server.url, spoolDir });
      assert.equal(await next.flush(60_000), true);
      await next.close();
      assert.deepEqual(server.eventsOf(clientId).map((e) => e.content), [0, 1, 2, 3, 4]);
    } finally {
      if (killed.exitCode === null && killed.signalCode === null) killed.kill("SIGKILL");
    }
  });
});

describe("spool lock", () => {
  const spooledLines = (prefix, count) => Array.from({ length: count }, (_, i) =>
    `{"id":"${prefix}-${i}","dashboard":"costs","section":"alerts","action":"budget_warning","content":${i}}\n`).join("");

  it("a lock left by an earlier run with this process's pid is taken over, not waited on (pid 1 after a restart)", async () => {
    const host = os.hostname();
    const earlier = [
      String(process.pid), // an older client's lock: the pid alone
      JSON.stringify({ pid: process.pid, nonce: "0123abcd", host, started: null }), // another run's nonce
      JSON.stringify({ pid: server.process.pid, nonce: "4567abcd", host, started: "1" }), // a live pid, reused since
    ];
    for (const [round, line] of earlier.entries()) {
      const spoolDir = tempDir("pb-lock-");
      const prefix = `samepid-${round}-${process.pid}`;
      fs.writeFileSync(path.join(spoolDir, "spool.ndjson"), spooledLines(prefix, 3));
      fs.writeFileSync(path.join(spoolDir, "spool.js.lock"), line);
      const client = new Client({ url: server.url, spoolDir });
      assert.equal(await client.flush(30_000), true, line);
      await client.close();
      assert.deepEqual(server.eventsOf(prefix).map((e) => e.content), [0, 1, 2], line);
      assert.equal(fs.existsSync(path.join(spoolDir, "spool.js.lock")), false);
      assert.deepEqual(fs.readdirSync(spoolDir), []); // no claim or temporary file left behind
    }
  });

  it("a live owner's lock is waited on: another process's, or another Spool's in this process", async () => {
    const spoolDir = tempDir("pb-lock-");
    const first = new Spool(spoolDir, 1000);
    const second = new Spool(spoolDir, 1000);
    assert.equal(first.tryLock(), true);
    assert.equal(second.tryLock(), false);
    first.unlock();
    assert.equal(second.tryLock(), true);
    second.unlock();
    const lockPath = path.join(spoolDir, "spool.js.lock");
    fs.writeFileSync(lockPath, JSON.stringify({ pid: server.process.pid, nonce: "89abcdef", host: os.hostname() }));
    assert.equal(first.tryLock(), false); // the server is alive, and nothing says its pid was reused
    fs.writeFileSync(lockPath, JSON.stringify({ pid: server.process.pid, nonce: "89abcdef", host: "elsewhere" }));
    assert.equal(first.tryLock(), false); // another host's lock, touched just now
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lockPath, old, old);
    assert.equal(first.tryLock(), true); // not touched for two minutes: its owner is gone
    first.unlock();
  });

  it("two takers of a dead owner's lock: only one gets it", () => {
    const spoolDir = tempDir("pb-lock-");
    const lockPath = path.join(spoolDir, "spool.js.lock");
    const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    fs.writeFileSync(lockPath, JSON.stringify({ pid: Number(dead.stdout.trim()), nonce: "deadbeef", host: os.hostname() }));
    const a = new Spool(spoolDir, 1000);
    const b = new Spool(spoolDir, 1000);
    // The race, made certain: right after A reads the dead owner's lock, B takes it over; then A goes on.
    const readFileSync = fs.readFileSync;
    let b_took = null;
    fs.readFileSync = function (file, ...rest) {
      const text = readFileSync.call(this, file, ...rest);
      if (b_took === null && file === lockPath) {
        b_took = false;
        b_took = b.tryLock();
      }
      return text;
    };
    let a_took;
    try {
      a_took = a.tryLock();
    } finally {
      fs.readFileSync = readFileSync;
    }
    assert.deepEqual([a_took, b_took], [false, true]);
    b.unlock();
    assert.deepEqual(fs.readdirSync(spoolDir), []);
  });

  it("process.exit() in the middle of a drain leaves no lock behind; the next process sends the spool", async () => {
    const hung = net.createServer(() => {}); // takes the drain's request, never answers
    const sockets = [];
    hung.on("connection", (s) => sockets.push(s));
    await new Promise((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const spoolDir = tempDir("pb-lock-");
    const prefix = `exitdrain-${process.pid}`;
    fs.writeFileSync(path.join(spoolDir, "spool.ndjson"), spooledLines(prefix, 4));
    try {
      const script = child(`
        import { Client } from "pulseboard-client";
        const [url, spoolDir] = process.argv.slice(1);
        const client = new Client({ url, spoolDir, timeoutMs: 60000 });
        for (const deadline = Date.now() + 30000; client.requests < 1 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 5));
        console.log(client.requests);
        process.exit(0);`, `http://127.0.0.1:${hung.address().port}`, spoolDir);
      const { code, out, err } = await finished(script);
      assert.equal(`${code} ${out.trim()}`, "0 1", err);
      assert.deepEqual(fs.readdirSync(spoolDir), ["spool.ndjson"]); // neither lock, nor a claim
    } finally {
      sockets.forEach((s) => s.destroy());
      hung.close();
    }
    const next = new Client({ url: server.url, spoolDir });
    assert.equal(await next.flush(30_000), true);
    await next.close();
    assert.deepEqual(server.eventsOf(prefix).map((e) => e.content), [0, 1, 2, 3]);
  });

  it("a drain waiting on its server blocks no other process's append; what was appended meanwhile goes after, once", async () => {
    // The drain's request is held until the other process, which has ended since, has spooled its events: the
    // drainer sends them next, in order, each once.
    const spoolDir = tempDir("pb-lock-");
    const prefix = `draining-${process.pid}`;
    const appender = `appender-${process.pid}`;
    fs.writeFileSync(path.join(spoolDir, "spool.ndjson"), spooledLines(prefix, 3));
    const bodies = [];
    let answer;
    const gate = new Promise((resolve) => { answer = resolve; });
    const held = async (url, init) => { // the server takes the drain's request and answers only when the test says so
      bodies.push(String(init.body));
      await gate;
      return fetch(url, init);
    };
    const draining = new Client({ url: server.url, spoolDir, fetch: held, timeoutMs: 120_000 });
    const ids = (text) => text.split("\n").filter(Boolean).map((line) => JSON.parse(line).id);
    const spooled = () => ids(fs.readFileSync(path.join(spoolDir, "spool.ndjson"), "utf8"));
    const drained = Array.from({ length: 3 }, (_, i) => `${prefix}-${i}`);
    const appended = Array.from({ length: 5 }, (_, i) => `${appender}-${i + 1}`);
    const url = await deadUrl();
    await waitFor(() => bodies.length === 1); // the drain's request is under way
    const other = child(`
      import { Client } from "pulseboard-client";
      const [url, spoolDir, clientId] = process.argv.slice(1);
      const client = new Client({ url, spoolDir, clientId });
      for (let i = 0; i < 5; i++) client.append({ dashboard: "costs", section: "alerts", action: "budget_warning", content: i });
      await client.close(5000);
      console.log(client.spooled);`, url, spoolDir, appender);
    try {
      const { code, out, err } = await within(finished(other), 30_000, "the other process's append waited for the drain's server");
      assert.equal(`${code} ${out.trim()}`, "0 5", err);
      assert.deepEqual(spooled(), [...drained, ...appended]); // behind what is being sent
    } finally {
      answer();
      if (other.exitCode === null && other.signalCode === null) other.kill("SIGKILL");
    }
    assert.equal(await draining.flush(30_000), true); // what the other process appended went too, after
    await draining.close();
    const stored = server.events().map((e) => e.id).filter((id) => id?.startsWith(`${prefix}-`) || id?.startsWith(`${appender}-`));
    assert.deepEqual(stored, [...drained, ...appended]); // in seq order
    assert.deepEqual(bodies.flatMap(ids), [...drained, ...appended]); // each sent once
    assert.deepEqual(fs.readdirSync(spoolDir), []); // no spool, lock or claim left
  });

  it("what a drain sent goes from the spool; what others did meanwhile stays; one process drains at a time", async () => {
    const lines = Array.from({ length: 6 }, (_, i) => `{"id":"x-${i}"}\n`);
    const torn = '{"id":"x-9"'; // a line cut by a kill
    const cases = [ // [the spool when the drain reads it, what another process does while it sends, the spool left]
      [lines.slice(0, 4), (dir) => new Spool(dir, 1 << 20).append([lines[4]]), lines[4]], // appends
      [lines.slice(0, 4), (dir) => new Spool(dir, 52).append([lines[4]]), lines[4]], // drops the oldest line to make room
      [lines.slice(0, 4), (dir) => new Spool(dir, 39).append(lines.slice(4)), lines.slice(4).join("")], // drops past the sent part
      [lines.slice(0, 4), (dir) => new Spool(dir, 26).append(lines.slice(4)), lines.slice(4).join("")], // drops all it read
      [[...lines.slice(0, 4), torn], (dir) => new Spool(dir, 1 << 20).append([lines[4]]), lines[4]], // after a torn line
    ];
    for (const [before, meanwhile, left] of cases) {
      const spoolDir = tempDir("pb-lock-");
      const file = path.join(spoolDir, "spool.ndjson");
      fs.writeFileSync(file, before.join(""));
      const sent = [];
      const drained = new Spool(spoolDir, 1 << 20).drain(async (chunk, count) => {
        const probe = new Spool(spoolDir, 1 << 20);
        assert.equal(probe.tryLock(), true, "the spool's file lock is held across a request");
        probe.unlock();
        assert.equal(await probe.drain(() => assert.fail("a second drain")), false); // one process sends the spool
        await meanwhile(spoolDir);
        sent.push([chunk.toString(), count]);
      });
      assert.equal(await within(drained, 30_000, "the drain"), true, left);
      assert.deepEqual(sent, [[before.join(""), before.length]]);
      assert.equal(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "", left);
      assert.deepEqual(fs.readdirSync(spoolDir).filter((f) => f !== "spool.ndjson"), []);
    }
    const spoolDir = tempDir("pb-lock-"); // a failed request: nothing goes, the append stays
    fs.writeFileSync(path.join(spoolDir, "spool.ndjson"), lines.slice(0, 4).join(""));
    const failing = new Spool(spoolDir, 1 << 20).drain(async () => {
      await new Spool(spoolDir, 1 << 20).append([lines[4]]);
      throw new Error("the server is away");
    });
    await assert.rejects(within(failing, 30_000, "the drain"), /the server is away/);
    assert.equal(fs.readFileSync(path.join(spoolDir, "spool.ndjson"), "utf8"), lines.slice(0, 5).join(""));
  });
});

describe("batch size", () => {
  // 20,000 CJK characters: 60,000 bytes, under the 64 KiB event limit, but 20,000 UTF-16 units.
  const wide = (i) => budget({ i, text: "\u6f22".repeat(20_000) });

  it("a batch is measured in bytes: non-ASCII events never make a body over the server's 8 MiB", async () => {
    const errors = [];
    const client = new Client({ url: server.url, onError: (e) => errors.push(e) });
    for (let i = 0; i < 200; i++) client.append(wide(i)); // 12 MB in all; 4 MiB of UTF-16 units would be 12.5 MB
    assert.equal(await client.flush(60_000), true);
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.deepEqual([client.delivered, client.failed, client.rejected], [200, 0, 0]);
    assert.ok(client.requests >= 3);
    assert.deepEqual(mine(client).map((e) => e.content.i), [...Array(200).keys()]);
    await client.close();
  });

  it("a batch refused 413 is split and its halves sent; one event refused alone is rejected, not retried", async () => {
    const limit = 50_000; // a proxy with a smaller body limit than the server's
    const sizes = [];
    const small = async (url, init) => {
      const bytes = Buffer.byteLength(init.body);
      sizes.push(bytes);
      if (bytes > limit) return new Response(JSON.stringify({ detail: "Body too large" }), { status: 413 });
      return fetch(url, init);
    };
    const errors = [];
    const client = new Client({ url: server.url, fetch: small, onError: (e) => errors.push(e) });
    for (let i = 0; i < 8; i++) client.append(budget({ i, text: "\u00e9".repeat(5_000) })); // 10 KB each, 80 KB in all
    assert.equal(await client.flush(30_000), true);
    assert.deepEqual(mine(client).map((e) => e.content.i), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual([client.delivered, client.rejected, client.failed], [8, 0, 0]);
    assert.equal(sizes.filter((n) => n > limit).length, 1); // the whole; then its halves
    client.append(budget({ i: 8, text: "\u6f22".repeat(20_000) })); // 60 KB: valid, but over the proxy's limit alone
    client.append(budget({ i: 9 }));
    assert.equal(await client.flush(30_000), true);
    assert.deepEqual(mine(client).map((e) => e.content.i), [0, 1, 2, 3, 4, 5, 6, 7, 9]);
    assert.deepEqual([client.delivered, client.rejected, client.failed], [9, 1, 0]);
    assert.match(errors[0].message, /413 Body too large; sent alone/);
    await client.close();
  });
});

/** A loopback proxy that forwards the first request, lets the server store it, and drops the answer. */
async function losesFirstAnswer(port) {
  let first = true;
  const sockets = [];
  const proxy = net.createServer((downstream) => {
    sockets.push(downstream);
    const upstream = net.connect(port, "127.0.0.1");
    sockets.push(upstream);
    downstream.pipe(upstream);
    upstream.on("data", (data) => {
      if (first) {
        first = false; // the server stored the batch; the client never hears of it
        downstream.destroy();
        upstream.destroy();
        return;
      }
      downstream.write(data);
    });
    upstream.on("error", () => downstream.destroy());
    downstream.on("error", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
  });
  await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${proxy.address().port}`, close: () => { sockets.forEach((s) => s.destroy()); proxy.close(); } };
}
