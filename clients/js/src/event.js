// The event contract (DESIGN.md, /schema/event.json), checked on the caller's side before an event is queued.

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](\.[0-9]{1,7})?([Zz]|[+-][0-9]{2}:[0-9]{2})$/;
const PRIORITIES = ["low", "normal", "high", "critical"];
const FIELDS = new Set(["dashboard", "section", "action", "content", "priority", "timestamp", "source", "id"]);
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;
const encoder = new TextEncoder();

/** An event broke a rule of the contract: `field` names it ("" for the whole event), the message says what to fix. */
export class EventError extends Error {
  constructor(field, message) {
    super(message);
    this.name = "EventError";
    this.field = field;
  }
}

/** An untrusted value for a message: JSON-escaped and cut to 64 characters, as the server quotes it. */
export function quote(value) {
  const text = String(value);
  return text.length > 64 ? JSON.stringify(text.slice(0, 64)).slice(0, -1) + "\u2026\"" : JSON.stringify(text);
}

function slug(field, value) {
  if (typeof value !== "string" || !SLUG.test(value)) {
    const what = value === undefined || value === null ? "is required, a slug" : `${quote(value)} is not a slug`;
    throw new EventError(field, `${field}: ${what} (${SLUG.source})`);
  }
}

function name(field, value) {
  if (typeof value !== "string" || !NAME.test(value)) {
    const what = value === undefined || value === null ? "is required, a name" : `${quote(value)} is not a name`;
    throw new EventError(field, `${field}: ${what} (${NAME.source})`);
  }
}

/**
 * The event as one line of JSON in the wire format (with its newline); throws EventError for a broken rule.
 * `reserve` bytes are kept free under the limit (room for a timestamp the spool may add).
 */
export function encode(e, id, maxEventBytes, reserve) {
  if (e === null || typeof e !== "object" || Array.isArray(e)) {
    throw new EventError("", "event: must be an object like { dashboard, section, action, content }");
  }
  for (const key of Object.keys(e)) {
    if (!FIELDS.has(key)) {
      throw new EventError(key, `${quote(key)}: is not a field of an event; the fields are ${[...FIELDS].join(", ")}`);
    }
  }
  slug("dashboard", e.dashboard);
  slug("section", e.section);
  name("action", e.action);
  const wire = {};
  const given = e.id ?? id;
  if (typeof given !== "string" || given.length < 1 || given.length > 128) {
    throw new EventError("id", "id: must be a string of 1 to 128 characters");
  }
  wire.id = given;
  wire.dashboard = e.dashboard;
  wire.section = e.section;
  wire.action = e.action;
  if (e.priority != null && e.priority !== "normal") {
    if (!PRIORITIES.includes(e.priority)) {
      throw new EventError("priority", `priority: ${quote(e.priority)} is not one of ${PRIORITIES.join(", ")}`);
    }
    wire.priority = e.priority;
  }
  if (e.timestamp != null) {
    const text = e.timestamp instanceof Date ? e.timestamp.toISOString() : e.timestamp;
    if (typeof text !== "string" || !TIMESTAMP.test(text)) {
      throw new EventError("timestamp", `timestamp: ${quote(text)} is not an RFC 3339 date-time; write it like 2026-11-22T14:03:00Z`);
    }
    wire.timestamp = text;
  }
  if (e.source != null) {
    name("source", e.source);
    wire.source = e.source;
  }
  wire.content = e.content === undefined ? null : e.content;
  let line;
  try {
    line = JSON.stringify(wire);
  } catch (error) { // a BigInt, a cycle: not JSON the server can read
    throw new EventError("content", `content: not JSON-serializable (${error.message}); send objects, arrays, strings, numbers, booleans, null`);
  }
  const limit = maxEventBytes - reserve;
  if (line.length * 3 > limit) { // a UTF-16 unit is at most 3 UTF-8 bytes: count only when it could matter
    const bytes = encoder.encode(line).length;
    if (bytes > limit) {
      throw new EventError("", `event: ${bytes} bytes serialized, over the limit of ${limit} bytes; send less content or raise the limit`);
    }
  }
  return line + "\n";
}
