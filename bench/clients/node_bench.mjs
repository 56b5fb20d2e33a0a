// JavaScript client benchmark: append p50/p99 per call and delivered events/s against a real `pulseboard serve`,
// beside the seed document's design (open the file, append one line, close it, per event) in the same run.
//
//   node bench/clients/node_bench.mjs [--events 100000] [--rounds 3]
//
// Starts its own server on a free loopback port with a fresh data folder (the Release build, as the tests find it).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "../../clients/js/src/node.js";
import { Server, tempDir } from "../../clients/js/test/support.js";

const argument = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const events = argument("events", 100_000);
const rounds = argument("rounds", 3);
const content = { category: "cloud-services", current: 812, limit: 1000 };
const percentile = (sorted, p) => Number(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]) / 1000;

async function clientRound(url, count) {
  const client = new Client({ url, queueSize: count + 1 });
  const times = new Array(count);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    client.append({ dashboard: "costs", section: "alerts", action: "budget_warning", content, priority: "high", source: "bench" });
    times[i] = process.hrtime.bigint() - t0;
  }
  const loop = performance.now() - started;
  if (!(await client.flush(300_000))) throw new Error("flush did not finish within 300 s");
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return { times: times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), rate: client.delivered / seconds, mean: (loop * 1000) / count, requests: client.requests, dropped: client.dropped };
}

async function floorRound(url, count, batch = 512) {
  // The server's floor for one connection: the same events as pre-built NDJSON batches, posted one after another.
  const stamp = Date.now();
  const bodies = [];
  for (let i = 0; i < count; i += batch) {
    let body = "";
    for (let j = 0; j < batch; j++) {
      body += `{"id":"floor-${stamp}-${i + j}","dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high","source":"bench","content":${JSON.stringify(content)}}\n`;
    }
    bodies.push(body);
  }
  const started = performance.now();
  for (const body of bodies) {
    const response = await fetch(`${url}/api/events?positions=true`, { method: "POST", headers: { "Content-Type": "application/x-ndjson" }, body });
    if (response.status !== 202) throw new Error(`the server answered ${response.status}`);
    await response.text();
  }
  return (bodies.length * batch) / ((performance.now() - started) / 1000);
}

function seedRound(folder, count) {
  // The seed's appendDashboardUpdate: stamp the time, open the file, write one JSON line, close it.
  const file = path.join(folder, "dashboard-events.json");
  const times = new Array(count);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    const event = { dashboard: "costs", section: "alerts", action: "budget_warning", content, priority: "high", source: "bench" };
    event.timestamp = new Date().toISOString();
    fs.appendFileSync(file, JSON.stringify(event) + "\n");
    times[i] = process.hrtime.bigint() - t0;
  }
  return { times: times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), rate: count / ((performance.now() - started) / 1000) };
}

console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, Node ${process.version}`);
const server = await Server.start();
try {
  for (let i = 0; i < 2; i++) { // warm the server (its JIT tiers up over the first tens of thousands of events) and ours
    await clientRound(server.url, 50_000);
    await floorRound(server.url, 50_000);
  }
  const folder = tempDir("pb-seed-");
  for (let r = 1; r <= rounds; r++) {
    const c = await clientRound(server.url, events);
    const floor = await floorRound(server.url, events);
    const s = seedRound(folder, events);
    console.log(`round ${r}: client append p50 ${percentile(c.times, 0.5).toFixed(2)} us, p99 ${percentile(c.times, 0.99).toFixed(2)} us, `
      + `mean ${c.mean.toFixed(2)} us (the loop's time / calls); `
      + `delivered ${Math.round(c.rate)} events/s in ${c.requests} requests (${c.dropped} dropped); `
      + `server floor (pre-built batches of 512, one connection) ${Math.round(floor)} events/s | `
      + `seed open/write/close p50 ${percentile(s.times, 0.5).toFixed(2)} us, p99 ${percentile(s.times, 0.99).toFixed(2)} us, ${Math.round(s.rate)} events/s`);
  }
  fs.rmSync(folder, { recursive: true, force: true });
} finally {
  await server.remove();
}
