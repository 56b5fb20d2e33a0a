// Shared by the pages. Every text that came from an event goes in with textContent: never HTML.

// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) let a text disguise itself ("gnp.exe" shown
// as "exe.png"): an agent's text never gets to reorder what a reader sees.
const bidiControls = /[\u202A-\u202E\u2066-\u2069]/g;

/** Text as it will be shown: without bidirectional controls. */
export function clean(text) {
  return String(text).replace(bidiControls, "");
}

/** Makes an element; `text` is set with textContent, so markup in it stays text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = clean(text);
  return node;
}

/** Sets a node's text only when it differs, so an unchanged update touches nothing (selection survives). */
export function setText(node, text) {
  const next = clean(text ?? "");
  if (node.textContent !== next) node.textContent = next;
}

/** The API base (`/api/dashboards` on the server; a static export points it at its `caches` folder). */
export function apiBase() {
  return document.querySelector('meta[name="pulseboard-api"]')?.content ?? "/api/dashboards";
}

/** The alerts API beside the dashboards API the page was given (`…/api/dashboards` → `…/api/alerts`). */
export function alertsUrl(dashboard) {
  const base = apiBase().replace(/\/dashboards\/?$/, "/alerts");
  return dashboard ? `${base}?dashboard=${encodeURIComponent(dashboard)}` : base;
}

/**
 * Wraps a fetch-and-draw so only the newest call draws: an answer that arrives after a later call was made is
 * dropped, so a slow, older answer never paints over a newer one.
 */
export function latestOnly(load) {
  let newest = 0;
  return async (...args) => {
    const mine = ++newest;
    const result = await load(...args);
    return { result, current: mine === newest };
  };
}

/** True on a static site (`pulseboard export`): caches are files, there is no stream. */
export function isStatic() {
  return apiBase() === "caches" || apiBase().endsWith("/caches");
}

/** The URL of one dashboard's cache. */
export function cacheUrl(id) {
  return isStatic() ? `${apiBase()}/${id}.json` : `${apiBase()}/${id}`;
}

/** The link to one dashboard's page. */
export function pageUrl(id) {
  return isStatic() ? `${encodeURIComponent(id)}.html` : `/d/${encodeURIComponent(id)}`;
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

// Formatters are made on first use: making one loads locale data, which the first render should not wait for.
let absoluteFormat = null;
let numberFormat = null;

/** The absolute time in the reader's zone, with the zone: "1 Dec 2026, 14:05:03 CET". */
export function absolute(time) {
  absoluteFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "long" });
  return time ? absoluteFormat.format(new Date(time)) : "";
}

/**
 * A relative time that ticks (see `tickTimes`): `<time datetime="…" title="1 Dec 2026, 14:05:03 UTC">3 min ago</time>`.
 */
export function timeEl(time, now) {
  const node = el("time");
  node.dataset.ago = "";
  setTime(node, time, now);
  return node;
}

/** Points a `timeEl` at another time; its title (the absolute time) follows at the next `tickTimes`. */
export function setTime(node, time, now = Date.now()) {
  const iso = time ?? "";
  if (node.getAttribute("datetime") !== iso) {
    if (iso) node.setAttribute("datetime", iso); else node.removeAttribute("datetime");
  }
  setText(node, ago(time, now));
}

/** The relative times under `root` (every second), and the absolute time as the title of any that lacks it. */
export function tickTimes(root, now = Date.now()) {
  for (const node of root.querySelectorAll("time[data-ago]")) {
    const iso = node.getAttribute("datetime") ?? "";
    setText(node, ago(iso, now));
    if (node.dataset.titled !== iso) {
      node.title = absolute(iso);
      node.dataset.titled = iso;
    }
  }
}

/** A number in the reader's locale, at most two decimals. */
export function number(value) {
  numberFormat ??= new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
  return numberFormat.format(value);
}

/** Values as people read them: numbers in the reader's locale, objects as short `key: value` text. */
export function show(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return number(value);
  if (typeof value === "object") return readable(value);
  return String(value);
}

/** An object as `key: value · key: value` (nested values compact, long values clamped), as the projector writes it. */
export function readable(value) {
  if (Array.isArray(value) || value === null || typeof value !== "object") return clamp(compact(value), 300);
  return clamp(Object.entries(value).map(([key, v]) => `${key}: ${clamp(compact(v), 80)}`).join(" · "), 300);
}

function compact(value) {
  return typeof value === "string" ? value : typeof value === "number" ? number(value) : JSON.stringify(value);
}

function clamp(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** Up while seen within every + grace, late within 3 × every + grace, down after (docs/DEFINITIONS.md; in C#, HeartbeatSection.LateAfter and DownAfter). */
export function status(last, every, grace, now) {
  const age = (now - new Date(last).getTime()) / 1000;
  return age <= every + grace ? "up" : age <= 3 * every + grace ? "late" : "down";
}

/** GETs JSON, revalidating with the ETag it last saw; returns null when unchanged (304). Errors carry the status. */
export async function fetchJson(url, state) {
  const headers = state?.etag ? { "If-None-Match": state.etag } : {};
  const response = await fetch(url, { headers, cache: "no-cache" });
  if (response.status === 304) return null;
  if (!response.ok) throw Object.assign(new Error(`${url}: ${response.status}`), { status: response.status });
  if (state) state.etag = response.headers.get("ETag");
  return response.json();
}

/** Puts `nodes` in `parent` in this order, moving only the nodes out of place (a node that stays keeps its focus). */
export function place(parent, nodes) {
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] ?? null);
  });
}

/**
 * Keyed children of `parent`, one per item: makes an entry (`{ node, … }`) for a new key, lets `fill` update each,
 * removes the entries whose key is gone, and puts the nodes in the items' order, moving only what moved.
 */
export function reconcile(parent, known, items, keyOf, make, fill) {
  const keys = items.map(keyOf);
  const nodes = items.map((item, i) => {
    let entry = known.get(keys[i]);
    if (!entry) {
      entry = make();
      known.set(keys[i], entry);
    }
    fill(entry, item);
    return entry.node;
  });
  const keep = new Set(keys);
  for (const [key, entry] of known) {
    if (!keep.has(key)) {
      entry.node.remove();
      known.delete(key);
    }
  }
  place(parent, nodes);
}
