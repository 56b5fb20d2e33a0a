# Alert detection delay (docs/BENCHMARKS.md): against a running `pulseboard serve --urls http://127.0.0.1:5099` whose
# dashboards hold watch.yaml (a heartbeat section `models`, every: 1s, grace: 1s, and a `status: down` alert on it).
import json, time, urllib.request, datetime, sys
base = "http://127.0.0.1:5099"
delays = []
for run in range(10):
    src = f"m{run}"
    now = datetime.datetime.now(datetime.timezone.utc)
    ev = {"dashboard":"watch","section":"models","action":"beat","source":src,"timestamp":now.isoformat().replace("+00:00","Z"),"content":{}}
    req = urllib.request.Request(base + "/api/events", data=json.dumps(ev).encode(), headers={"Content-Type":"application/json"})
    urllib.request.urlopen(req).read()
    down_at = now.timestamp() + 4.0  # 3 x every + grace
    while True:
        alerts = json.load(urllib.request.urlopen(base + "/api/alerts"))
        if any(a["labels"].get("source") == src for a in alerts):
            delays.append(time.time() - down_at); break
        time.sleep(0.01)
delays.sort()
print("runs", len(delays), "min %.3f median %.3f max %.3f" % (delays[0], delays[len(delays)//2], delays[-1]))
