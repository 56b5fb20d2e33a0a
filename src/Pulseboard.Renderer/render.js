// One view per section kind. A view builds its card once and then patches it: items keyed, nodes kept, text set only
// when it changed, so scroll, selection and focus survive updates. Text from events goes in with textContent only.
import { el, setText, show, number, timeEl, setTime, status, reconcile } from "./common.js";
import { chartView } from "./chart.js";

/**
 * Makes the view of one section inside `card` (a `<section>` already in the page, so a chart knows its width).
 * Returns `{ update(section, now), tick(now) }`; `tick` returns the status changes worth announcing.
 */
export function createView(id, kind, card) {
  card.replaceChildren();
  card.dataset.section = id;
  card.dataset.kind = kind;
  const heading = el("h2");
  heading.id = `section-${id}`;
  card.setAttribute("aria-labelledby", heading.id);
  const body = el("div", "body");
  const waiting = el("p", "empty");
  card.append(heading, body, waiting);
  const make = kinds[kind];
  const view = make ? make(body, card, heading) : unknown(body, kind);
  return {
    update(section, now) {
      setText(heading, section.title);
      // Never fed: say what would feed it, instead of an empty box or a zero that looks like a value.
      const fed = section.updated != null;
      body.hidden = !fed;
      waiting.hidden = fed;
      if (!fed) setText(waiting, section.from ? `Waiting for events: ${section.from}.` : "Waiting for events.");
      view.update(section, now, fed);
    },
    tick: now => view.tick?.(now) ?? [],
  };
}

function unknown(body, kind) {
  body.append(el("p", "empty", `This page does not know the section kind "${kind}": update Pulseboard.`));
  return { update() {} };
}

/** A big number or text with the time it was set. */
function bigValue(body, withCount) {
  const value = el("div", "big value");
  const meta = el("div", "small");
  const count = el("span");
  const when = timeEl(null);
  const counted = el("span", "count");
  counted.append(count, " · ");
  meta.append(...(withCount ? [counted] : []), "updated ", when);
  body.append(value, meta);
  return { value, count, when };
}

const kinds = {
  stat(body) {
    const parts = bigValue(body, false);
    return {
      update(s, now) {
        const text = s.text ?? show(s.value);
        setText(parts.value, text);
        parts.value.classList.toggle("long", text.length > 24); // a sentence, not a number: smaller, so it reads as one
        setTime(parts.when, s.updated, now);
      },
    };
  },

  counter(body) {
    const parts = bigValue(body, true);
    return {
      update(s, now) {
        setText(parts.value, show(s.value ?? 0));
        setText(parts.count, `${number(s.count ?? 0)} ${s.count === 1 ? "event" : "events"}`);
        parts.count.parentElement.hidden = s.value === s.count; // a count shown twice says nothing
        setTime(parts.when, s.updated, now);
      },
    };
  },

  feed(body, card) {
    card.classList.add("tall");
    const list = el("ul", "feed");
    list.tabIndex = 0; // a scrolling region a keyboard can reach
    list.setAttribute("aria-label", "items, newest first");
    const none = el("p", "empty", "Nothing here right now.");
    body.append(list, none);
    const items = new Map(); // key → { node, seq, parts }
    return {
      update(s, now) {
        none.hidden = s.items.length > 0;
        list.hidden = s.items.length === 0; // an empty list is no place for keyboard focus
        reconcile(list, items, s.items, item => (item.key != null ? `k:${item.key}` : `s:${item.seq}`), feedItem, (known, item) => {
          if (known.seq !== item.seq) fillFeedItem(known, item, now);
        });
      },
    };
  },

  table(body, card) {
    card.classList.add("tall");
    const wrap = el("div", "table-wrap");
    wrap.tabIndex = 0; // scrolls sideways on a phone: reachable by keyboard
    const table = el("table");
    const head = el("tr");
    const rows = el("tbody");
    table.append(el("thead"), rows);
    table.tHead.append(head);
    wrap.append(table);
    const none = el("p", "empty", "No rows right now.");
    body.append(wrap, none);
    const known = new Map(); // key → { node: tr, at }
    let columns = "";
    return {
      update(s) {
        wrap.setAttribute("aria-label", `${s.title}, ${s.rows.length} ${s.rows.length === 1 ? "row" : "rows"}`);
        if (columns !== JSON.stringify(s.columns)) {
          columns = JSON.stringify(s.columns);
          card.classList.toggle("wide", s.columns.length >= 4); // many columns get the whole width, not a squeeze
          head.replaceChildren(...s.columns.map(column => {
            const th = el("th", null, label(column));
            th.scope = "col";
            return th;
          }));
          for (const row of known.values()) row.node.remove();
          known.clear();
        }
        none.hidden = s.rows.length > 0;
        wrap.hidden = s.rows.length === 0;
        reconcile(rows, known, s.rows, row => JSON.stringify(row.key), () => ({ node: el("tr"), at: null }), (entry, row) => {
          if (entry.at !== row.at || entry.node.cells.length !== row.cells.length) {
            fillRow(entry.node, row.cells);
            entry.at = row.at;
          }
        });
        // A column of numbers has its label on the right, over its digits.
        [...head.cells].forEach((th, i) => th.classList.toggle("num", typeof s.rows[0]?.cells[i] === "number"));
      },
    };
  },

  heartbeat(body, card) {
    card.classList.add("tall");
    const grid = el("ul", "beats");
    grid.setAttribute("aria-label", "sources");
    const summary = el("p", "small beat-summary");
    body.append(summary, grid);
    const beats = new Map(); // key → { node, state, parts, source }
    let section = null;
    const refresh = (now, announce) => {
      const changes = [];
      const counts = { up: 0, late: 0, down: 0 };
      for (const beat of beats.values()) {
        const state = status(beat.source.last, section.every, section.grace, now);
        counts[state]++;
        if (beat.state !== state) {
          if (announce && beat.state) changes.push(`${beat.source.key} is ${state}`);
          beat.state = state;
          beat.node.className = `beat ${state}`;
          setText(beat.parts.state, state);
          setText(beat.parts.icon, icons[state]);
        }
        setTime(beat.parts.when, beat.source.last, now);
      }
      setText(summary, ["down", "late", "up"].filter(s => counts[s]).map(s => `${counts[s]} ${s}`).join(" · "));
      return changes.length ? [`${section.title}: ${changes.join(", ")}.`] : [];
    };
    return {
      update(s, now) {
        section = s;
        reconcile(grid, beats, s.sources, source => source.key, heartbeatItem, (beat, source) => {
          beat.source = source;
          setText(beat.parts.name, source.key);
          setText(beat.parts.text, source.text ?? "");
          beat.parts.text.hidden = !source.text;
        });
        refresh(now, true);
      },
      tick: now => (section ? refresh(now, true) : []),
    };
  },

  timeseries: (body, card) => chartView(body, card, "timeseries"),
  daily: (body, card) => chartView(body, card, "daily"),
};

const icons = { up: "✓", late: "!", down: "✕" };

/** A label that is a path's last segment reads as words ("tokens_per_s" → "tokens per s"); a given label stays as written. */
function label(column) {
  const text = String(column);
  return text.includes(" ") ? text : text.replace(/_+/g, " ");
}

function feedItem() {
  const li = el("li");
  li.tabIndex = -1; // focusable by script and by a click, not a stop of its own in the tab order
  const badge = el("span", "badge");
  const text = el("span", "text");
  const meta = el("span", "meta");
  const what = el("span");
  const when = timeEl(null);
  meta.append(what, when);
  li.append(badge, text, meta);
  return { node: li, seq: null, parts: { badge, text, what, when } };
}

function fillFeedItem(known, item, now) {
  known.seq = item.seq;
  const priority = item.priority ?? "normal";
  known.node.className = priority;
  // Priority in words as well as colour: "critical", "high", "low"; normal needs no word.
  setText(known.parts.badge, priority === "normal" ? "" : priority);
  known.parts.badge.hidden = priority === "normal";
  setText(known.parts.text, item.text === "" || item.text == null ? "(no text)" : item.text);
  setText(known.parts.what, [item.action, item.source].filter(Boolean).join(" · ") + " · ");
  setTime(known.parts.when, item.at, now);
}

function heartbeatItem() {
  const li = el("li", "beat");
  const icon = el("span", "icon");
  icon.setAttribute("aria-hidden", "true");
  const name = el("span", "name");
  const state = el("span", "state");
  const when = timeEl(null);
  const text = el("span", "small detail");
  const seen = el("span", "small");
  seen.append("seen ", when);
  li.append(name, icon, state, seen, text);
  return { node: li, state: null, source: null, parts: { icon, name, state, when, text } };
}

function fillRow(tr, cells) {
  while (tr.cells.length > cells.length) tr.lastChild.remove();
  cells.forEach((cell, i) => {
    let td = tr.cells[i];
    if (!td) {
      td = i === 0 ? el("th") : el("td");
      if (i === 0) td.scope = "row";
      td.append(el("div", "cell"));
      tr.append(td);
    }
    const text = show(cell);
    td.classList.toggle("num", typeof cell === "number");
    td.classList.toggle("short", text.length <= 16); // a date or a name stays on one line; the table scrolls instead
    setText(td.firstChild, text);
  });
}
