// POST /api/events: one NDJSON batch, and what the server made of each event.
import { EventError } from "./event.js";

/** The server could not take the batch now (no connection, a timeout, 408, 429, 5xx): retry, or spool it. */
export class Unreachable extends Error {
  constructor(message) {
    super(message);
    this.name = "Unreachable";
  }
}

/** The server will never take this batch as sent (401, 403, 413, 415, any other 4xx): retrying cannot help. */
export class Refused extends Error {
  constructor(status, message) {
    super(message);
    this.name = "Refused";
    this.status = status;
  }
}

/** Sends batches with `fetch` (keep-alive) to `url`/api/events. */
export class Connection {
  #endpoint;
  #headers;
  #timeoutMs;
  #fetch;

  constructor(url, token, clientId, timeoutMs, fetchImpl) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw new TypeError(`url: ${JSON.stringify(String(url))} is not an http:// or https:// address; pass e.g. http://127.0.0.1:5080`);
    }
    this.#endpoint = parsed.origin + parsed.pathname.replace(/\/+$/, "") + "/api/events?positions=true";
    this.#headers = { "Content-Type": "application/x-ndjson", "Pulseboard-Client": clientId };
    if (token) this.#headers.Authorization = `Bearer ${token}`;
    this.#timeoutMs = timeoutMs;
    this.#fetch = fetchImpl ?? globalThis.fetch;
    if (typeof this.#fetch !== "function") throw new TypeError("fetch is missing: Node 18 or later has it, or pass options.fetch");
  }

  /** Sends `count` events and resolves to an outcome for each; rejects with Unreachable or Refused. */
  async post(body, count, durable, dropped) {
    let status;
    let text;
    try {
      const response = await this.#fetch(this.#endpoint + (durable ? "&durable=true" : ""), {
        method: "POST",
        // The client's drops travel with its events, so the server's /metrics shows what agents lost.
        headers: { ...this.#headers, "Pulseboard-Client-Dropped": String(dropped) },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new Unreachable(`the server at ${this.#endpoint} cannot be reached (${error?.cause?.code ?? error?.message ?? error})`);
    }
    if (status === 202 || status === 400) return outcomes(status, text, count);
    if (status === 408 || status === 429 || status >= 500) throw new Unreachable(`the server answered ${status} ${detail(text)}`);
    throw new Refused(status, `the server refused the batch: ${status} ${detail(text)}`); // 401, 403, 404, 413...
  }
}

function parse(text) {
  try {
    const root = JSON.parse(text);
    return root !== null && typeof root === "object" && !Array.isArray(root) ? root : {};
  } catch {
    return {};
  }
}

function detail(text) {
  return parse(text).detail ?? text.slice(0, 300);
}

function outcomes(status, text, count) {
  const root = parse(text);
  const positions = Array.isArray(root.positions) ? root.positions : [];
  const result = Array.from({ length: count }, (_, i) => stored(positions[i] ?? 0));
  const rejected = status === 202 ? root.rejected : root.errors;
  if (status === 400 && !(Array.isArray(rejected) && rejected.length)) { // the body as a whole was refused
    return result.map(() => failed(new EventError("", `event: ${root.detail ?? "the server refused the batch"}`)));
  }
  for (const item of Array.isArray(rejected) ? rejected : []) {
    if (Number.isInteger(item?.index) && item.index >= 0 && item.index < count) {
      result[item.index] = failed(new EventError(String(item.field ?? ""), String(item.message ?? "rejected")));
    }
  }
  return result;
}

/** What became of one event: its seq once stored, the error when rejected, or spooled (its seq is not known yet). */
export const stored = (seq) => ({ seq, error: null, spooled: false, stored: true });
export const failed = (error) => ({ seq: 0, error, spooled: false, stored: false });
export const inSpool = Object.freeze({ seq: 0, error: null, spooled: true, stored: true });
