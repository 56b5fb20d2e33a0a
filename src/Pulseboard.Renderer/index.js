import { el, ago, apiBase, isStatic } from "./common.js";

const list = document.getElementById("boards");
const status = document.getElementById("status");
let boards = [];

function draw() {
  list.replaceChildren(...boards.map(board => {
    const item = el("li");
    const link = el("a");
    link.href = isStatic() ? `${encodeURIComponent(board.id)}.html` : `/d/${encodeURIComponent(board.id)}`;
    link.append(el("strong", null, board.title), el("span", "small", `updated ${ago(board.lastUpdate)}`));
    item.append(link);
    return item;
  }));
  status.textContent = `${boards.length} dashboards`;
}

async function load() {
  try {
    const response = await fetch(isStatic() ? `${apiBase()}/index.json` : apiBase(), { cache: "no-cache" });
    boards = await response.json();
    draw();
  } catch (error) {
    status.textContent = `cannot reach the dashboards (${error.message})`;
  }
}

load();
setInterval(load, 30_000);
setInterval(draw, 1_000);
