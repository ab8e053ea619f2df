import { describe, expect, it } from "vitest";
import type { RawRun } from "./protocol.js";
import { ioClassOf, SharedRuns, traceClassOf } from "./trace.js";

/** Raw runs as a child's answer gives them: new arrays every time, as JSON.parse makes them. */
const raw = (runs: [number[], string[], string, boolean][]): RawRun[] =>
  JSON.parse(JSON.stringify(runs)) as RawRun[];
const inputs = [["1"], ["2"]];

describe("SharedRuns", () => {
  it("shares the runs and classes of rows whose runs are equal, with the classes of those runs", () => {
    const shared = new SharedRuns("trace");
    const runs: [number[], string[], string, boolean][] = [
      [[0, 1], ["", "3"], "3", false],
      [[0, 2], ["", "4"], "4", false],
    ];
    const a = shared.classes(raw(runs), inputs);
    const b = shared.classes(raw(runs), inputs);
    expect(b.runs).toBe(a.runs);
    expect(a.runs[1]).toEqual({
      input: ["2"],
      blocks: [0, 2],
      values: ["", "4"],
      output: "4",
      truncated: false,
    });
    expect(a.traceClass).toBe(traceClassOf(a.runs));
    expect(a.ioClass).toBe(ioClassOf(a.runs));
    expect(b.traceClass).toBe(a.traceClass);
  });

  it("keeps rows apart whose runs have one shape and differ in a value, at both levels", () => {
    type Runs = [number[], string[], string, boolean][];
    const base: Runs = [
      [[0], ["5"], "1", false],
      [[0], ["6"], "2", false],
    ];
    // The same shape each time, one value changed: a value, a block, the truncation flag.
    const changed: Runs[] = [
      base,
      [[[0], ["7"], "1", false], base[1]],
      [[[1], ["5"], "1", false], base[1]],
      [base[0], [[0], ["6"], "2", true]],
    ];
    for (const level of ["trace", "io"] as const) {
      const shared = new SharedRuns(level);
      const got = changed.map((runs) => shared.classes(raw(runs), inputs));
      got.forEach((x, i) => {
        expect(x.runs.map((r) => [r.blocks, r.values, r.output, r.truncated])).toEqual(changed[i]);
        expect(x.traceClass).toBe(level === "io" ? ioClassOf(x.runs) : traceClassOf(x.runs));
        expect(x.ioClass).toBe(ioClassOf(x.runs));
      });
      expect(new Set(got.map((x) => x.runs)).size).toBe(4);
      expect(new Set(got.map((x) => x.traceClass)).size).toBe(level === "io" ? 1 : 4);
    }
  });

  it("keeps rows apart whose inputs differ, and stays right past the candidates of one shape", () => {
    const shared = new SharedRuns("trace");
    const runs: [number[], string[], string, boolean][] = [[[0], ["1"], "1", false]];
    const one = [["1"]];
    const a = shared.classes(raw(runs), one);
    const b = shared.classes(raw(runs), [["2"]]);
    expect(shared.classes(raw(runs), one).runs).toBe(a.runs);
    expect(b.runs).not.toBe(a.runs);
    expect(b.runs[0].input).toEqual(["2"]);
    const many = Array.from({ length: 20 }, (_, i) =>
      shared.classes(raw([[[0], [String(i)], "1", false]]), one),
    );
    const again = Array.from({ length: 20 }, (_, i) =>
      shared.classes(raw([[[0], [String(i)], "1", false]]), one),
    );
    for (let i = 0; i < 20; i++) {
      expect(many[i].runs[0].values).toEqual([String(i)]);
      expect(again[i].runs[0].values).toEqual([String(i)]);
      expect(again[i].traceClass).toBe(many[i].traceClass);
    }
    expect(new Set(many.map((x) => x.traceClass)).size).toBe(20);
  });
});
