/** What `tracecode eval-clones` prints, and the flags it refuses, without running the sandbox. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRow } from "../data/index.js";
import type { EvalClonesResult, Measured } from "../search/index.js";
import { UsageError } from "./errors.js";
import { clonesTable, runEvalClones, withoutFamily } from "./eval-clones.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-eval-clones-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const metrics = (mapAtR: number) => ({
  precisionAt1: 1,
  mapAtR,
  rPrecision: mapAtR,
  mrr: 1,
  queries: 4,
  skipped: 0,
});
const threshold = (t: number, reached: boolean) => ({
  similarity: "cosine",
  threshold: t,
  reached,
  target: 0.9,
  heldOut: {
    truePositives: 3,
    falsePositives: 1,
    falseNegatives: 1,
    trueNegatives: 3,
    precision: 0.75,
    recall: 0.75,
  },
  foldThresholds: { min: t, max: t },
  positives: 4,
  negatives: 4,
});
const measured = (lexical: number): Measured => ({
  modes: { exec: metrics(1), lexical: metrics(lexical), structure: metrics(0.5) },
  skipped: {
    embed: "no model (they need --model DIR)",
    hybrid: "no model (they need --model DIR)",
  },
  thresholds: { lexical: threshold(0.25, true), structure: threshold(0.5, false) },
});

describe("eval-clones output", () => {
  it("names rows without a family: each would be a family of its own", () => {
    const rows = [
      FunctionRow.parse({ id: "a", family: "x", code: "" }),
      FunctionRow.parse({ id: "b", code: "" }),
      FunctionRow.parse({ id: "c", group: "g", code: "" }),
    ];
    expect(withoutFamily(rows)).toBe(
      '1 row without "family" (b): each counts as a family of its own',
    );
    expect(withoutFamily(rows.slice(0, 1))).toBeUndefined();
  });

  it("prints plain and name-free side by side, MAP@R first, and the thresholds held out", () => {
    const result: EvalClonesResult = {
      rows: 6,
      families: 3,
      notRun: { always_raises: 1 },
      notRunIds: { always_raises: ["bad/0"] },
      notRunErrors: { "bad/0": "raises ValueError on every input (no good)" },
      ...measured(0.875),
      nameFree: {
        transformed: 5,
        original: [
          { id: "named/0", reason: "on input (1) returns 2 where the original returns 3" },
        ],
        ...measured(0.625),
      },
    };
    const lines = clonesTable(result);
    expect(lines[0]).toBe(
      "6 functions in 3 families; not run: always_raises 1 (bad/0: raises ValueError on every input (no good))",
    );
    expect(lines).toContain(
      "name-free: 5 of 6 functions renamed and verified by execution; 1 measured as they are:",
    );
    expect(lines).toContain("  named/0: on input (1) returns 2 where the original returns 3");
    expect(lines).toContain("lexical   0.875   1.000   1.000    0.625   1.000   1.000");
    expect(lines).toContain("embed     not measured             not measured");
    expect(lines).toContain("lexical   name-free  0.250    0.750 (3/4)         0.750 (3/4)");
    // A threshold that misses the target on its own data is marked and explained.
    expect(lines).toContain("structure plain      0.500*   0.750 (3/4)         0.750 (3/4)");
    expect(lines.at(-1)).toMatch(/^\* the precision target is not reached/);
  });

  it("prints no threshold section when there is no threshold", () => {
    const lines = clonesTable({
      rows: 2,
      families: 1,
      notRun: {},
      notRunIds: {},
      ...measured(1),
      thresholds: {},
    });
    expect(lines.at(-1)).toMatch(/^hybrid: not measured/);
  });

  it("refuses --save-threshold without a model or with one family, before running anything", async () => {
    const file = join(dir, "two.jsonl");
    const row = (id: string) =>
      JSON.stringify({ id, family: "a", entry: "f", args: ["int"], code: "def f(x): return x" });
    writeFileSync(file, `${row("a/0")}\n${row("a/1")}\n`);
    const noModel = runEvalClones(file, {
      model: false,
      json: false,
      inputs: 10,
      nameFree: false,
      saveThreshold: true,
      unsafeNoIsolation: false,
    });
    await expect(noModel).rejects.toThrow(/--save-threshold: no model/);
    // A usage error (exit 2): the flags do not go together.
    await expect(noModel).rejects.toBeInstanceOf(UsageError);
    await expect(
      runEvalClones(file, {
        model: undefined,
        json: false,
        inputs: 10,
        nameFree: false,
        saveThreshold: true,
        unsafeNoIsolation: false,
      }),
    ).rejects.toThrow(/two\.jsonl has one family; a threshold needs at least two/);
  });
});
