import { describe, expect, it } from "vitest";
import { FunctionRow, type FunctionRowInput } from "../data/index.js";
import { truncationStats } from "./truncation.js";

const row = (id: string, group: string, code: string, transforms: string[] = []) =>
  FunctionRow.parse({ id, group, code, transforms } satisfies FunctionRowInput);

const pad = (n: number) => `# ${"x".repeat(n)}\n`;

describe("truncation statistics", () => {
  it("judge each snippet by its source's constants, wherever the variant puts them", () => {
    const rows = [
      row("a/v0", "a", "def f(x):\n    return x - 44\n"), // source, 29 chars
      // the constant moved before the limit by temp_constant: shown
      row("a/v1", "a", `def f(x):\n    y = 44\n${pad(30)}    return x - y\n`, [
        "temp_constant",
        "comment",
      ]),
      // a dead assignment writes 17 last; the source's 44 is past the limit: cut
      row("a/v2", "a", `def f(x):\n${pad(30)}    k = x - 44\n    item = x - 17\n    return k\n`, [
        "comment",
      ]),
      // a digit inside a name is not a literal
      row("a/v3", "a", `def f(a44):\n${pad(40)}    return a44 - 44\n`, ["rename", "comment"]),
      // two constants, one cut
      row(
        "b/v0",
        "b",
        "def f(x):\n    if x < 3:\n        # the other piece\n        return x + 9\n    return x\n",
      ),
      // a group without a source row, and a longer source without literals
      row("c/v1", "c", `def f(x):\n${pad(45)}    return x + 5\n`, ["comment"]),
      row("d/v0", "d", `def f(x):\n${pad(45)}    return x\n`),
    ];
    expect(truncationStats(rows, 50)).toEqual({
      limit: 50,
      snippets: 7,
      longer: 6,
      allCut: 2, // a/v2, a/v3
      someCut: 3, // and b/v0 (9 ends past 50, 3 does not)
      unjudged: 2, // c/v1, d/v0
    });
  });
});
