// Search page: a function in, the nearest indexed functions out, ranked by behaviour, then
// similarity; each hit opens into the two functions side by side with the inputs where they differ.
import { api, codeView, count, el, info, lastQuery, showError, tuple } from "./common.js";

const RANKING = {
  ann: "embedding (approximate graph)",
  exact: "embedding (exact scan)",
  lexical: "lexical similarity (character n-grams)",
};
const form = document.getElementById("query");
const code = document.getElementById("code");
const entry = document.getElementById("entry");
const status = document.getElementById("status");
const results = document.getElementById("results");
/** The map's status from /api/info, and why it is unavailable (the map link depends on it). */
let map = { status: "ready", reason: null };

// The entry box names a function of one code: the code it was restored or searched with. When
// the code is replaced by one that does not define it, it is cleared, else every new search
// would fail on an entry the new code lacks. An entry typed since is the user's own and stays.
let entryCode = null;
function defines(text, name) {
  const m = /^([A-Za-z_]\w*\.)?([A-Za-z_]\w*)$/.exec(name);
  if (!m) return false;
  const cls = m[1]?.slice(0, -1);
  return (
    new RegExp(`\\bdef\\s+${m[2]}\\s*\\(`).test(text) &&
    (!cls || new RegExp(`\\bclass\\s+${cls}\\b`).test(text))
  );
}
function codeChanged() {
  const name = entry.value.trim();
  if (entryCode !== null && code.value !== entryCode && name && !defines(code.value, name)) {
    entry.value = "";
    entryCode = null;
  }
}

const saved = lastQuery.get();
if (saved && !code.value) {
  code.value = saved.code;
  entry.value = saved.entry ?? "";
  entryCode = saved.code;
}
entry.addEventListener("input", () => {
  entryCode = null;
});
code.addEventListener("input", codeChanged);

document.getElementById("file").addEventListener("change", async (e) => {
  const file = e.target.files?.[0];
  if (file) {
    code.value = await file.text();
    codeChanged();
  }
});
code.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    form.requestSubmit();
  }
});

function differences(hit) {
  const d = hit.differences;
  if (!d) return el("p", { class: "muted" }, `Not compared: ${hit.verdictText}`);
  if (d.count === 0) return el("p", {}, "Equal outputs on every shared input.");
  const rows = d.shown.map((x) =>
    el(
      "tr",
      {},
      el("td", { class: "index" }, String(x.index)),
      el("td", {}, tuple(x.input)),
      el("td", {}, x.query),
      el("td", {}, x.hit),
    ),
  );
  return el(
    "div",
    {},
    el(
      "p",
      {},
      `Differs on ${count(d.count, "input")}${d.count > d.shown.length ? ` (first ${d.shown.length} shown)` : ""}:`,
    ),
    el(
      "div",
      { class: "scroll" },
      el(
        "table",
        { class: "diff-table mono" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { scope: "col" }, "#"),
            el("th", { scope: "col" }, "input"),
            el("th", { scope: "col" }, "query output"),
            el("th", { scope: "col" }, "hit output"),
          ),
        ),
        el("tbody", {}, rows),
      ),
    ),
  );
}

function hitView(hit, query, queryCode) {
  const similarity = `similarity ${hit.similarity.toFixed(3)}`;
  return el(
    "details",
    {
      class: `hit ${hit.verdict === "same" ? "same" : hit.verdict === "differs" ? "differs" : "none"}`,
      dataset: { id: hit.id },
    },
    el(
      "summary",
      {},
      el("strong", {}, `${hit.order}. ${hit.name}`),
      `  ${hit.file}:${hit.line}  ·  `,
      el("span", { class: "verdict" }, hit.verdictText),
      `  ·  ${similarity}`,
    ),
    el(
      "div",
      { class: "split" },
      el(
        "section",
        { "aria-label": "query" },
        el("h3", {}, "Query"),
        el(
          "p",
          { class: "muted" },
          `run as ${query.signature}${query.status === "ok" ? "" : ` (${query.reason ?? query.status})`}`,
        ),
        codeView(queryCode, "query code"),
      ),
      el(
        "section",
        { "aria-label": `hit ${hit.name}` },
        el(
          "h3",
          {},
          el("a", { href: `/function?id=${hit.id}` }, `${hit.name} (open the function page)`),
        ),
        el(
          "p",
          { class: "muted" },
          `run as ${hit.signature}${hit.argsFromText ? `; types: ${hit.argsFromText}` : hit.problem ? `; not run: ${hit.problem}` : ""}; status ${hit.status}`,
        ),
        codeView(hit.code, `code of ${hit.name}`, undefined, hit.fileLines),
      ),
    ),
    el(
      "div",
      { style: "padding: 0 0.8rem 0.8rem" },
      el("p", { class: "verdict" }, `Verdict: ${hit.verdictText}`),
      differences(hit),
    ),
  );
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = {
    code: code.value,
    entry: entry.value.trim() || undefined,
    args: document.getElementById("args").value.trim() || undefined,
    k: Number(document.getElementById("k").value) || 10,
  };
  status.textContent = "Searching… (the query runs in the sandbox on the index's inputs)";
  results.replaceChildren();
  document.body.dataset.searching = "1";
  try {
    const { data } = await api("/api/search", { method: "POST", body });
    // Only a query that was searched is kept (for the map's star and a reload): a failed one
    // would come back with its entry and fail again.
    lastQuery.set({ code: body.code, entry: body.entry });
    entryCode = body.code;
    const q = data.query;
    status.replaceChildren(
      `Query ${q.signature}: ${q.status === "ok" ? "ran on the index's inputs" : `not run (${q.reason ?? q.status})`}; `,
      `${count(data.indexed, "function")} indexed; ${data.hits.length} shown: equal behaviour first, then functions equal on some inputs, then the nearest by ${RANKING[data.ranking] ?? data.ranking}${data.model ? ` (${data.model.kind} model)` : ""}; ${data.milliseconds} ms. `,
      map.reason
        ? el("span", { class: "muted", id: "no-map" }, `No map for this index: ${map.reason}.`)
        : el("a", { href: "/map?query=last" }, "Show the query on the map"),
    );
    if (data.note) results.append(el("p", { class: "muted" }, `Note: ${data.note}`));
    if (data.hits.length === 0) results.append(el("p", {}, "No functions in the index."));
    const list = el(
      "div",
      { id: "hits" },
      data.hits.map((h) => hitView(h, q, body.code)),
    );
    results.append(list);
    if (data.sameBehaviour.length > 0) {
      results.append(
        el("h2", {}, "Also equal on every input"),
        el(
          "ul",
          {},
          data.sameBehaviour.map((s) =>
            el(
              "li",
              {},
              el("a", { href: `/function?id=${s.id}` }, `${s.name}`),
              ` ${s.file}:${s.line}`,
            ),
          ),
        ),
      );
    }
    list.querySelector("summary")?.focus();
  } catch (err) {
    showError(status, err);
  } finally {
    delete document.body.dataset.searching;
  }
});

info.then((data) => {
  if (data) map = { status: data.map, reason: data.mapReason ?? null };
});
