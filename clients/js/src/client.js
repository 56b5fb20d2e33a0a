// The one call every agent makes: client.append(event) queues it and returns at once; a writer sends batches.
import { DEFAULT_MAX_EVENT_BYTES, EventError, encode, utf8Bytes } from "./event.js";
import { Connection, Refused, Unreachable, failed, inSpool } from "./http.js";

const MAX_BACKOFF_MS = 5000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024; // UTF-8 bytes, under the server's 8 MiB body limit (a 413 still splits a batch)
const STAMP_BYTES = '"timestamp":"2026-11-22T14:03:00.123Z",'.length;
const soon = globalThis.setImmediate ?? ((f) => setTimeout(f, 0));
const NEWLINE = 0x0a;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The spool reached its bound: its oldest events were dropped to make room. */
export class SpoolFull extends Error {
  constructor(message) {
    super(message);
    this.name = "SpoolFull";
  }
}

/**
 * Sends events to a Pulseboard server. See index.d.ts for the promise: append never blocks and never throws for
 * back-pressure or a dead server; a full queue drops and counts; a spool (Node) keeps what the server cannot take.
 */
export class ClientCore {
  #http;
  #spool;
  #onError;
  #queueSize;
  #maxBatch;
  #maxEventBytes;
  #maxAttempts;
  #firstBackoffMs;
  #ids = 0;
  #queue = [];
  #head = 0;
  #running = null; // the writer's promise while it runs
  #timer = null;
  #parked = []; // flush markers waiting for the spool to empty
  #downUntil = 0;
  #downFor = 0;
  #spoolWaiting;
  #closed = false;
  #stop = false;
  #inFlight = null;

  constructor(options = {}, spool = null) {
    const o = { queueSize: 10_000, maxBatch: 512, maxEventBytes: DEFAULT_MAX_EVENT_BYTES, timeoutMs: 10_000, maxAttempts: 4, firstBackoffMs: 100, ...options };
    for (const key of ["queueSize", "maxBatch", "maxAttempts"]) {
      if (!Number.isInteger(o[key]) || o[key] < 1) throw new RangeError(`${key} must be an integer of at least 1 (defaults: queueSize 10000, maxBatch 512, maxAttempts 4)`);
    }
    if (!(o.maxEventBytes >= 256)) throw new RangeError("maxEventBytes must be at least 256, as on the server (default 65536)");
    if (o.clientId != null && !/^[A-Za-z0-9_.:-]{1,64}$/.test(o.clientId)) {
      throw new TypeError(`clientId: ${JSON.stringify(String(o.clientId))} is not a name (^[A-Za-z0-9_.:-]{1,64}$); it prefixes every id`);
    }
    this.clientId = o.clientId ?? Array.from({ length: 12 }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");
    this.#http = new Connection(o.url ?? "http://127.0.0.1:5080", o.token, this.clientId, o.timeoutMs, o.fetch);
    this.#spool = spool;
    this.#onError = o.onError ?? null;
    this.#queueSize = o.queueSize;
    this.#maxBatch = o.maxBatch;
    this.#maxEventBytes = o.maxEventBytes;
    this.#maxAttempts = o.maxAttempts;
    this.#firstBackoffMs = Math.max(o.firstBackoffMs, 1);
    this.#spoolWaiting = spool !== null && spool.size() > 0; // left by an earlier run: it goes first
    Object.assign(this, { dropped: 0, invalid: 0, rejected: 0, failed: 0, delivered: 0, spooled: 0, spoolDropped: 0, listenerFailures: 0, requests: 0 });
    if (this.#spoolWaiting) this.#kick();
  }

  /** Queues one event and returns at once: true when queued; false when invalid (told to onError) or dropped. */
  append(event) {
    const line = this.#encode(event);
    if (line === null) return false;
    if (this.#closed || this.#queue.length - this.#head >= this.#queueSize) {
      this.dropped++;
      return false;
    }
    this.#queue.push({ line, unstamped: event.timestamp == null, answer: null, durable: false });
    this.#kick();
    return true;
  }

  /** Queues one event and resolves to its outcome: { seq, error, spooled, stored }. Not bound by queueSize. */
  appendAsync(event, { durable = false } = {}) {
    const errors = [];
    const line = this.#encode(event, (e) => errors.push(e));
    if (line === null) return Promise.resolve(failed(errors[0]));
    if (this.#closed) return Promise.reject(new Error("the client is closed"));
    return new Promise((answer) => {
      this.#queue.push({ line, unstamped: event.timestamp == null, answer, durable });
      this.#kick();
    });
  }

  /** Resolves true once every event queued before the call is answered by the server (spooled ones included). */
  flush(timeoutMs = 10_000) {
    return this.#mark("flush", timeoutMs);
  }

  /** Flushes what it can within timeoutMs, spools the rest, and ends the writer. Idempotent. */
  async close(timeoutMs = 10_000) {
    if (this.#closed) return this.#running ?? undefined;
    this.#closed = true;
    const deadline = Date.now() + timeoutMs;
    const handed = await this.#mark("handed", timeoutMs);
    if (!(handed && this.#spoolWaiting && this.#downUntil > Date.now()) && (this.#spoolWaiting || !handed)) {
      await this.flush(Math.max(deadline - Date.now(), 0));
    }
    this.#stop = true;
    clearTimeout(this.#timer);
    this.#kick();
    await this.#running;
  }

  /** The events not yet handed to the server or the spool (the queue, and the batch in flight): for an exit hook. */
  takeUnsent() {
    const unsent = [...(this.#inFlight ?? []), ...this.#queue.slice(this.#head)].filter((item) => item.line !== null);
    this.#queue = [];
    this.#head = 0;
    return unsent.map((item) => this.#stamped(item));
  }

  #mark(kind, timeoutMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#queue.push({ line: null, kind, answer: () => { clearTimeout(timer); resolve(true); } });
      this.#kick();
    });
  }

  #encode(event, tell) {
    try {
      const timed = event !== null && typeof event === "object" && event.timestamp != null;
      return encode(event, `${this.clientId}-${++this.#ids}`, this.#maxEventBytes, timed ? 0 : STAMP_BYTES);
    } catch (error) {
      if (!(error instanceof EventError)) throw error;
      this.invalid++;
      (tell ?? ((e) => this.#report(e)))(error);
      return null;
    }
  }

  #report(error) {
    if (this.#onError === null) return;
    try {
      this.#onError(error);
    } catch {
      this.listenerFailures++; // a failing listener must reach neither the agent nor the writer
    }
  }

  #kick() {
    if (this.#running !== null) return;
    this.#running = new Promise((resolve) => soon(() => this.#run().then(resolve, (error) => { this.#report(error); resolve(); })))
      .finally(() => {
        this.#running = null;
        if (this.#queue.length > this.#head) this.#kick();
        else this.#scheduleSpool();
      });
  }

  #scheduleSpool() {
    clearTimeout(this.#timer);
    if (!this.#spoolWaiting || this.#stop) return;
    this.#timer = setTimeout(() => this.#kick(), Math.max(this.#downUntil - Date.now(), 0));
    this.#timer.unref?.(); // a spool waiting for a dead server does not keep the process alive: it is on disk
  }

  async #run() {
    await this.#drainSpoolIfDue();
    while (this.#queue.length > this.#head) {
      const { batch, markers } = this.#take();
      if (batch.length > 0) {
        await this.#drainSpoolIfDue(); // spooled events go before newer ones
        this.#inFlight = batch;
        await this.#send(batch);
        this.#inFlight = null;
      }
      for (const marker of markers) {
        if (marker.kind === "handed" || !this.#spoolWaiting) marker.answer();
        else this.#parked.push(marker);
      }
    }
  }

  #take() {
    const batch = [];
    const markers = [];
    let size = 0;
    while (this.#queue.length > this.#head && batch.length < this.#maxBatch && size < MAX_BATCH_BYTES) {
      const item = this.#queue[this.#head++];
      if (item.line === null) {
        markers.push(item);
        break; // answered once what came before it is
      }
      batch.push(item);
      size += utf8Bytes(item.line); // bytes on the wire: a UTF-16 length undercounts non-ASCII text up to 3 times
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return { batch, markers };
  }

  #markDown() {
    this.#downFor = this.#downFor === 0 ? this.#firstBackoffMs : Math.min(this.#downFor * 2, MAX_BACKOFF_MS);
    this.#downUntil = Date.now() + this.#downFor;
  }

  async #send(batch) {
    if (this.#spool !== null && (this.#spoolWaiting || this.#downUntil > Date.now() || this.#stop)) {
      return this.#toSpool(batch); // behind what waits, or down a moment ago: no network attempt
    }
    let outcomes;
    try {
      outcomes = await this.#post(batch.map((item) => item.line).join(""), batch.length, batch.some((item) => item.durable), this.#maxAttempts);
    } catch (error) {
      if (error instanceof Refused && error.status === 413) return this.#split(batch, error);
      if (error instanceof Unreachable && this.#spool !== null) {
        this.#markDown();
        return this.#toSpool(batch);
      }
      const lost = error instanceof Unreachable ? new Unreachable(`${error.message}; no spoolDir, so ${batch.length} events were lost`) : error;
      return this.#fail(batch, lost);
    }
    batch.forEach((item, i) => this.#answer(item, outcomes[i]));
  }

  /** A 413 (too large a body, or too many events): the halves go one after the other; one event alone is rejected. */
  async #split(batch, error) {
    if (batch.length === 1) return this.#answer(batch[0], failed(tooLarge(error)));
    const half = Math.ceil(batch.length / 2);
    await this.#send(batch.slice(0, half));
    await this.#send(batch.slice(half));
  }

  async #post(body, count, durable, attempts) {
    let wait = this.#firstBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        this.requests++;
        const outcomes = await this.#http.post(body, count, durable, this.dropped);
        this.#downFor = 0;
        return outcomes;
      } catch (error) {
        if (!(error instanceof Unreachable) || attempt >= attempts || this.#stop) throw error;
      }
      await delay(wait); // the ids make a repeat of a batch the server did store harmless
      wait = Math.min(wait * 2, MAX_BACKOFF_MS);
    }
  }

  #answer(item, outcome) {
    if (outcome.error === null) this.delivered++;
    else {
      this.rejected++;
      this.#report(outcome.error);
    }
    item.answer?.(outcome);
  }

  #fail(batch, error) {
    this.failed += batch.length;
    this.#report(error);
    for (const item of batch) item.answer?.(failed(new EventError("", `event: ${error.message}`)));
  }

  #stamped(item) {
    // It may wait a while: keep when it happened, not when it finally arrives.
    return item.unstamped ? `{"timestamp":"${new Date().toISOString()}",${item.line.slice(1)}` : item.line;
  }

  async #toSpool(batch) {
    let dropped;
    try {
      dropped = await this.#spool.append(batch.map((item) => this.#stamped(item)));
    } catch (error) {
      return this.#fail(batch, error);
    }
    this.#spoolWaiting = true;
    this.spooled += batch.length;
    if (dropped > 0) {
      this.spoolDropped += dropped;
      this.#report(new SpoolFull(`the spool ${this.#spool.path} is full (${this.#spool.maxBytes} bytes): its ${dropped} oldest events were dropped`));
    }
    for (const item of batch) item.answer?.(inSpool);
  }

  async #drainSpoolIfDue() {
    if (!this.#spoolWaiting || this.#stop || this.#downUntil > Date.now()) return;
    const attempts = this.#downFor > 0 ? 1 : this.#maxAttempts; // one try tells whether a down server is back
    try {
      if (!(await this.#spool.drain((chunk, lines) => this.#sendSpooled(chunk, lines, attempts)))) {
        // Another process is sending the spool (ours with it): new batches join it; look again soon.
        this.#downUntil = Date.now() + this.#firstBackoffMs;
        return;
      }
    } catch (error) {
      this.#markDown();
      if (!(error instanceof Unreachable)) this.#report(error);
      return;
    }
    // Another process may have appended while this one sent (it waited for no server): that goes next, from here,
    // before this process's newer events, even if its process has ended since.
    this.#spoolWaiting = this.#spool.size() > 0;
    if (this.#spoolWaiting) return;
    for (const marker of this.#parked.splice(0)) marker.answer();
  }

  async #sendSpooled(chunk, lines, attempts) {
    let outcomes;
    try {
      outcomes = await this.#post(chunk, lines, false, attempts);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      if (error.status === 413 && lines > 1) return this.#splitSpooled(chunk, attempts);
      if (error.status === 413) {
        this.rejected++;
        return this.#report(tooLarge(error));
      }
      this.failed += lines; // refused for good, as a live batch would be: sending it again cannot help
      this.#report(error);
      return;
    }
    for (const outcome of outcomes) {
      if (outcome.error === null) this.delivered++;
      else {
        this.rejected++;
        this.#report(outcome.error);
      }
    }
  }

  /** A spooled chunk refused 413: its halves, cut at a line end, go one after the other. */
  async #splitSpooled(chunk, attempts) {
    let cut = chunk.indexOf(NEWLINE, chunk.length >> 1) + 1;
    if (cut <= 0 || cut >= chunk.length) cut = chunk.indexOf(NEWLINE) + 1; // more than one line: there is a first end
    await this.#sendSpooled(chunk.subarray(0, cut), lineCount(chunk.subarray(0, cut)), attempts);
    await this.#sendSpooled(chunk.subarray(cut), lineCount(chunk.subarray(cut)), attempts);
  }
}

function lineCount(chunk) {
  let lines = chunk.length > 0 && chunk[chunk.length - 1] !== NEWLINE ? 1 : 0;
  for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, i + 1)) lines++;
  return lines;
}

/** The server refused one event alone as too large (413): a rejection of that event, never retried. */
const tooLarge = (error) => new EventError("", `event: ${error.message}; sent alone, so this event is too large for the server`);
