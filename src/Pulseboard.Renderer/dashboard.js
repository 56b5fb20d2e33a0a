// The dashboard page: the cache by Server-Sent Events when it can, by polling with If-None-Match when it cannot,
// a freshness line that ticks, and a banner when the data is stale or the connection is lost.
import { el, ago, cacheUrl, fetchJson, isStatic } from "./common.js";
import { renderSection } from "./render.js";

const id = document.querySelector('meta[name="pulseboard-dashboard"]')?.content
  ?? new URLSearchParams(location.search).get("id")
  ?? decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() ?? "");
const sections = document.getElementById("sections");
const banner = document.getElementById("banner");
const freshness = document.getElementById("freshness");
const state = { etag: null };
let cache = null;
let connected = true;
let pollTimer = null;

function show(next) {
  cache = next;
  document.title = `${next.title} · Pulseboard`;
  document.getElementById("title").textContent = next.title;
  const now = Date.now();
  const cards = new Map([...sections.children].map(card => [card.dataset.section, card]));
  const order = [];
  for (const [sectionId, section] of Object.entries(next.sections)) {
    let card = cards.get(sectionId);
    if (!card) {
      card = el("section", "card");
      sections.append(card); // laid out before it renders, so a chart knows its width
    }
    card.dataset.section = sectionId;
    card.setAttribute("aria-label", section.title);
    renderSection(sectionId, section, card, now);
    order.push(card);
  }
  sections.replaceChildren(...order);
  tick(false);
  if (!performance.getEntriesByName("pulseboard:first-render").length) performance.mark("pulseboard:first-render");
}

/** Every second: the relative times, heartbeat states, and the stale banner (sections only when time moved on). */
function tick(redraw = true) {
  if (!cache) return;
  const now = Date.now();
  freshness.textContent = `updated ${ago(cache.lastUpdate, now)}${connected ? "" : " · reconnecting"}`;
  const staleSeconds = cache.staleAfter;
  const age = cache.lastUpdate ? (now - new Date(cache.lastUpdate).getTime()) / 1000 : Infinity;
  let message = "";
  if (!connected) message = "Connection lost: showing the last data received; retrying.";
  if (staleSeconds && age > staleSeconds) message = `This data stopped updating ${ago(cache.lastUpdate, now)}.`;
  // On a static host the publisher rewrites every cache on each run: a cache not rewritten for three refreshes (or
  // stale_after) means the publisher itself stopped, even if the data had nothing new.
  const published = cache.generated ? (now - new Date(cache.generated).getTime()) / 1000 : 0;
  if (isStatic() && published > Math.max(3 * (cache.refresh ?? 60), staleSeconds ?? 0)) {
    message = `This page stopped updating ${ago(cache.generated, now)}: its publisher has not refreshed it.`;
  }
  banner.hidden = message === "";
  banner.textContent = message;
  if (!redraw) return;
  for (const card of sections.querySelectorAll('[data-kind="heartbeat"], [data-kind="feed"], [data-kind="stat"], [data-kind="counter"]')) {
    const section = cache.sections[card.dataset.section];
    if (section) renderSection(card.dataset.section, section, card, now);
  }
}

async function poll() {
  try {
    const next = await fetchJson(cacheUrl(id), state);
    connected = true;
    if (next) show(next);
  } catch {
    connected = false;
    tick();
  }
  const refresh = (cache?.refresh ?? 60) * 1000;
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, document.hidden ? refresh * 4 : refresh);
}

/** First render: from the cache the server put in the page (no request) when it did, else fetched. */
async function start() {
  const inline = document.getElementById("pulseboard-cache");
  if (inline) show(JSON.parse(inline.textContent));
  else await poll();
}

function stream() {
  // The position of the cache on screen: the server then skips the frame that would repeat it.
  const source = new EventSource(`${cacheUrl(id)}/stream${cache ? `?position=${cache.position}` : ""}`);
  source.addEventListener("cache", event => {
    connected = true;
    clearTimeout(pollTimer);
    show(JSON.parse(event.data));
  });
  source.onerror = () => {
    connected = source.readyState === EventSource.OPEN;
    tick();
    if (source.readyState === EventSource.CLOSED) poll(); // the browser gave up: poll instead
  };
}

if (!id) {
  banner.hidden = false;
  banner.textContent = "No dashboard named in the address.";
} else {
  await start();
  if (!isStatic()) stream(); // a static host has no stream: polling alone
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  setInterval(tick, 1000);
}
