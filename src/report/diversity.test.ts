/**
 * Trace diversity inside behaviour classes, and C7 left undecided where traces never differ
 * (the default data: the trace alone names the class).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAST, group, SLOW, sweepOf } from "../../test/helpers/report.js";
import type { TraceRow } from "../data/index.js";
import { claimInputs, evaluateClaim } from "./claims.js";
import { datasetValClasses, traceDiversity } from "./diversity.js";

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
    expect(c7.parts[0].measured).toMatch(/the trace names the class, so joint wins trivially;/);
  });

  it("words the reason after the outcome: it never says joint wins when joint lost", () => {
    const lost = sweepOf([
      group("architecture", "j", [SLOW, SLOW, FAST], { encoder: "joint" }),
      group("architecture", "t", [FAST, FAST, FAST], { encoder: "transformer" }),
      group("architecture", "l", [SLOW, SLOW, SLOW], { encoder: "lstm" }),
    ]);
    const inputs = { ...claimInputs(lost), diversity: { classes: 8, diverse: 0, meanTraces: 1 } };
    const c7 = evaluateClaim("C7", inputs);
    expect(c7.verdict).toBe("not measured");
    const [transformer, lstm] = c7.parts.map((p) => p.measured);
    // joint behind the transformer in every seed (equal in the third)
    expect(transformer).toMatch(
      /^traces are identical inside every behaviour class of this data \(8 classes\): the trace names the class, so a joint win would be trivial, and joint did not beat transformer here; Δ −/,
    );
    expect(transformer).toMatch(/holds in 0\/3 seeds/);
    // ahead of the lstm in one seed of three
    expect(lstm).toMatch(
      /so a joint win would be trivial; joint beat lstm in only 1 of 3 seeds here; .*holds in 1\/3 seeds/,
    );
    for (const text of [transformer, lstm]) expect(text).not.toMatch(/wins trivially/);
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

describe("a val set of one behaviour class", () => {
  const sweep = sweepOf([
    group("distance", "e", [FAST, FAST], { distance: "euclidean" }),
    group("distance", "c", [SLOW, SLOW], { distance: "cosine" }),
    group("protocol", "v", [FAST, FAST], { holdOut: "variants" }),
  ]);

  it("leaves every part that reads the held-out functions not measured, numbers shown", () => {
    const inputs = { ...claimInputs(sweep), valClasses: { snippets: 4, classes: 1 } };
    const c5 = evaluateClaim("C5", inputs);
    expect(c5.verdict).toBe("not measured");
    expect(c5.parts[0].measured).toMatch(
      /^the held-out functions' 4 val snippets share one behaviour class, so every val retrieval is right whatever the model .*; .*holds in \d\/2 seeds/,
    );
    const decided = evaluateClaim("C5", { ...inputs, valClasses: { snippets: 8, classes: 2 } });
    expect(decided.verdict).not.toBe("not measured");
  });

  it("counts the classes of the val split's traced snippets from the dataset's files", () => {
    const dir = mkdtempSync(join(tmpdir(), "tracecode-valclasses-"));
    const fn = (id: string, split: string) =>
      JSON.stringify({ id, group: id.split("/")[0], code: "def f(x):\n    return x\n", split });
    writeFileSync(
      join(dir, "functions.jsonl"),
      `${[fn("a/0", "train"), fn("b/0", "val"), fn("b/1", "val"), fn("c/0", "val")].join("\n")}\n`,
    );
    const traces = [row("a/0", "A", [0]), row("b/0", "B", [0]), row("b/1", "B", [0])];
    const failed = { ...row("c/0", "C", [0]), status: "runtime_error", traceClass: null, runs: [] };
    writeFileSync(
      join(dir, "traces.jsonl"),
      `${[...traces, failed].map((t) => JSON.stringify(t)).join("\n")}\n`,
    );
    expect(datasetValClasses(dir)).toEqual({ snippets: 2, classes: 1 });
    expect(datasetValClasses(join(dir, "missing"))).toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });
});
