// Shared by the pages. Every text that came from an event goes in with textContent: never HTML.

// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) let a text disguise itself ("gnp.exe" shown
// as "exe.png"): an agent's text never gets to reorder what a reader sees.
const bidiControls = /[\u202A-\u202E\u2066-\u2069]/g;

/** Makes an element; `text` is set with textContent, so markup in it stays text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text).replace(bidiControls, "");
  return node;
}

/** The API base (`/api/dashboards` on the server; a static export points it at its `caches` folder). */
export function apiBase() {
  return document.querySelector('meta[name="pulseboard-api"]')?.content ?? "/api/dashboards";
}

/** True on a static site (`pulseboard export`): caches are files, there is no stream. */
export function isStatic() {
  return apiBase() === "caches" || apiBase().endsWith("/caches");
}

/** The URL of one dashboard's cache. */
export function cacheUrl(id) {
  return isStatic() ? `${apiBase()}/${id}.json` : `${apiBase()}/${id}`;
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(time, now = Date.now()) {
  if (!time) return "never";
  const seconds = Math.max(0, Math.round((now - new Date(time).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** Numbers as people read them; anything else as text (objects as compact JSON). */
export function show(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** GETs JSON, revalidating with the ETag it last saw; returns null when unchanged (304). */
export async function fetchJson(url, state) {
  const headers = state?.etag ? { "If-None-Match": state.etag } : {};
  const response = await fetch(url, { headers, cache: "no-cache" });
  if (response.status === 304) return null;
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  if (state) state.etag = response.headers.get("ETag");
  return response.json();
}
