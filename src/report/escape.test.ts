import { describe, expect, it } from "vitest";
import type { Block } from "./document.js";
import { toHtml } from "./html.js";
import { toMarkdown } from "./markdown.js";

const blocks: Block[] = [
  { kind: "paragraph", text: "run \x1b[2Jfailed\x9b <b>" },
  { kind: "table", head: ["run"], rows: [["a\n#  1  fake\x07"]] },
];

describe("report escaping", () => {
  it("shows control characters as escapes in HTML and Markdown", () => {
    const html = toHtml(blocks, new Map());
    const md = toMarkdown(blocks);
    for (const out of [html, md]) {
      for (const c of ["\x07", "\x1b", "\x9b"]) expect(out).not.toContain(c);
      expect(out).toContain("run \\x1b[2Jfailed\\x9b");
      expect(out).toContain("\\x07");
    }
    expect(html).toContain("&lt;b&gt;");
    expect(md).toContain("| a<br>#  1  fake\\x07 |");
  });
});
