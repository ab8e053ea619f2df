import { describe, expect, it } from "vitest";
import { ARG_TYPES } from "../data/index.js";
import { generateInputs, inputSet } from "./index.js";

describe("generateInputs", () => {
  it("is identical for the same args and seed, and differs for another seed", () => {
    const args = ["int", "str", "list[int]"] as const;
    expect(generateInputs(args, 50, 3)).toEqual(generateInputs(args, 50, 3));
    expect(generateInputs(args, 50, 4)).not.toEqual(generateInputs(args, 50, 3));
  });

  it("draws int from the range, inclusive, covering both ends", () => {
    const xs = generateInputs(["int"], 2000, 0, { min: -3, max: 3 }).map(([x]) => x as number);
    expect(Math.min(...xs)).toBe(-3);
    expect(Math.max(...xs)).toBe(3);
    const paper = generateInputs(["int"], 100, 0).map(([x]) => x as number);
    expect(paper.every((x) => Number.isInteger(x) && x >= -100 && x <= 100)).toBe(true);
    expect(new Set(paper).size).toBeGreaterThan(50);
  });

  it("follows the type language of docs/ARCHITECTURE.md", () => {
    const n = 500;
    const one = (t: (typeof ARG_TYPES)[number]) => generateInputs([t], n, 1).map(([v]) => v);
    const nonneg = one("nonneg_int") as number[];
    expect(nonneg.every((x) => x >= 0 && x <= 10_000)).toBe(true);
    expect(nonneg.filter((x) => x <= 30).length / n).toBeGreaterThan(0.3);
    expect((one("pos_int") as number[]).every((x) => x >= 1)).toBe(true);
    expect((one("small_nonneg_int") as number[]).every((x) => x >= 0 && x <= 20)).toBe(true);
    const floats = one("float") as number[];
    expect(floats.every((x) => Math.abs(x) <= 1000)).toBe(true);
    const integral = floats.filter(Number.isInteger).length / n;
    expect(integral).toBeGreaterThan(0.1);
    expect(integral).toBeLessThan(0.3);
    expect((one("bool") as boolean[]).some((b) => b)).toBe(true);
    const strs = one("str") as string[];
    expect(strs.every((s) => typeof s === "string")).toBe(true);
    expect(strs.some((s) => s.length > 1 && s === [...s].reverse().join(""))).toBe(true);
    const lists = one("list[int]") as number[][];
    expect(lists.every((l) => l.length <= 30 && l.every((x) => x >= -50 && x <= 50))).toBe(true);
    const sorted = one("sorted_list[int]") as number[][];
    expect(sorted.every((l) => l.every((x, i) => i === 0 || l[i - 1] <= x))).toBe(true);
    for (const t of ARG_TYPES) expect(one(t)).toHaveLength(n);
  });

  it("keys input sets by everything that changes the values", () => {
    expect(inputSet(["int"], 10, 0).key).not.toBe(inputSet(["int"], 10, 1).key);
    expect(inputSet(["int"], 10, 0).key).not.toBe(inputSet(["int"], 10, 0, { min: 0, max: 5 }).key);
  });

  it("rejects a bad range with a message naming it", () => {
    expect(() => generateInputs(["int"], 1, 0, { min: 5, max: 1 })).toThrow(/bad int range 5,1/);
  });
});
