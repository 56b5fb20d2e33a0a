"""Python client benchmark: append p50/p99 per call and delivered events/s against a real `pulseboard serve`, beside
the seed document's design (open the file, append one line, close it, per event) in the same run.

    python3 bench/clients/python_bench.py [--events 100000] [--rounds 3]

Starts its own server on a free loopback port with a fresh data folder (the Release build, as the tests find it).
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python", "tests"))

import pulseboard  # noqa: E402
from support import Server  # noqa: E402

CONTENT = {"category": "cloud-services", "current": 812, "limit": 1000}


def percentile(sorted_ns, p):
    return sorted_ns[min(len(sorted_ns) - 1, int(len(sorted_ns) * p))] / 1000.0


def client_round(url, events):
    """Appends `events` (each call timed alone), then flushes; returns (per-call ns, delivered/s, dropped)."""
    client = pulseboard.Client(url, queue_size=events + 1)
    clock = time.perf_counter_ns
    times = []
    started = time.perf_counter()
    for i in range(events):
        t0 = clock()
        client.append("costs", "alerts", "budget_warning", CONTENT, priority="high", source="bench")
        times.append(clock() - t0)
    loop = time.perf_counter() - started
    if not client.flush(timeout=300):
        raise RuntimeError("flush did not finish within 300 s")
    elapsed = time.perf_counter() - started
    client.close()
    return times, client.delivered / elapsed, client.dropped, client.requests, loop / events * 1e6


def floor_round(url, events, batch=512):
    """The server's floor for one connection: the same events as pre-built NDJSON batches, posted one after another."""
    from pulseboard._http import Connection
    line = ('{"id":"floor-%d-%%d","dashboard":"costs","section":"alerts","action":"budget_warning","priority":"high",'
            '"source":"bench","content":%s}\n' % (time.time_ns(), json.dumps(CONTENT, separators=(",", ":"))))
    bodies = ["".join(line % (i + j) for j in range(batch)).encode() for i in range(0, events, batch)]
    connection = Connection(url, None, "floor", 60)
    started = time.perf_counter()
    for body in bodies:
        connection.post(body, batch, False, 0)
    elapsed = time.perf_counter() - started
    connection.close()
    return len(bodies) * batch / elapsed


def seed_round(folder, events):
    """The seed's appendDashboardUpdate: stamp the time, open the file, write one JSON line, close it."""
    path = os.path.join(folder, "dashboard-events.json")
    clock = time.perf_counter_ns
    times = []
    started = time.perf_counter()
    for i in range(events):
        t0 = clock()
        event = {"dashboard": "costs", "section": "alerts", "action": "budget_warning", "content": CONTENT,
                 "priority": "high", "source": "bench"}
        event["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with open(path, "a") as f:
            f.write(json.dumps(event) + "\n")
        times.append(clock() - t0)
    return times, events / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("machine: %d cores, %s, Python %s" % (os.cpu_count(), platform.platform(), platform.python_version()))
    server = Server()
    try:
        for _ in range(2):  # warm the server (its JIT tiers up over the first tens of thousands of events)
            client_round(server.url, 50_000)
            floor_round(server.url, 50_000)
        with tempfile.TemporaryDirectory() as folder:
            for r in range(1, args.rounds + 1):
                times, rate, dropped, requests, mean = client_round(server.url, args.events)
                times.sort()
                floor = floor_round(server.url, args.events)
                seed_times, seed_rate = seed_round(folder, args.events)
                seed_times.sort()
                print("round %d: client append p50 %.2f us, p99 %.2f us, mean %.2f us (the loop's time / calls); delivered %d events/s in %d requests (%d dropped); "
                      "server floor (pre-built batches of 512, one connection) %d events/s | "
                      "seed open/write/close p50 %.2f us, p99 %.2f us, %d events/s"
                      % (r, percentile(times, 0.5), percentile(times, 0.99), mean, rate, requests, dropped, floor,
                         percentile(seed_times, 0.5), percentile(seed_times, 0.99), seed_rate))
    finally:
        server.remove()


if __name__ == "__main__":
    main()
