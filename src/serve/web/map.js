// Map page: every embedding projected to 2-D (UMAP, computed by the server), drawn on a canvas,
// coloured by behaviour class; hover or arrow keys show a function, click or Enter opens it; the
// last search query is placed on the map as a star.
import { api, codeView, count, el, fill, lastQuery, showError } from "./common.js";

const canvas = document.getElementById("map");
const status = document.getElementById("status");
const tip = document.getElementById("tip");
const ctx = canvas.getContext("2d");
const PAD = 16;
/** Point radius, and how far from a point hover and click still find it (px). */
const RADIUS = 4;
const HIT = 12;
/** The hit-test grid's cell: nearestAt looks one cell around, so at least HIT. */
const CELL = HIT;
let data;
let sx = new Float32Array(0);
let sy = new Float32Array(0);
let grid = new Map();
let current = -1;
let query = null;
let highlighted = new Set();
const codeCache = new Map();
/** Behaviour classes largest first (ties in class order), and each class's place in that. */
let byRank = [];
let rank = [];

/**
 * Colours that stay apart, for the largest classes (none brown or grey: those are taken). More
 * hues would repeat or blur into each other: the other classes are drawn as open circles.
 */
const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
];
const OPEN = "#57606a";

/** A class's colour; -1: not run (grey), -2: raised on every input (brown); null: open circle. */
const colour = (c) =>
  c === -2 ? "#8c5a3c" : c < 0 ? "#b8bec6" : rank[c] < PALETTE.length ? PALETTE[rank[c]] : null;

function layout() {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(h * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  const n = data.ids.length;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, data.x[i]);
    x1 = Math.max(x1, data.x[i]);
    y0 = Math.min(y0, data.y[i]);
    y1 = Math.max(y1, data.y[i]);
  }
  if (query) {
    x0 = Math.min(x0, query.x);
    x1 = Math.max(x1, query.x);
    y0 = Math.min(y0, query.y);
    y1 = Math.max(y1, query.y);
  }
  const scale = Math.min((w - 2 * PAD) / (x1 - x0 || 1), (h - 2 * PAD) / (y1 - y0 || 1));
  const ox = PAD + (w - 2 * PAD - scale * (x1 - x0)) / 2;
  const oy = PAD + (h - 2 * PAD - scale * (y1 - y0)) / 2;
  const toX = (x) => ox + (x - x0) * scale;
  const toY = (y) => h - (oy + (y - y0) * scale);
  sx = new Float32Array(n);
  sy = new Float32Array(n);
  grid = new Map();
  for (let i = 0; i < n; i++) {
    sx[i] = toX(data.x[i]);
    sy[i] = toY(data.y[i]);
    const key = `${Math.floor(sx[i] / CELL)},${Math.floor(sy[i] / CELL)}`;
    const list = grid.get(key);
    if (list) list.push(i);
    else grid.set(key, [i]);
  }
  if (query) {
    query.sx = toX(query.x);
    query.sy = toY(query.y);
  }
}

function draw() {
  ctx.clearRect(0, 0, canvas.clientWidth, canvas.clientHeight);
  const byClass = new Map();
  data.cls.forEach((c, i) => {
    const list = byClass.get(c);
    if (list) list.push(i);
    else byClass.set(c, [i]);
  });
  // Open circles first: the coloured classes are drawn over them.
  const classes = [...byClass].sort(([a], [b]) => (colour(b) === null) - (colour(a) === null));
  ctx.lineWidth = 1.5;
  for (const [c, list] of classes) {
    const fill = colour(c);
    ctx.fillStyle = fill ?? "#fff";
    ctx.strokeStyle = OPEN;
    for (const i of list) {
      ctx.beginPath();
      ctx.arc(sx[i], sy[i], fill ? RADIUS : RADIUS - 0.5, 0, 2 * Math.PI);
      ctx.fill();
      if (!fill) ctx.stroke();
    }
  }
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#000";
  for (const i of highlighted) {
    ctx.beginPath();
    ctx.arc(sx[i], sy[i], 8, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (current >= 0) {
    ctx.strokeStyle = "#0969da";
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.arc(sx[current], sy[current], 11, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (query) star(query.sx, query.sy);
}

function star(x, y) {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? 11 : 4.5;
    const a = (Math.PI / 5) * k - Math.PI / 2;
    ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
  }
  ctx.closePath();
  ctx.fillStyle = "#ffd000";
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1.5;
  ctx.fill();
  ctx.stroke();
}

function nearestAt(x, y, radius = HIT) {
  let best = -1;
  let bestD = radius * radius;
  const cx = Math.floor(x / CELL);
  const cy = Math.floor(y / CELL);
  for (let gx = cx - 1; gx <= cx + 1; gx++) {
    for (let gy = cy - 1; gy <= cy + 1; gy++) {
      for (const i of grid.get(`${gx},${gy}`) ?? []) {
        const d = (sx[i] - x) ** 2 + (sy[i] - y) ** 2;
        if (d <= bestD) [best, bestD] = [i, d];
      }
    }
  }
  return best;
}

let tipTimer;
function show(i) {
  current = i;
  draw();
  if (i < 0) {
    tip.replaceChildren();
    return;
  }
  const id = data.ids[i];
  const cls = data.cls[i];
  const head = el(
    "p",
    {},
    el("a", { href: `/function?id=${id}` }, data.names[i]),
    cls === -2
      ? " · always raises"
      : cls < 0
        ? " · not run"
        : ` · behaviour class of ${count(data.classes[cls].size, "function")}`,
  );
  tip.replaceChildren(head);
  clearTimeout(tipTimer);
  tipTimer = setTimeout(async () => {
    try {
      let f = codeCache.get(id);
      if (!f) {
        f = (await api(`/api/functions/${id}?rows=0`)).data;
        codeCache.set(id, f);
      }
      if (current === i)
        tip.replaceChildren(
          head,
          el("p", { class: "muted" }, `${f.file}:${f.line} · ${f.signature}`),
          codeView(f.code, `code of ${f.name}`),
        );
    } catch (e) {
      showError(tip, e);
    }
  }, 60);
}

function open(i) {
  if (i >= 0) location.href = `/function?id=${data.ids[i]}`;
}

canvas.addEventListener("mousemove", (e) => {
  const r = canvas.getBoundingClientRect();
  const i = nearestAt(e.clientX - r.left, e.clientY - r.top);
  if (i !== current && i >= 0) show(i);
});
canvas.addEventListener("click", (e) => {
  const r = canvas.getBoundingClientRect();
  open(nearestAt(e.clientX - r.left, e.clientY - r.top));
});
canvas.addEventListener("keydown", (e) => {
  const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (e.key === "Enter") open(current);
  else if (e.key === "Escape") show(-1);
  else if (dirs[e.key]) {
    e.preventDefault();
    const [dx, dy] = dirs[e.key];
    if (current < 0) {
      show(0);
      return;
    }
    // The nearest point ahead, within a 90° cone of the arrow's direction.
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < sx.length; i++) {
      const vx = sx[i] - sx[current];
      const vy = sy[i] - sy[current];
      const along = vx * dx + vy * dy;
      if (along <= 0 || Math.abs(vx * dy - vy * dx) > along) continue;
      const d = vx * vx + vy * vy;
      if (d < bestD) [best, bestD] = [i, d];
    }
    if (best >= 0) show(best);
  }
});
document.getElementById("find").addEventListener("input", (e) => {
  const text = e.target.value.trim().toLowerCase();
  highlighted = new Set();
  const found = document.getElementById("found");
  found.replaceChildren();
  if (text && data) {
    data.names.forEach((name, i) => {
      if (name.toLowerCase().includes(text)) highlighted.add(i);
    });
    [...highlighted].slice(0, 15).forEach((i) => {
      found.append(el("li", {}, el("a", { href: `/function?id=${data.ids[i]}` }, data.names[i])));
    });
    if (highlighted.size > 15)
      found.append(el("li", { class: "muted" }, `… ${highlighted.size - 15} more`));
  }
  draw();
});

function legend() {
  const coloured = byRank.slice(0, PALETTE.length);
  const rest = byRank.slice(PALETTE.length);
  const inRest = rest.reduce((n, i) => n + data.classes[i].size, 0);
  // Argument types alone read the same for many classes: each is named by its first function.
  const first = new Map();
  data.cls.forEach((c, i) => {
    if (!first.has(c)) first.set(c, data.names[i]);
  });
  // A function that raised on every input ran: it is not counted as "not run".
  const raises = data.cls.filter((c) => c === -2).length;
  const none = data.cls.filter((c) => c === -1).length;
  fill(
    document.getElementById("legend"),
    ...coloured.map((i) => {
      const { size, args } = data.classes[i];
      return el(
        "li",
        {},
        el("span", { class: "swatch", style: `background: ${colour(i)}` }),
        `${count(size, "function")}: ${first.get(i)}${size > 1 ? ", …" : ""} (${JSON.parse(args || "[]").join(", ")})`,
      );
    }),
    rest.length
      ? el(
          "li",
          {},
          el("span", { class: "swatch open" }),
          `${count(inRest, "function")} in ${count(rest.length, "smaller class", "smaller classes")}: open circles, as only the ${PALETTE.length} largest classes have a colour of their own`,
        )
      : null,
    raises
      ? el(
          "li",
          {},
          el("span", { class: "swatch", style: `background: ${colour(-2)}` }),
          `${raises} always raise${raises === 1 ? "s" : ""}`,
        )
      : null,
    none
      ? el(
          "li",
          {},
          el("span", { class: "swatch", style: `background: ${colour(-1)}` }),
          `${none} not run`,
        )
      : null,
  );
}

async function placeQuery() {
  const q = lastQuery.get();
  if (!q || new URLSearchParams(location.search).get("query") === "none") return;
  try {
    const { data: p } = await api("/api/map/place", { method: "POST", body: q });
    query = p;
    layout();
    draw();
    status.append(` The star is the query ${p.entry}.`);
  } catch (e) {
    status.append(el("span", { class: "error" }, ` The query could not be placed: ${e.message}`));
  }
}

async function load() {
  try {
    const { status: code, data: d } = await api("/api/map");
    if (code === 202) {
      status.textContent = `Projecting ${d.points} embeddings with UMAP… ${d.total ? `epoch ${d.done} of ${d.total}` : "building the neighbour graph"}`;
      setTimeout(load, 1000);
      return;
    }
    data = d;
    byRank = data.classes.map((_, i) => i);
    byRank.sort((a, b) => data.classes[b].size - data.classes[a].size);
    rank = [];
    byRank.forEach((c, r) => {
      rank[c] = r;
    });
    layout();
    draw();
    legend();
    document.body.dataset.rendered = String(Math.round(performance.now()));
    status.textContent = `${count(data.ids.length, "function")} in ${count(data.classes.length, "behaviour class", "behaviour classes")} (UMAP of the index's embeddings).`;
    await placeQuery();
  } catch (e) {
    // No embeddings (an index built without a model): say why instead of "409 Conflict".
    if (e.data?.status === "unavailable") {
      status.replaceChildren(
        el("span", { class: "error" }, `No map for this index: ${e.data.reason}.`),
        " The map projects the index's embeddings; search works without them.",
      );
      document.getElementById("map-wrap").style.display = "none";
      document.body.dataset.unavailable = "1";
    } else showError(status, e);
  }
}

window.addEventListener("resize", () => {
  if (data) {
    layout();
    draw();
  }
});
load();
