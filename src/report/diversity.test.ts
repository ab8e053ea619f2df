/**
 * Trace diversity inside behaviour classes, and C7 left undecided where traces never differ
 * (the default data: the trace alone names the class).
 */
import { describe, expect, it } from "vitest";
import { FAST, group, SLOW, sweepOf } from "../../test/helpers/report.js";
import type { TraceRow } from "../data/index.js";
import { claimInputs, evaluateClaim } from "./claims.js";
import { traceDiversity } from "./diversity.js";

const row = (id: string, label: string, blocks: number[]): TraceRow => ({
  id,
  status: "ok",
  level: "io",
  ioClass: label,
  traceClass: label,
  runs: [{ input: ["1"], blocks, values: blocks.map(String), output: "7", truncated: false }],
});

describe("traceDiversity", () => {
  it("counts the classes whose snippets run two or more distinct traces", () => {
    const d = traceDiversity([
      row("a/0", "A", [0, 1]),
      row("a/1", "A", [0, 1]),
      row("b/0", "B", [0, 1]),
      row("b/1", "B", [0, 2, 1]),
      row("b/2", "B", [0, 2, 1]),
      row("c/0", "C", [0]), // one snippet: cannot tell
    ]);
    expect(d).toEqual({ classes: 2, diverse: 1, meanTraces: 1.5 });
    expect(traceDiversity([{ ...row("x", "X", []), runs: [] }])).toBeNull();
  });
});

describe("C7 and trace diversity", () => {
  const sweep = sweepOf([
    group("architecture", "j", [FAST, FAST], { encoder: "joint" }),
    group("architecture", "t", [SLOW, SLOW], { encoder: "transformer" }),
    group("architecture", "l", [SLOW, SLOW], { encoder: "lstm" }),
  ]);

  it("is not measured when traces are identical inside every class, with the numbers shown", () => {
    const inputs = { ...claimInputs(sweep), diversity: { classes: 20, diverse: 0, meanTraces: 1 } };
    const c7 = evaluateClaim("C7", inputs);
    expect(c7.verdict).toBe("not measured");
    expect(c7.parts[0].measured).toMatch(/traces are identical inside every behaviour class/);
    expect(c7.parts[0].measured).toMatch(/holds in 2\/2 seeds/);
  });

  it("is decided where traces differ, and says how much", () => {
    const inputs = {
      ...claimInputs(sweep),
      diversity: { classes: 20, diverse: 20, meanTraces: 3 },
    };
    const c7 = evaluateClaim("C7", inputs);
    expect(c7.verdict).toBe("holds");
    expect(c7.parts[0].measured).toMatch(/traces differ inside 20 of 20 classes/);
  });
});
