// The index: one card per dashboard saying at a glance whether it is fresh, which heartbeat sources are down or late,
// how many critical items came in the last 24 h, and its key number. Cards are patched in place every second.
import { el, setText, show, number, apiBase, alertsUrl, latestOnly, isStatic, pageUrl, timeEl, setTime, status, reconcile } from "./common.js";

const list = document.getElementById("boards");
const summary = document.getElementById("status");
const sortLink = document.getElementById("sort");
const byStatus = new URLSearchParams(location.search).get("sort") === "status";
const cards = new Map(); // dashboard id → card parts
let boards = [];
let firing = new Map(); // dashboard id → alerts firing (not silenced), from /api/alerts

sortLink.textContent = byStatus ? "Usual order" : "Worst first";
sortLink.href = byStatus ? location.pathname : "?sort=status";
if (byStatus) sortLink.setAttribute("aria-describedby", "status");

/** What a card says, from the overview the server (or the export's index.json) gives and the current time. */
function assess(board, now) {
  const age = board.lastUpdate ? (now - new Date(board.lastUpdate).getTime()) / 1000 : null;
  const stale = age !== null && board.staleAfter != null && age > board.staleAfter;
  const counts = { down: 0, late: 0, up: 0 };
  for (const heartbeat of board.heartbeats ?? []) {
    for (const source of heartbeat.sources) counts[status(source.last, heartbeat.every, heartbeat.grace, now)]++;
  }
  const critical = (board.critical ?? []).filter(item => now - new Date(item.at).getTime() <= 86_400_000).length;
  const alerts = firing.get(board.id) ?? 0;
  const severity = counts.down || alerts ? 4 : critical ? 3 : stale ? 2 : counts.late ? 1 : age === null ? -1 : 0;
  return { stale, fresh: age !== null && !stale, counts, critical, alerts, severity };
}

function card() {
  const item = el("li", "board");
  const link = el("a");
  const title = el("strong", "name");
  const state = el("span", "pill");
  const when = timeEl(null);
  const line = el("span", "small when");
  line.append("updated ", when);
  const key = el("span", "key");
  const keyTitle = el("span", "small");
  const keyValue = el("span", "key-value");
  key.append(keyTitle, keyValue);
  const flags = el("span", "flags");
  const down = el("span", "flag down");
  const late = el("span", "flag late");
  const critical = el("span", "flag critical");
  const alerts = el("span", "flag firing");
  flags.append(alerts, down, late, critical);
  link.append(title, el("span", "state-line"), key, flags);
  link.children[1].append(state, line);
  item.append(link);
  return { node: item, link, title, state, when, key, keyTitle, keyValue, down, late, critical, alerts };
}

function fill(parts, board, seen, now) {
  parts.link.href = pageUrl(board.id);
  parts.node.dataset.severity = String(seen.severity);
  setText(parts.title, board.title);
  parts.state.className = `pill ${seen.stale ? "stale" : seen.fresh ? "fresh" : "none"}`;
  setText(parts.state, seen.stale ? "stale" : seen.fresh ? "fresh" : "no events yet");
  setTime(parts.when, board.lastUpdate, now);
  parts.when.parentElement.hidden = !board.lastUpdate;
  parts.key.hidden = !board.key || board.key.updated == null;
  if (board.key) {
    setText(parts.keyTitle, board.key.title);
    const text = board.key.text ?? show(board.key.value);
    setText(parts.keyValue, text);
    parts.keyValue.classList.toggle("long", text.length > 24);
  }
  flag(parts.alerts, seen.alerts, "⚑", seen.alerts === 1 ? "alert firing" : "alerts firing");
  flag(parts.down, seen.counts.down, "✕", "down");
  flag(parts.late, seen.counts.late, "!", "late");
  flag(parts.critical, seen.critical, "▲", "critical in 24 h");
}

function flag(node, count, icon, words) {
  node.hidden = count === 0;
  setText(node, count ? `${icon} ${number(count)} ${words}` : "");
}

function draw() {
  const now = Date.now();
  const seen = new Map(boards.map(board => [board.id, assess(board, now)]));
  const ordered = [...boards].sort((a, b) =>
    (byStatus ? seen.get(b.id).severity - seen.get(a.id).severity : 0)
    || (a.order ?? Infinity) - (b.order ?? Infinity)
    || a.title.localeCompare(b.title)
    || (a.id < b.id ? -1 : 1));
  reconcile(list, cards, ordered, board => board.id, card, (parts, board) => fill(parts, board, seen.get(board.id), now));
  const attention = [...seen.values()].filter(s => s.severity >= 2).length;
  setText(summary, `${number(boards.length)} ${boards.length === 1 ? "dashboard" : "dashboards"}${attention ? ` · ${number(attention)} need attention` : ""}`);
}

async function load() {
  try {
    const response = await fetch(isStatic() ? `${apiBase()}/index.json` : apiBase(), { cache: "no-cache" });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    boards = await response.json();
    const alerts = await fetchFiring();
    if (alerts.current) firing = alerts.result;
    draw();
  } catch (error) {
    setText(summary, `Cannot reach the dashboards (${error.message}); retrying.`);
  }
}

const fetchFiring = latestOnly(loadFiring); // an older answer never replaces a newer one

/** How many alerts fire (not silenced) per dashboard; none on a static host, or when the server cannot say. */
async function loadFiring() {
  const counts = new Map();
  if (isStatic()) return counts;
  try {
    const response = await fetch(alertsUrl(), { cache: "no-cache" });
    if (!response.ok) return firing;
    for (const alert of await response.json()) {
      if (!alert.silenced) counts.set(alert.dashboard, (counts.get(alert.dashboard) ?? 0) + 1);
    }
    return counts;
  } catch {
    return firing;
  }
}

await load();
setInterval(load, 30_000);
setInterval(async () => {
  const { result, current } = await fetchFiring();
  if (current) { firing = result; draw(); }
}, 10_000); // alerts change without a cache changing
setInterval(draw, 1_000);
