// Types of pulseboard-client (hand-written; the sources are plain ESM JavaScript).

/** One event, as an agent writes it (DESIGN.md's contract; GET /schema/event.json states the same rules). */
export interface Event {
  /** The dashboard: a slug, ^[a-z0-9][a-z0-9-]{0,62}$. */
  dashboard: string;
  /** The section of that dashboard: a slug. */
  section: string;
  /** What happened: ^[A-Za-z0-9_.:-]{1,64}$, e.g. "budget_warning". */
  action: string;
  /** Any JSON value; undefined is sent as null. The serialized event is at most maxEventBytes (64 KiB). */
  content?: unknown;
  /** Default "normal". */
  priority?: "low" | "normal" | "high" | "critical" | null;
  /** RFC 3339 or a Date. Absent: the server stamps the time of receipt, or the spool stamps the time it was spooled. */
  timestamp?: string | Date | null;
  /** The agent that wrote it: same rule as action. */
  source?: string | null;
  /** An idempotency key of 1–128 characters; given one (clientId-counter) when absent, so a retry is stored once. */
  id?: string | null;
}

/** What became of one event. */
export interface Outcome {
  /** Its position (seq) in the log; 0 when rejected or spooled. */
  seq: number;
  /** Why it was rejected (an EventError), or null. */
  error: Error | null;
  /** True when it waits in the disk spool; its seq is not known yet. */
  spooled: boolean;
  /** True when it is in the log, or in the spool on its way there. */
  stored: boolean;
}

export interface ClientOptions {
  /** The server. Default "http://127.0.0.1:5080". */
  url?: string;
  /** The bearer token, when the server has tokens. */
  token?: string;
  /**
   * Node only: a folder where batches wait while the server is down; they survive a restart and go out first, in
   * order, from this process or the next one using the folder. Absent: such batches fail (told to onError).
   */
  spoolDir?: string;
  /** The most the spool holds; past it the oldest events are dropped and counted in spoolDropped. Default 64 MiB. */
  spoolMaxBytes?: number;
  /**
   * Told of every failure append cannot return: invalid events (at once, on the caller's stack), rejections,
   * refused batches, spool drops. What it throws is swallowed and counted in listenerFailures.
   */
  onError?: (error: Error) => void;
  /** Events the queue holds before append drops and counts. Default 10,000. */
  queueSize?: number;
  /** The most events in one request. Default 512. */
  maxBatch?: number;
  /** The largest serialized event, as on the server. Default 65,536. */
  maxEventBytes?: number;
  /** One request's timeout. Default 10,000 ms. */
  timeoutMs?: number;
  /** Attempts per batch before it goes to the spool (or fails). Default 4. */
  maxAttempts?: number;
  /** The first wait between attempts, doubling up to 5 s; also how long a failed server counts as down. Default 100 ms. */
  firstBackoffMs?: number;
  /** The prefix of the ids given to events. Default 12 random hex digits. */
  clientId?: string;
  /** The fetch to use. Default globalThis.fetch. */
  fetch?: typeof fetch;
}

/**
 * Sends events to a Pulseboard server without ever making the caller wait.
 *
 * append returns at once and never throws for back-pressure or a dead server: a bounded queue (full: dropped and
 * counted), one writer that sends NDJSON batches, ids for idempotent retries, a disk spool (Node) while the server
 * is unreachable. In Node, process.exit() and the end of the script write what is still queued to the spool; a
 * kill -9 (or a signal the program does not handle) loses the events still in memory, never the spooled ones.
 */
export class Client {
  constructor(options?: ClientOptions);
  /** The prefix of the ids this client gives. */
  readonly clientId: string;
  /** Queues the event and returns at once: true when queued; false when invalid (told to onError) or dropped (counted). */
  append(event: Event): boolean;
  /** Queues the event and resolves to its outcome (durable: once fsynced on the server). Not bound by queueSize. */
  appendAsync(event: Event, options?: { durable?: boolean }): Promise<Outcome>;
  /** Resolves true once every event queued before the call is answered by the server, spooled ones included. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes what it can within timeoutMs and spools the rest; the writer ends. Idempotent. */
  close(timeoutMs?: number): Promise<void>;
  /** Events dropped because the queue was full or the client closed. */
  readonly dropped: number;
  /** Events refused by append for breaking a rule. */
  readonly invalid: number;
  /** Events the server rejected. */
  readonly rejected: number;
  /** Events lost with a batch the server refused as a whole (a 4xx such as 401, 403) or that could not be delivered without a spool. A 413 splits the batch; an event refused 413 alone counts in rejected. */
  readonly failed: number;
  /** Events the server acknowledged (duplicates of stored ids included). */
  readonly delivered: number;
  /** Events written to the spool. */
  readonly spooled: number;
  /** Spooled events dropped, oldest first, because the spool was full. */
  readonly spoolDropped: number;
  /** Calls to onError that threw. */
  readonly listenerFailures: number;
  /** HTTP requests made, retries included. */
  readonly requests: number;
}

/** An event broke a rule: field names it ("" for the whole event); the message says what to fix. */
export class EventError extends Error {
  readonly field: string;
}
/** The server could not be reached, or answered 408, 429 or 5xx. */
export class Unreachable extends Error {}
/** The server refused a whole batch (401, 403, 415, any other 4xx but 408 and 429; a 413 splits the batch instead). */
export class Refused extends Error {
  readonly status: number;
}
/** The spool was full: its oldest events were dropped. */
export class SpoolFull extends Error {}
