// Report page: the claims of the sweep report with their verdicts, and its figures.
import { api, el, fill, showError } from "./common.js";

const status = document.getElementById("status");
const box = document.getElementById("report");

try {
  const { data } = await api("/api/report");
  fill(
    status,
    `Report folder ${data.dir}. `,
    data.html ? el("a", { href: data.html }, "The full report (HTML)") : null,
    data.markdown ? [" · ", el("a", { href: data.markdown }, "REPORT.md")] : null,
  );
  const rows = data.claims.map((c) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, c.id),
      el("td", {}, c.figure ?? ""),
      el("td", {}, c.quote ?? ""),
      el("td", { class: `verdict-${String(c.verdict).replaceAll(" ", "-")}` }, c.verdict ?? ""),
      el(
        "td",
        {},
        (c.parts ?? []).map((p) => el("div", {}, `${p.test}: ${p.status} (${p.measured})`)),
      ),
    ),
  );
  fill(
    box,
    el("h2", {}, "Claims"),
    rows.length
      ? el(
          "table",
          { class: "claims" },
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              ["claim", "figure", "the paper says", "verdict", "tests"].map((h) =>
                el("th", { scope: "col" }, h),
              ),
            ),
          ),
          el("tbody", {}, rows),
        )
      : el("p", {}, "The report has no claims.json."),
    el("h2", {}, "Figures"),
    data.figures.map((f) =>
      el(
        "figure",
        {},
        el("img", { src: f.svg, alt: `figure ${f.name}`, loading: "lazy" }),
        el("figcaption", {}, f.name, f.png ? [" · ", el("a", { href: f.png }, "PNG")] : null),
      ),
    ),
  );
  document.body.dataset.loaded = "1";
} catch (e) {
  showError(status, e);
}
