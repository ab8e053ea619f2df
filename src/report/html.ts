/** The report's blocks as one self-contained HTML page: styles and SVG figures inlined. */
import { escapeControl } from "../data/index.js";
import type { Block } from "./document.js";

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Escaped text (control characters made visible) with `**bold**`, `` `code` `` and line breaks. */
const inline = (s: string) =>
  escapeHtml(escapeControl(s, "\n"))
    .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\n/g, "<br>");

function block(b: Block, svgs: ReadonlyMap<string, string>): string {
  switch (b.kind) {
    case "heading":
      return `<h${b.level}>${inline(b.text)}</h${b.level}>`;
    case "paragraph":
      return `<p>${inline(b.text)}</p>`;
    case "list":
      return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`;
    case "table":
      return (
        `<table><thead><tr>${b.head.map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>` +
        b.rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("") +
        "</tbody></table>"
      );
    case "figure":
      return `<figure>${svgs.get(b.name) ?? ""}<figcaption>${inline(b.title)}</figcaption></figure>`;
  }
}

export function toHtml(blocks: readonly Block[], svgs: ReadonlyMap<string, string>): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TraceCode: paper reproduction report</title>
<style>
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;line-height:1.4}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:13px;text-align:left}
code{background:#f4f4f4;padding:0 3px}figure{margin:1em 0}figure svg{max-width:100%;height:auto}
figcaption{font-size:13px;color:#555}
</style></head>
<body>
${blocks.map((b) => block(b, svgs)).join("\n")}
</body></html>
`;
}
