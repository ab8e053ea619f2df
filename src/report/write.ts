/** REPORT.md, a self-contained index.html, figures/*.svg + *.png and claims.json. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../data/index.js";
import { type Claim, evaluateClaims, type ProtocolRow, protocolTable } from "./claims.js";
import { FIGURES, figureSpec, renderPng, renderSvg } from "./figures.js";
import { loadSweep, type Sweep } from "./load.js";
import { THRESHOLDS } from "./series.js";
import { type TruncationStats, truncationStats } from "./truncation.js";

export interface ReportOptions {
  /** Skip PNGs (SVG only), e.g. for speed in tests. */
  png?: boolean;
}

export interface ReportResult {
  claims: Claim[];
  figures: string[];
  missing: number;
}

function runTimes(sweep: Sweep): { runs: number; minutes: number } {
  const seen = new Set<string>();
  let seconds = 0;
  for (const g of sweep.groups) {
    for (const r of g.runs) {
      if (seen.has(r.run)) continue;
      seen.add(r.run);
      seconds += r.rows.reduce((s, row) => s + row.seconds, 0);
    }
  }
  return { runs: seen.size, minutes: seconds / 60 };
}

function markdown(
  sweep: Sweep,
  claims: Claim[],
  protocol: ProtocolRow[],
  figures: { name: string; title: string }[],
  truncation: TruncationStats | null,
): string {
  const m = sweep.manifest;
  const t = runTimes(sweep);
  const lines: string[] = [];
  lines.push("# TraceCode: paper reproduction report", "");
  lines.push(
    `Sweep \`${m.presets.join(" ")}\`, ${m.seeds} seed(s)${m.quick ? ", **quick** (epoch budgets × 0.3)" : ""}, ` +
      `data \`${m.data}\`. ${t.runs} finished runs, ${t.minutes.toFixed(1)} min of training in all (summed over runs). ` +
      `Command: \`${m.command}\`.`,
    "",
  );
  if (sweep.missing.length > 0) {
    lines.push(`**Missing:** ${sweep.missing.length} entries have no finished run:`, "");
    for (const x of sweep.missing.slice(0, 30))
      lines.push(`- ${x.preset} / ${x.label} / seed ${x.seed}: ${x.why}`);
    lines.push("");
  }
  lines.push("## Claims", "");
  lines.push(
    "| claim | the paper says | measured (mean over seeds, min–max) | verdict |",
    "| --- | --- | --- | --- |",
  );
  for (const c of claims) {
    const measured = c.parts
      .map((p) => `${p.holds ? "✓" : "✗"} ${p.test}: ${p.measured}`)
      .join("<br>");
    lines.push(`| ${c.id} | ${c.paper} | ${measured || "—"} | **${c.verdict}** |`);
  }
  lines.push("", "### How each claim is tested", "");
  for (const c of claims) lines.push(`- **${c.id}**: ${c.definition}.`);
  lines.push(
    "",
    `Verdicts: **holds** when every part holds, **partly** when some do, **does not hold** when none does, **not measured** when the runs are missing. ` +
      `Thresholds: ${Object.entries(THRESHOLDS)
        .map(([k, v]) => `\`${k}\` = ${v}`)
        .join(", ")}.`,
    "",
  );
  lines.push("## Protocol choices the paper leaves unstated", "");
  if (protocol.length === 0) lines.push("Not measured (run the `protocol` preset).", "");
  else {
    lines.push(
      "| choice | final val top-1 | first epoch top-1 ≥ 0.99 | Δ vs paper-literal | changes the answer? |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const p of protocol) {
      lines.push(
        `| ${p.label} | ${p.finalTop1} | ${p.convergedAt} | ${p.delta >= 0 ? "+" : ""}${p.delta.toFixed(2)} | ${p.label === "paper-literal" ? "—" : p.changes ? "**yes**" : "no"} |`,
      );
    }
    lines.push(
      "",
      `"Changes the answer" = final top-1 differs from the paper-literal run by more than ${THRESHOLDS.differs}.`,
      "",
    );
  }
  if (truncation) {
    const pct = (n: number) => `${((100 * n) / Math.max(1, truncation.snippets)).toFixed(0)}%`;
    lines.push(
      `Truncation at ${truncation.limit} characters: ${truncation.longer} of ${truncation.snippets} snippets (${pct(truncation.longer)}) are longer; ` +
        `in ${truncation.constantCut} (${pct(truncation.constantCut)}) the last integer literal — the function's constant — is cut, so the truncated text cannot tell those functions apart.`,
      "",
    );
  }
  lines.push("## Figures", "");
  for (const f of figures)
    lines.push(`### ${f.title}`, "", `![${f.title}](figures/${f.name}.svg)`, "");
  return `${lines.join("\n")}\n`;
}

function html(md: string, svgs: Map<string, string>): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const inline = (s: string) =>
    esc(s)
      .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>")
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/&lt;br&gt;/g, "<br>");
  const out: string[] = [];
  let table: string[][] = [];
  const flush = () => {
    if (table.length === 0) return;
    const [head, , ...body] = table;
    out.push(
      `<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>` +
        body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("") +
        "</tbody></table>",
    );
    table = [];
  };
  for (const line of md.split("\n")) {
    if (line.startsWith("|")) {
      table.push(
        line
          .slice(1, -1)
          .split(" | ")
          .map((c) => c.trim()),
      );
      continue;
    }
    flush();
    const img = /^!\[.*\]\(figures\/(.+)\.svg\)$/.exec(line);
    if (img) out.push(`<figure>${svgs.get(img[1]) ?? ""}</figure>`);
    else if (line.startsWith("### ")) out.push(`<h3>${inline(line.slice(4))}</h3>`);
    else if (line.startsWith("## ")) out.push(`<h2>${inline(line.slice(3))}</h2>`);
    else if (line.startsWith("# ")) out.push(`<h1>${inline(line.slice(2))}</h1>`);
    else if (line.startsWith("- ")) out.push(`<li>${inline(line.slice(2))}</li>`);
    else if (line.trim() !== "") out.push(`<p>${inline(line)}</p>`);
  }
  flush();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TraceCode report</title>
<style>body{font-family:DejaVu Sans,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:14px}
code{background:#f4f4f4;padding:0 3px}figure{margin:1em 0}</style></head>
<body>
${out.join("\n")}
</body></html>
`;
}

export async function writeReport(
  sweepDir: string,
  outDir: string,
  options: ReportOptions = {},
): Promise<ReportResult> {
  const sweep = loadSweep(sweepDir);
  const claims = evaluateClaims(sweep);
  const protocol = protocolTable(sweep);
  mkdirSync(join(outDir, "figures"), { recursive: true });
  const svgs = new Map<string, string>();
  const made: { name: string; title: string }[] = [];
  for (const def of FIGURES) {
    const spec = figureSpec(sweep, def);
    if (!spec) continue;
    const svg = await renderSvg(spec);
    svgs.set(def.name, svg);
    made.push(def);
    writeFileAtomic(join(outDir, "figures", `${def.name}.svg`), svg);
    writeFileAtomic(join(outDir, "figures", `${def.name}.vl.json`), `${JSON.stringify(spec)}\n`);
    if (options.png !== false)
      writeFileAtomic(join(outDir, "figures", `${def.name}.png`), renderPng(svg));
  }
  const md = markdown(sweep, claims, protocol, made, truncationStats(sweep.manifest.data));
  writeFileAtomic(join(outDir, "REPORT.md"), md);
  writeFileAtomic(join(outDir, "index.html"), html(md, svgs));
  writeFileAtomic(
    join(outDir, "claims.json"),
    `${JSON.stringify({ thresholds: THRESHOLDS, claims, protocol, missing: sweep.missing }, null, 2)}\n`,
  );
  return { claims, figures: made.map((f) => f.name), missing: sweep.missing.length };
}
