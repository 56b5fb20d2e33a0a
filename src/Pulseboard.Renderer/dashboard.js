// The dashboard page: the cache the server put in the page (or a first fetch), then Server-Sent Events when it can,
// polling with If-None-Match when it cannot. Each section is built once and patched on every change; once a second
// only the relative times and heartbeat states move. A banner says when the data is stale or the connection lost.
import { el, ago, setText, cacheUrl, alertsUrl, latestOnly, fetchJson, isStatic, timeEl, setTime, tickTimes, place, reconcile, number } from "./common.js";
import { createView } from "./render.js";

const id = document.querySelector('meta[name="pulseboard-dashboard"]')?.content
  ?? new URLSearchParams(location.search).get("id")
  ?? decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() ?? "");
const sections = document.getElementById("sections");
const banner = document.getElementById("banner");
const announcer = document.getElementById("announce");
const freshness = document.getElementById("freshness");
const updated = timeEl(null);
const link = el("span");
freshness.replaceChildren("updated ", updated, link);
const state = { etag: null };
const views = new Map(); // section id → { card, kind, json, view }
let cache = null;
let connected = true;
let pollTimer = null;
let gone = false; // the dashboard does not exist: nothing to stream or poll

function render(next) {
  cache = next;
  setText(document.getElementById("title"), next.title);
  document.title = `${next.title} · Pulseboard`;
  const now = Date.now();
  const cards = [];
  for (const [sectionId, section] of Object.entries(next.sections)) {
    let known = views.get(sectionId);
    if (!known || known.kind !== section.kind) {
      known?.card.remove();
      const card = el("section", "card");
      sections.append(card); // in the page before it renders, so a chart knows its width
      known = { card, kind: section.kind, json: null, view: createView(sectionId, section.kind, card) };
      views.set(sectionId, known);
    }
    const json = JSON.stringify(section);
    if (json !== known.json) {
      known.view.update(section, now);
      known.json = json;
    }
    cards.push(known.card);
    // The first section's value is in the page: what the first-render benchmark times (bench/…/FirstRender).
    if (!performance.getEntriesByName("pulseboard:first-render").length) performance.mark("pulseboard:first-render");
  }
  for (const [sectionId, known] of views) {
    if (!(sectionId in next.sections)) {
      known.card.remove();
      views.delete(sectionId);
    }
  }
  place(sections, cards);
  if (!performance.getEntriesByName("pulseboard:sections").length) performance.mark("pulseboard:sections"); // and all of them
  tick();
}

/** Every second: relative times, heartbeat states (announced when they change) and the banner; nothing else. */
function tick() {
  if (!cache) return;
  const now = Date.now();
  setTime(updated, cache.lastUpdate, now);
  setText(link, connected ? "" : " · reconnecting");
  tickTimes(sections, now);
  tickTimes(strip, now);
  const changes = [...views.values()].flatMap(known => known.view.tick(now));
  if (changes.length) setText(announcer, changes.join(" "));
  const staleSeconds = cache.staleAfter;
  const age = cache.lastUpdate ? (now - new Date(cache.lastUpdate).getTime()) / 1000 : Infinity;
  let message = "";
  if (!connected) message = "Connection lost: showing the last data received; retrying.";
  if (staleSeconds && cache.lastUpdate && age > staleSeconds) message = `This data stopped updating ${updated.textContent}.`;
  // On a static host the publisher rewrites every cache on each run: a cache not rewritten for three refreshes (or
  // stale_after) means the publisher itself stopped, even if the data had nothing new.
  const published = cache.generated ? (now - new Date(cache.generated).getTime()) / 1000 : 0;
  if (isStatic() && published > Math.max(3 * (cache.refresh ?? 60), staleSeconds ?? 0)) {
    message = `This page stopped updating ${ago(cache.generated, now)}: its publisher has not refreshed it.`;
  }
  showBanner(message);
}

/**
 * The strip of this dashboard's firing alerts, from /api/alerts: fetched every few seconds (a heartbeat going down
 * changes no cache, so the stream would not say it) and after each cache. Silenced ones are listed, marked. Their
 * summaries hold agents' names: text, never HTML. A static host has no alerts.
 */
const strip = document.getElementById("alerts");
const alertList = document.getElementById("alert-list");
const alertItems = new Map(); // alert id → its list item's parts

const fetchAlerts = latestOnly(async () => {
  const response = await fetch(alertsUrl(id), { cache: "no-cache" });
  return response.ok ? await response.json() : null;
});

async function loadAlerts() {
  if (isStatic() || !id || gone) return;
  try {
    const { result, current } = await fetchAlerts();
    if (result && current) drawAlerts(result);
  } catch {
    // the banner says when the server cannot be reached; the strip keeps what it showed
  }
}

function drawAlerts(alerts) {
  strip.hidden = alerts.length === 0;
  const firing = alerts.filter(alert => !alert.silenced).length;
  const silenced = alerts.length - firing;
  setText(document.getElementById("alerts-title"),
    `${number(firing)} ${firing === 1 ? "alert" : "alerts"} firing${silenced ? ` · ${number(silenced)} silenced` : ""}`);
  strip.classList.toggle("quiet", firing === 0);
  reconcile(alertList, alertItems, alerts, alert => alert.id, () => {
    const node = el("li", "alert");
    const badge = el("span", "badge");
    const text = el("span", "text");
    const when = timeEl(null);
    const since = el("span", "small since");
    since.append("started ", when);
    node.append(badge, text, " ", since);
    return { node, badge, text, when };
  }, (parts, alert) => {
    parts.node.classList.toggle("silenced", alert.silenced);
    setText(parts.badge, alert.silenced ? "silenced" : "firing");
    setText(parts.text, alert.summary);
    setTime(parts.when, alert.since);
  });
  tickTimes(strip);
}

/** The banner is an alert: its text changes only when the message does, so it is announced once. */
function showBanner(message) {
  banner.hidden = message === "";
  setText(banner, message);
}

function missing() {
  clearTimeout(pollTimer);
  sections.replaceChildren();
  const message = el("p", "notice");
  const home = el("a", null, "all dashboards");
  home.href = isStatic() ? "index.html" : "/";
  message.append(`There is no dashboard "${id}". See `, home, ".");
  sections.append(message);
  setText(document.getElementById("title"), "No such dashboard");
}

async function poll() {
  try {
    const next = await fetchJson(cacheUrl(id), state);
    connected = true;
    if (next) render(next);
  } catch (error) {
    if (error.status === 404) {
      gone = true;
      return missing();
    }
    connected = false;
    tick();
  }
  const refresh = (cache?.refresh ?? 60) * 1000;
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, document.hidden ? refresh * 4 : refresh);
}

function stream() {
  // The page already holds the cache at this position: the stream's first frame comes with the next change.
  const source = new EventSource(`${cacheUrl(id)}/stream?position=${cache?.position ?? -1}`);
  source.addEventListener("cache", event => {
    connected = true;
    clearTimeout(pollTimer);
    render(JSON.parse(event.data));
    loadAlerts();
  });
  source.onerror = () => {
    connected = source.readyState === EventSource.OPEN;
    tick();
    if (source.readyState === EventSource.CLOSED) poll(); // the browser gave up: poll instead
  };
}

/** The cache the server wrote into the page (a JSON block, never executed), or null on a static host. */
function inlineCache() {
  const block = document.getElementById("pulseboard-cache");
  return block ? JSON.parse(block.textContent) : null;
}

if (!id) {
  showBanner("No dashboard named in the address.");
} else {
  const inline = inlineCache();
  if (inline) render(inline);
  else await poll();
  if (!isStatic() && !gone) stream(); // a static host has no stream: polling alone
  document.addEventListener("visibilitychange", () => { if (!document.hidden && isStatic()) poll(); });
  setInterval(tick, 1000);
  loadAlerts();
  setInterval(loadAlerts, 5000);
}
