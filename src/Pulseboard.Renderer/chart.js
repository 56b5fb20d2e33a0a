// Charts for `timeseries` (a line over the section's own window and bucket) and `daily` (bars from zero, one a day),
// drawn with uPlot. The latest value and its time are text in the card, which is also the chart's text alternative
// together with the holder's label; hovering the chart shows the value under the cursor in the same line.
import { el, setText, show, timeEl, setTime } from "./common.js";

const height = 180;
const views = new Set(); // live chart views, rebuilt when the colour scheme changes
const dark = matchMedia("(prefers-color-scheme: dark)");
dark.addEventListener("change", () => { for (const view of views) view.rebuild(); });

let library = null;

function loadLibrary() {
  library ??= new Promise((resolve, reject) => {
    const sheet = document.createElement("link");
    sheet.rel = "stylesheet";
    sheet.href = new URL("./uplot/uPlot.min.css", import.meta.url).href; // off the first render's path, like the script
    document.head.append(sheet);
    const script = document.createElement("script");
    script.src = new URL("./uplot/uPlot.iife.min.js", import.meta.url).href; // beside this file, on a server or a static host
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
  return library;
}

// Made on first use, like common.js's: locale data is not on the first render's path.
let dayFormat = null;
let timeFormat = null;
const day = x => (dayFormat ??= new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" })).format(new Date(x * 1000));
const moment = x => (timeFormat ??= new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })).format(new Date(x * 1000));

/** A human span: 86400 → "1 day", 3600 → "1 h", 300 → "5 min". */
function span(seconds) {
  if (seconds % 86400 === 0) return seconds === 86400 ? "day" : `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * The points to draw, the x range and how to read one point. Timeseries: bucket starts over [last − window + bucket,
 * last]; sums and counts are zero in an empty bucket between two points, other aggregates join their points. Daily:
 * every day of the window, zero where nothing was counted, over [first day − ½, last day + ½].
 */
export function series(s) {
  if (s.kind === "daily") {
    if (!s.values.length) return null;
    const byDay = new Map(s.values.map(([day, value]) => [Date.parse(`${day}T00:00:00Z`) / 1000, value]));
    const last = Math.max(...byDay.keys());
    const first = Math.min(...byDay.keys());
    const xs = [];
    const ys = [];
    // From the first day counted (a day before it was not "zero", it was before anything was counted), at most `days`.
    for (let i = Math.min((s.days ?? byDay.size) - 1, Math.round((last - first) / 86400)); i >= 0; i--) {
      const x = last - i * 86400;
      xs.push(x);
      ys.push(byDay.get(x) ?? 0);
    }
    // At least a week wide, so one or two days are bars among days, not a day cut into hours.
    return { xs, ys, min: Math.min(xs[0], last - 6 * 86400) - 43200, max: last + 43200, label: day, unit: "days" };
  }
  if (!s.points.length) return null;
  const zeroWhenEmpty = s.agg === "sum" || s.agg === "count";
  const xs = [];
  const ys = [];
  for (const [t, v] of s.points) {
    if (zeroWhenEmpty && xs.length) {
      for (let gap = xs[xs.length - 1] + s.bucket; gap < t; gap += s.bucket) {
        xs.push(gap);
        ys.push(0);
      }
    }
    xs.push(t);
    ys.push(v);
  }
  const last = xs[xs.length - 1];
  const bucket = span(s.bucket);
  return {
    xs, ys, min: last - s.window + s.bucket, max: last,
    label: x => `${moment(x)} (${bucket})`,
    unit: `${bucket} buckets`,
  };
}

/** The view of a timeseries or daily section (see render.js's createView). */
export function chartView(body, card, kind) {
  card.classList.add("wide");
  const readout = el("p", "readout");
  const value = el("strong", "value");
  const detail = el("span", "small");
  const when = timeEl(null);
  readout.append(value, " ", detail);
  const holder = el("div", "chart");
  holder.setAttribute("role", "img");
  body.append(readout, holder);
  let section = null;
  let data = null;
  let plot = null;
  let hovering = false;

  const showLatest = () => {
    if (!data) return;
    const i = data.xs.length - 1;
    setText(value, show(data.ys[i]));
    if (kind === "daily") {
      setText(detail, `latest, ${data.label(data.xs[i])}`);
    } else {
      detail.replaceChildren(`latest, ${span(section.bucket)} from ${moment(data.xs[i])}`);
    }
    detail.append(" · updated ", when);
    setTime(when, section.updated);
  };

  const describe = () => {
    const low = Math.min(...data.ys);
    const high = Math.max(...data.ys);
    holder.setAttribute("aria-label", `${section.title}: ${data.xs.length} ${data.unit} from ${data.label(data.xs[0])} to ${data.label(data.xs[data.xs.length - 1])}; lowest ${show(low)}, highest ${show(high)}, latest ${show(data.ys[data.ys.length - 1])}.`);
  };

  const build = () => {
    plot?.destroy();
    plot = null;
    if (!data) return;
    if (typeof uPlot === "undefined") {
      // Loaded on first need, so the numbers are on the page before the chart library is even parsed.
      loadLibrary().then(build, () => setText(detail, "the chart library did not load"));
      return;
    }
    plot = new uPlot(options(kind, holder, () => data, index => {
      hovering = index != null;
      if (!hovering) return showLatest();
      setText(value, show(data.ys[index]));
      detail.replaceChildren(data.label(data.xs[index]));
    }), [data.xs, data.ys], holder);
  };

  const view = {
    update(s, _now, fed) {
      section = s;
      data = fed ? series(s) : null;
      if (!data) {
        plot?.destroy();
        plot = null;
        setText(value, "");
        setText(detail, fed ? "no points in the window" : "");
        holder.hidden = true;
        return;
      }
      holder.hidden = false;
      describe();
      if (!hovering) showLatest();
      if (plot) plot.setData([data.xs, data.ys]);
      else build();
    },
    rebuild: build,
  };
  views.add(view);
  new ResizeObserver(() => plot?.setSize({ width: Math.max(200, holder.clientWidth), height })).observe(holder);
  return view;
}

/** uPlot's options, coloured from the page's own palette (light or dark) and sized to the holder. */
function options(kind, holder, data, hover) {
  const style = getComputedStyle(document.documentElement);
  const color = name => style.getPropertyValue(name).trim();
  const axis = {
    stroke: color("--muted"),
    grid: { stroke: color("--line"), width: 1 },
    ticks: { stroke: color("--line"), width: 1 },
    font: "12px system-ui, sans-serif",
  };
  const bars = kind === "daily";
  return {
    width: Math.max(200, holder.clientWidth),
    height,
    legend: { show: false },
    cursor: { y: false, points: { size: 8 } },
    scales: {
      x: { time: true, range: () => [data().min, data().max] },
      // Bars start at zero, so a 5 beside a 7 reads as five sevenths of it.
      y: bars ? { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } : {},
    },
    tzDate: bars ? ts => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC") : undefined, // a day is a date, not a moment
    axes: [
      bars ? { ...axis, incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400, 365 * 86400] } : axis, // days, never hours
      {
        ...axis,
        size: labelWidth,
        values: (u, splits) => splits.map(v => show(v)),
        // Whole numbers (counts, most sums) get whole ticks: no "2.5 tasks".
        incrs: data().ys.every(Number.isInteger) ? [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6, 1e7, 1e8, 1e9] : undefined,
      },
    ],
    series: [{}, bars
      ? { stroke: color("--chart"), fill: color("--chart-bar"), width: 0, paths: uPlot.paths.bars({ size: [0.7, 40], align: 0 }), points: { show: false } }
      : { stroke: color("--chart"), fill: color("--chart-fill"), width: 2, points: { show: (u, si, i0, i1) => i1 - i0 < 60, size: 6, fill: color("--chart") } }],
    hooks: { setCursor: [u => hover(u.cursor.idx)] },
  };
}

/** The y axis as wide as its widest label, measured in the axis's own font (uPlot's documented recipe). */
function labelWidth(u, values, axisIndex, cycle) {
  const axis = u.axes[axisIndex];
  if (cycle > 1) return axis._size; // uPlot asks again while it settles: keep the first answer, so it converges
  let size = axis.ticks.size + axis.gap;
  const longest = (values ?? []).reduce((a, b) => (b.length > a.length ? b : a), "");
  if (longest) {
    u.ctx.font = axis.font[0];
    size += u.ctx.measureText(longest).width / devicePixelRatio;
  }
  return Math.ceil(size) + 4;
}
