import { describe, expect, it } from "vitest";
import type { FunctionRowInput } from "../../data/index.js";
import { FunctionRow } from "../../data/index.js";
import { agreement, evalClones, lexicalDissimilarity } from "./index.js";

const row = (id: string, family: string, code: string, entry = "f"): FunctionRow =>
  FunctionRow.parse({
    id,
    family,
    code,
    entry,
    args: ["small_nonneg_int"],
  } satisfies FunctionRowInput);

const rows = [
  row(
    "fact/0",
    "fact",
    "def f(n: int) -> int:\n    r = 1\n    for i in range(2, n + 1):\n        r *= i\n    return r\n",
  ),
  row(
    "fact/1",
    "fact",
    "from __future__ import annotations\nimport math\n\ndef g(n: int) -> int:\n    return math.factorial(n)\n",
    "g",
  ),
  row("tri/0", "tri", "def f(n: int) -> int:\n    return n * (n + 1) // 2\n"),
  row("tri/1", "tri", "def f(n: int) -> int:\n    return sum(range(n + 1))\n"),
  row("bad/0", "bad", "def f(n: int) -> int:\n    return 1 // 0\n"),
];

describe("lexical baseline", () => {
  it("is 0 for identical text and larger for different text", () => {
    const d = lexicalDissimilarity([
      "def f(x): return x",
      "def f(x): return x",
      "while True: pass",
    ]);
    expect(d[1]).toBeCloseTo(0, 12);
    expect(d[2]).toBeGreaterThan(0.5);
  });
});

describe("evalClones", () => {
  it("finds the families by execution, reports what did not run, and skips embed without a model", async () => {
    const r = await evalClones(rows, { inputs: 30 });
    expect(r.rows).toBe(5);
    expect(r.families).toBe(3);
    // bad/0 raises on every input: no behaviour to compare, never "equal" for raising alike.
    expect(r.notRun).toEqual({ always_raises: 1 });
    // Queries with a clone (4 of 5): exec ranks each clone first.
    expect(r.modes.exec?.precisionAt1).toBe(1);
    expect(r.modes.exec?.queries).toBe(4);
    expect(r.modes.lexical?.queries).toBe(4);
    expect(r.skipped.embed).toMatch(/no model/);
    expect(r.modes.embed).toBeUndefined();
  });

  it("compares outputs input by input", () => {
    const run = (input: string, output: string) => ({
      input: [input],
      blocks: [],
      values: [],
      output,
      truncated: false,
    });
    const t = (outputs: string[]) => ({
      id: "x",
      status: "ok" as const,
      level: "io" as const,
      traceClass: null,
      ioClass: null,
      runs: outputs.map((o, i) => run(`${i}`, o)),
    });
    expect(agreement(t(["1", "2", "3"]), t(["1", "5", "3"]))).toEqual({
      equal: 2,
      shared: 3,
      firstDifference: ["1"],
    });
    expect(agreement(t(["1"]), undefined)).toEqual({ equal: 0, shared: 0, firstDifference: null });
  });
});
