/** The report's blocks as Markdown (REPORT.md); figures are linked from figures/. */
import type { Block } from "./document.js";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, "<br>");

function block(b: Block): string {
  switch (b.kind) {
    case "heading":
      return `${"#".repeat(b.level)} ${b.text}`;
    case "paragraph":
      return b.text.replace(/\n/g, "  \n");
    case "list":
      return b.items.map((i) => `- ${i.replace(/\n/g, " ")}`).join("\n");
    case "table":
      return [
        `| ${b.head.map(cell).join(" | ")} |`,
        `| ${b.head.map(() => "---").join(" | ")} |`,
        ...b.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
      ].join("\n");
    case "figure":
      return `![${b.title}](figures/${b.name}.svg)`;
  }
}

export function toMarkdown(blocks: readonly Block[]): string {
  return `${blocks.map(block).join("\n\n")}\n`;
}
