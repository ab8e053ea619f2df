/** The report's blocks as Markdown (REPORT.md); figures are linked from figures/. */
import { escapeControl } from "../data/index.js";
import type { Block } from "./document.js";

/** Control characters made visible; line breaks are the document's own. */
const text = (s: string) => escapeControl(s, "\n");

const cell = (s: string) => text(s).replace(/\|/g, "\\|").replace(/\n/g, "<br>");

function block(b: Block): string {
  switch (b.kind) {
    case "heading":
      return `${"#".repeat(b.level)} ${text(b.text)}`;
    case "paragraph":
      return text(b.text).replace(/\n/g, "  \n");
    case "list":
      return b.items.map((i) => `- ${text(i).replace(/\n/g, " ")}`).join("\n");
    case "table":
      return [
        `| ${b.head.map(cell).join(" | ")} |`,
        `| ${b.head.map(() => "---").join(" | ")} |`,
        ...b.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
      ].join("\n");
    case "figure":
      return `![${text(b.title)}](figures/${b.name}.svg)`;
  }
}

export function toMarkdown(blocks: readonly Block[]): string {
  return `${blocks.map(block).join("\n\n")}\n`;
}
