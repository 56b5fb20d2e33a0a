import { Client, EventError } from "pulseboard-client";
const client = new Client({ url: "http://127.0.0.1:5080", token: undefined, spoolDir: "./pulseboard-spool", onError: (e) => { if (e instanceof EventError) console.log(e.field); } });
const queued: boolean = client.append({ dashboard: "fleet", section: "models", action: "heartbeat", source: "llama-3", content: { tokens_per_s: 41.5 } });
const ok: Promise<boolean> = client.flush(10_000);
client.appendAsync({ dashboard: "x", section: "y", action: "z" }, { durable: true }).then((o) => o.seq + 1);
// @ts-expect-error a typo in a field
client.append({ dashbaord: "x", section: "y", action: "z" });
void client.close(10_000); void queued; void ok;
