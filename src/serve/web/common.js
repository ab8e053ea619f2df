// Shared helpers of the pages: the JSON API, DOM building (text only, never HTML from data),
// and the code view with line numbers.

/** Calls the JSON API; throws an Error carrying the server's message on a 4xx/5xx answer. */
export async function api(path, options = {}) {
  const init = { method: options.method ?? "GET", headers: {} };
  if (options.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(path, init);
  let data;
  try {
    data = await res.json();
  } catch {
    data = { error: `${res.status} ${res.statusText}` };
  }
  if (!res.ok && res.status !== 202) {
    const e = new Error(data.error ?? `${res.status} ${res.statusText}`);
    e.status = res.status;
    // Answers such as the map's 409 {status, reason} carry more than an error message.
    e.data = data;
    throw e;
  }
  return { status: res.status, data };
}

/** An element with attributes (on* are listeners) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Code with line numbers; `lines` (a Set) marks lines that ran. Returns the element. */
/**
 * Code with line numbers: its own from 1, or `numbers[i]` (a file's, null for a line from
 * elsewhere, shown unnumbered and muted). `lines` holds the code's own numbers that ran.
 */
export function codeView(code, label, lines, numbers) {
  const pre = el("pre", { class: "code", tabindex: "0", "aria-label": label });
  code.split("\n").forEach((text, i) => {
    const n = i + 1;
    const ran = lines?.has(n);
    const shown = numbers ? numbers[i] : n;
    const kind = shown === null ? "line context" : "line";
    pre.append(
      el(
        "span",
        { class: ran ? `${kind} ran` : kind, dataset: { line: n } },
        el("span", { class: "ln", "aria-hidden": "true" }, shown === null ? "" : String(shown)),
        ran ? el("span", { class: "sr" }, "ran: ") : null,
        text,
        "\n",
      ),
    );
  });
  return pre;
}

/**
 * An encoded input as Python writes its argument tuple: `(a, b)`, and `(a,)` for one argument,
 * which `(a)` would show as the argument itself (a string, say, rather than a 1-tuple).
 */
export const tuple = (input) => (input.length === 1 ? `(${input[0]},)` : `(${input.join(", ")})`);

/** `n` and the noun, singular for 1: "1 function", "2 functions", "3 behaviour classes". */
export const count = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The index summary in every page's header; the promise of /api/info (null when it failed)
 * for a page that needs more of it.
 */
export const info = api("/api/info").then(
  ({ data }) => {
    document.getElementById("index-info").textContent =
      `${data.index}: ${count(data.functions, "function")}, ${count(data.behaviours, "behaviour class", "behaviour classes")}`;
    return data;
  },
  () => null,
);

/** The last query of the search page, for the map. */
export const lastQuery = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem("tracecode.query") ?? "null");
    } catch {
      return null;
    }
  },
  set(q) {
    sessionStorage.setItem("tracecode.query", JSON.stringify(q));
  },
};

/** Shows an error in a status element. */
export function showError(node, e) {
  node.replaceChildren(el("span", { class: "error" }, e.message ?? String(e)));
}

/** Replaces a node's children; arrays are flattened, null and false left out. */
export function fill(node, ...children) {
  node.replaceChildren(
    ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false),
  );
}
