// The event contract (DESIGN.md, /schema/event.json), checked on the caller's side before an event is queued.

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](\.[0-9]{1,7})?([Zz]|[+-][0-9]{2}:[0-9]{2})$/;
const PRIORITIES = ["low", "normal", "high", "critical"];
const FIELDS = new Set(["dashboard", "section", "action", "content", "priority", "timestamp", "source", "id"]);
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;
const encoder = new TextEncoder();

/** The UTF-8 length of `text`, what it weighs in a request's body (Buffer.byteLength where there is a Buffer). */
export const utf8Bytes = globalThis.Buffer?.byteLength ?? ((text) => {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) bytes += unit < 0x800 || (unit >= 0xd800 && unit < 0xe000) ? 1 : 2; // a surrogate pair: 4 bytes
  }
  return bytes;
});

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

const slugs = new Set(); // values already checked: agents write the same few dashboards, sections, actions, sources
const names = new Set();
const KNOWN_MAX = 4096;

function learn(known, check, field, value) {
  check(field, value);
  if (known.size >= KNOWN_MAX) known.clear();
  known.add(value);
}

/**
 * The event as one line of JSON in the wire format (with its newline); throws EventError for a broken rule.
 * Every field but the id and the content is checked against a rule that allows no character JSON must escape, so
 * the line is written around them and only those two go through JSON.stringify (`ownId`: the id is the client's
 * own, a name and a counter, which needs no escaping either). The line starts with {"id": (the spool's stamp relies
 * on the opening brace). `reserve` bytes are kept free under the limit (room for a timestamp the spool may add).
 */
export function encode(e, ownId, maxEventBytes, reserve) {
  if (e === null || typeof e !== "object" || Array.isArray(e)) {
    throw new EventError("", "event: must be an object like { dashboard, section, action, content }");
  }
  for (const key in e) {
    if (!FIELDS.has(key)) {
      throw new EventError(key, `${quote(key)}: is not a field of an event; the fields are ${[...FIELDS].join(", ")}`);
    }
  }
  const { dashboard, section, action, priority, timestamp, source, id } = e;
  if (!slugs.has(dashboard)) learn(slugs, slug, "dashboard", dashboard);
  if (!slugs.has(section)) learn(slugs, slug, "section", section);
  if (!names.has(action)) learn(names, name, "action", action);
  let line;
  if (id == null) {
    line = `{"id":"${ownId}"`;
  } else if (typeof id === "string" && id.length >= 1 && id.length <= 128) {
    line = `{"id":${JSON.stringify(id)}`;
  } else {
    throw new EventError("id", "id: must be a string of 1 to 128 characters");
  }
  line += `,"dashboard":"${dashboard}","section":"${section}","action":"${action}"`;
  if (priority != null && priority !== "normal") {
    if (!PRIORITIES.includes(priority)) {
      throw new EventError("priority", `priority: ${quote(priority)} is not one of ${PRIORITIES.join(", ")}`);
    }
    line += `,"priority":"${priority}"`;
  }
  if (timestamp != null) {
    const text = timestamp instanceof Date && !Number.isNaN(timestamp.getTime()) ? timestamp.toISOString() : timestamp;
    if (typeof text !== "string" || !TIMESTAMP.test(text)) {
      throw new EventError("timestamp", `timestamp: ${quote(text)} is not an RFC 3339 date-time; write it like 2026-11-22T14:03:00Z`);
    }
    line += `,"timestamp":"${text}"`;
  }
  if (source != null) {
    if (!names.has(source)) learn(names, name, "source", source);
    line += `,"source":"${source}"`;
  }
  let content;
  try {
    content = e.content === undefined ? "null" : JSON.stringify(e.content);
  } catch (error) { // a BigInt, a cycle: not JSON the server can read
    throw new EventError("content", `content: not JSON-serializable (${error.message}); send objects, arrays, strings, numbers, booleans, null`);
  }
  if (content === undefined) { // a function or a symbol: JSON has no such value
    throw new EventError("content", "content: not JSON-serializable (a function or a symbol); send objects, arrays, strings, numbers, booleans, null");
  }
  line += `,"content":${content}}\n`;
  const limit = maxEventBytes - reserve + 1; // the newline is not part of the event
  if (line.length * 3 > limit) { // a UTF-16 unit is at most 3 UTF-8 bytes: count only when it could matter
    const bytes = encoder.encode(line).length;
    if (bytes > limit) {
      throw new EventError("", `event: ${bytes - 1} bytes serialized, over the limit of ${limit - 1} bytes; send less content or raise the limit`);
    }
  }
  return line;
}
