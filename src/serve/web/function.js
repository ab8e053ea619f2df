// Function page: the code, its inputs and stored outputs, and — for a chosen input — a run in
// the sandbox with the lines that ran highlighted and the tracer's block sequence.
import { api, codeView, count, el, fill, showError, tuple } from "./common.js";

const id = new URLSearchParams(location.search).get("id") ?? "";
const status = document.getElementById("status");
const codeBox = document.getElementById("code");
const runBox = document.getElementById("run");
const tbody = document.querySelector("#rows tbody");
let fn;

/** Lines are numbered as in the file; what the code begins with from elsewhere in it is not. */
const contextNote = () =>
  fn.fileLines?.includes(null)
    ? ` Unnumbered lines: imports and definitions from elsewhere in ${fn.file} that the function needs (only the function's own lines are highlighted).`
    : "";

/** The code box shows the function itself, past what its code begins with from elsewhere. */
function showCode(view) {
  codeBox.replaceChildren(view);
  const first = fn.fileLines?.indexOf(fn.line) ?? -1;
  const line = first > 0 ? view.querySelectorAll(".line")[first] : null;
  if (line) view.scrollTop = line.offsetTop - view.offsetTop;
}

async function choose(index) {
  for (const tr of tbody.querySelectorAll("tr")) {
    const on = tr.dataset.index === String(index);
    tr.classList.toggle("selected", on);
    tr.querySelector("button")?.setAttribute("aria-pressed", on ? "true" : "false");
  }
  runBox.replaceChildren(el("p", {}, `Running input ${index} in the sandbox…`));
  try {
    const { data: r } = await api(`/api/functions/${encodeURIComponent(id)}/run?input=${index}`);
    const lines = new Set(r.lines ?? []);
    showCode(
      codeView(
        fn.code,
        `code of ${fn.name}, lines that ran on input ${index} highlighted`,
        lines,
        fn.fileLines,
      ),
    );
    document.getElementById("legend").textContent =
      (r.lines
        ? `Highlighted: the ${count(lines.size, "line")} whose statements ran on input ${index} ${tuple(r.input)}.`
        : `No lines highlighted: ${r.linesNote}.`) + contextNote();
    const distinct = new Set(r.blocks).size;
    fill(
      runBox,
      el("p", {}, `Input ${index}: `, el("code", {}, tuple(r.input))),
      r.raised
        ? el("p", {}, "Raised: ", el("code", {}, r.raised))
        : el(
            "p",
            {},
            `Output: `,
            el("code", {}, r.output ?? `(${r.status}${r.error ? `: ${r.error}` : ""})`),
          ),
      r.stored === null
        ? el("p", { class: "muted" }, "No output stored at indexing (it raised on every input).")
        : r.output === undefined
          ? el(
              "p",
              { class: "error" },
              `This run gave no output (${r.status}); the one stored at indexing is ${r.stored}.`,
            )
          : r.output !== r.stored
            ? el(
                "p",
                { class: "error" },
                `This run's output differs from the one stored at indexing (${r.stored})${fn.error?.startsWith("outputs depend on call order") ? ": the function's outputs depend on the calls before it, and indexing ran every input in turn" : ""}.`,
              )
            : el("p", { class: "muted" }, "Same output as stored at indexing."),
      el(
        "p",
        {},
        `${count(r.blocks.length, "block event")} over ${count(distinct, "distinct block")}${r.truncated ? " (trace cut at the event cap)" : ""}.`,
      ),
      el(
        "p",
        { class: "muted" },
        "Blocks are the tracer's canonical ids, numbered by first execution; they carry no line numbers, so the highlighted lines come from a probed copy run in the sandbox on the same input.",
      ),
      el(
        "div",
        { class: "blocks", "aria-label": "block sequence" },
        r.blocks.slice(0, 400).join(" → ") + (r.blocks.length > 400 ? " …" : ""),
      ),
      r.linesNote ? el("p", { class: "muted" }, `Note: ${r.linesNote}`) : null,
    );
    document.body.dataset.ran = String(index);
  } catch (e) {
    showError(runBox, e);
  }
}

try {
  const { data } = await api(`/api/functions/${encodeURIComponent(id)}`);
  fn = data;
  document.title = `${fn.name} · TraceCode`;
  document.getElementById("title").textContent = fn.name;
  document
    .getElementById("meta")
    .replaceChildren(
      `${fn.file}:${fn.line} · run as ${fn.signature}`,
      fn.args ? ` · types: ${fn.argsFromText}` : ` (not run: ${fn.problem ?? "no argument types"})`,
      ` · status ${fn.status}${fn.error ? `: ${fn.error}` : ""}`,
    );
  showCode(codeView(fn.code, `code of ${fn.name}`, undefined, fn.fileLines));
  document.getElementById("legend").textContent = contextNote().trim();
  tbody.replaceChildren(
    ...fn.rows.map((r) =>
      el(
        "tr",
        { dataset: { index: r.index } },
        el(
          "td",
          { class: "index" },
          el(
            "button",
            {
              type: "button",
              "aria-pressed": "false",
              "aria-label": `run input ${r.index}`,
              onclick: () => choose(r.index),
            },
            String(r.index),
          ),
        ),
        // A function that raised on every input has no stored output (nor, when no other
        // function shares its types, stored inputs: the run shows the input).
        el("td", {}, r.input ? tuple(r.input) : "—"),
        el("td", {}, r.output ?? "(raised)"),
      ),
    ),
  );
  if (fn.rows.length === 0)
    tbody.append(
      el(
        "tr",
        {},
        el("td", { colspan: "3" }, "No stored runs: the function did not run at indexing."),
      ),
    );
  const b = fn.behaviour;
  if (b) {
    document.getElementById("behaviour").replaceChildren(
      el("h2", {}, `Behaviour class (${count(b.size, "function")})`),
      b.others.length
        ? el(
            "ul",
            {},
            b.others.map((o) =>
              el(
                "li",
                {},
                el("a", { href: `/function?id=${o.id}` }, o.name),
                ` ${o.file}:${o.line}`,
              ),
            ),
          )
        : el("p", {}, "No other function behaves exactly like this one."),
    );
  }
  if (fn.rows.length > 0) await choose(0);
} catch (e) {
  showError(status, e);
}
