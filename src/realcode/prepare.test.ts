/**
 * Preparation's pure parts: mutants are kept only when they run and differ from their source,
 * and structural variants find a rewrite whenever one of the pool applies.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FunctionRow, TraceRow } from "../data/index.js";
import { Random } from "../random/index.js";
import { applicableVariant, initPython, structuralPool } from "../synth/index.js";
import { verifyMutants } from "./prepare.js";

beforeAll(initPython);

const row = (id: string, transforms: string[] = [], mutant = false): FunctionRow => ({
  id,
  group: id,
  code: "",
  transforms,
  split: "train",
  seed: 0,
  entry: "f",
  args: ["int"],
  ...(mutant ? { mutant: true } : {}),
});

const trace = (
  id: string,
  ioClass: string | null,
  status: TraceRow["status"] = "ok",
): TraceRow => ({
  id,
  status,
  level: "io",
  ioClass,
  traceClass: ioClass,
  runs: [],
});

describe("verifyMutants", () => {
  it("keeps a mutant that differs, drops one with its source's outputs or that does not run", () => {
    const mutants = [
      row("a/m0", ["change_constant"], true),
      row("a/m1", ["drop_else"], true),
      row("a/m2", ["swap_operands"], true),
      row("b/m0", ["change_constant"], true),
    ];
    const traces = new Map(
      [
        trace("a/m0", "other"),
        trace("a/m1", "A"),
        trace("a/m2", null, "runtime_error"),
        trace("b/m0", "x"),
      ].map((t) => [t.id, t]),
    );
    // b did not run: its mutant is left out without being counted
    const { kept, report } = verifyMutants(mutants, traces, new Map([["a", trace("a", "A")]]));
    expect(kept.map((r) => r.id)).toEqual(["a/m0"]);
    expect(report).toEqual({
      kept: 1,
      droppedSameOutputs: 1,
      droppedNotRunning: 1,
      keptByMutation: { change_constant: 1 },
    });
  });
});

describe("applicableVariant", () => {
  it("finds the rewrite of the pool that matches, and gives nothing when none does", () => {
    const source = { code: "def f(xs):\n    return [v * 2 for v in xs]\n", entry: "f" };
    const pool = ["while_to_for", "swap_to_temp", "comprehension_to_loop"] as const;
    for (let seed = 0; seed < 10; seed++) {
      const v = applicableVariant(source, pool, new Random(seed), 2);
      expect(v?.transforms).toEqual(["comprehension_to_loop"]);
    }
    expect(applicableVariant(source, ["while_to_for"], new Random(0), 1)).toBeNull();
    expect(structuralPool()).toContain("comprehension_to_loop");
  });
});
