// One renderer per section kind. Each takes the section's cache object and fills a card with textContent only.
import { el, ago, show } from "./common.js";

const charts = new Map(); // section id → uPlot, kept across renders

addEventListener("resize", () => {
  for (const chart of charts.values()) {
    const holder = chart.root.parentElement;
    if (holder) chart.setSize({ width: Math.max(200, holder.clientWidth), height: 180 });
  }
});

export function renderSection(id, section, card, now) {
  card.dataset.kind = section.kind;
  const body = el("div", "body");
  const draw = kinds[section.kind];
  if (!draw) {
    body.append(el("p", "empty", `unknown kind "${section.kind}"`));
  } else {
    draw(id, section, body, card, now);
  }
  if (section.kind !== "timeseries" && section.kind !== "daily") {
    card.replaceChildren(el("h2", null, section.title), body);
  }
}

const kinds = {
  stat(id, s, body) {
    const value = s.text ?? show(s.value);
    body.append(el("div", "big value", value === "" ? "—" : value), el("div", "small", `updated ${ago(s.updated)}`));
  },
  counter(id, s, body) {
    body.append(el("div", "big value", show(s.value)), el("div", "small", `${show(s.count)} events · updated ${ago(s.updated)}`));
  },
  feed(id, s, body) {
    if (!s.items.length) return body.append(el("p", "empty", "nothing yet"));
    const list = el("ul", "feed");
    for (const item of s.items) {
      const li = el("li", item.priority);
      li.append(el("span", "text", item.text));
      li.append(el("span", "meta", [item.action, item.source, ago(item.at)].filter(Boolean).join(" · ")));
      list.append(li);
    }
    body.append(list);
  },
  table(id, s, body) {
    if (!s.rows.length) return body.append(el("p", "empty", "no rows yet"));
    const table = el("table");
    const head = el("tr");
    for (const column of s.columns) head.append(el("th", null, column));
    table.append(el("thead"), el("tbody"));
    table.tHead.append(head);
    for (const row of s.rows) {
      const tr = el("tr");
      for (const cell of row.cells) {
        const td = el("td");
        td.append(el("div", "cell", show(cell)));
        tr.append(td);
      }
      table.tBodies[0].append(tr);
    }
    const wrap = el("div", "table-wrap");
    wrap.append(table);
    body.append(wrap);
  },
  heartbeat(id, s, body, card, now) {
    if (!s.sources.length) return body.append(el("p", "empty", "no heartbeat yet"));
    const grid = el("div", "beats");
    for (const source of s.sources) {
      const state = status(source.last, s.every, s.grace, now);
      const beat = el("div", `beat ${state}`);
      beat.append(el("span", "name", source.key), el("span", "state", state), el("span", "small", ` ${ago(source.last, now)}`));
      if (source.text) beat.append(el("span", "small", ` · ${source.text}`));
      grid.append(beat);
    }
    body.append(grid);
  },
  timeseries(id, s, body, card) {
    chart(id, s, card, s.points.map(p => p[0]), s.points.map(p => p[1]), false);
  },
  daily(id, s, body, card) {
    chart(id, s, card, s.values.map(v => Date.parse(`${v[0]}T00:00:00Z`) / 1000), s.values.map(v => v[1]), s.days);
  },
};

/** Up while seen within every + grace, late within 3 × every + grace, down after (docs/DEFINITIONS.md). */
export function status(last, every, grace, now) {
  const age = (now - new Date(last).getTime()) / 1000;
  return age <= every + grace ? "up" : age <= 3 * every + grace ? "late" : "down";
}

let chartLibrary = null;

function loadChartLibrary() {
  chartLibrary ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = new URL("./uplot/uPlot.iife.min.js", import.meta.url).href; // beside this file, on a server or a static host
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
  return chartLibrary;
}

/** A line chart, or bars over the last `days` days when `days` is given. */
function chart(id, s, card, xs, ys, days) {
  const bars = days !== undefined;
  card.classList.add("wide");
  let header = card.querySelector("h2");
  if (!header) {
    header = el("h2");
    card.replaceChildren(header);
  }
  header.textContent = s.title;
  let holder = card.querySelector(".chart");
  if (!holder) {
    holder = el("div", "chart");
    card.append(holder);
  }
  let empty = card.querySelector(".empty");
  if (!xs.length) {
    if (!empty) card.append(el("p", "empty", "no points yet"));
    return;
  }
  empty?.remove();
  const data = [xs, ys];
  const existing = charts.get(id);
  if (existing && existing.root.isConnected) {
    existing.setData(data);
    return;
  }
  if (typeof uPlot === "undefined") {
    // Loaded on first need, so the page draws its numbers before the chart library is even parsed.
    loadChartLibrary().then(() => chart(id, s, card, xs, ys, days), () => {});
    return;
  }
  const width = Math.max(200, holder.clientWidth || card.clientWidth - 32);
  const options = {
    width, height: 180,
    scales: { x: bars
      ? { time: true, range: (u, min, max) => [max - (days - 0.5) * 86400, max + 43200] } // the whole window of days
      : { time: true } },
    axes: [{}, { size: 60 }],
    legend: { show: false },
    series: [{}, bars
      ? { stroke: "#2f6fde", fill: "rgba(47,111,222,0.35)", paths: uPlot.paths.bars({ size: [0.7, 40] }) }
      : { stroke: "#2f6fde", width: 2, fill: "rgba(47,111,222,0.08)" }],
  };
  charts.set(id, new uPlot(options, data, holder));
}
