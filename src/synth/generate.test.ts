import { describe, expect, it } from "vitest";
import { FunctionRow } from "../data/index.js";
import { Random } from "../random/index.js";
import { GenerateError, generateDataset, HARD_GENERATE_OPTIONS } from "./generate.js";
import { splitGroups } from "./split.js";
import { TRANSFORMS, type TransformName } from "./transforms/registry.js";

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

const serialise = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");

describe("generateDataset", () => {
  it("writes the paper's dataset shape with valid rows and ids", async () => {
    const rows = await generateDataset({ seed: 3 });
    expect(rows).toHaveLength(20 * 16);
    for (const r of rows) expect(FunctionRow.parse(r)).toEqual(r);
    expect(rows[0]).toMatchObject({
      id: "affine-000/v00",
      group: "affine-000",
      transforms: [],
      entry: "f",
      args: ["int"],
      seed: 3,
      family: "affine",
    });
    expect(rows[15].id).toBe("affine-000/v15");
    expect(rows.filter((r) => r.transforms.length === 0)).toHaveLength(20);
    for (const r of rows.filter((r) => r.transforms.length > 0)) {
      expect(r.transforms.length).toBeGreaterThanOrEqual(1);
      expect(r.transforms.length).toBeLessThanOrEqual(4);
    }
    // distinct constants across the dataset, in the sensible range
    const constants = rows.filter((r) => r.transforms.length === 0).map((r) => r.code);
    expect(new Set(constants).size).toBe(20);
    // no duplicate code within a group
    const groups = groupBy(rows, (r) => r.group);
    for (const members of groups.values())
      expect(new Set(members.map((m) => m.code)).size).toBe(16);
  });

  it("sets entry to the renamed function's name", async () => {
    const rows = await generateDataset({ seed: 1, functions: 5 });
    const renamed = rows.filter((r) => r.entry !== "f");
    expect(renamed.length).toBeGreaterThan(5);
    for (const r of renamed) {
      expect(r.transforms).toContain("rename");
      expect(r.code).toContain(`def ${r.entry}(`);
    }
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const options = {
      functions: 6,
      variants: 5,
      families: ["affine", "piecewise", "loop"] as const,
      mutants: 1,
      blockTransforms: true,
    };
    const a = serialise(
      await generateDataset({ ...options, families: [...options.families], seed: 7 }),
    );
    const b = serialise(
      await generateDataset({ ...options, families: [...options.families], seed: 7 }),
    );
    const c = serialise(
      await generateDataset({ ...options, families: [...options.families], seed: 8 }),
    );
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("adds mutants as their own groups, in their source's split, unlike every other function", async () => {
    const rows = await generateDataset({
      functions: 10,
      variants: 3,
      mutants: 2,
      families: ["affine", "piecewise", "loop"],
      seed: 4,
    });
    const sources = rows.filter((r) => r.transforms.length === 0);
    expect(sources).toHaveLength(30);
    const mutants = sources.filter((r) => r.mutant);
    expect(mutants).toHaveLength(20);
    for (const m of mutants) {
      const parent = m.group.replace(/-m\d$/, "");
      expect(m.group).toMatch(/-m[01]$/);
      expect(sources.find((s) => s.group === parent)?.split).toBe(m.split);
      expect(rows.filter((r) => r.group === m.group).every((r) => r.mutant === true)).toBe(true);
    }
    expect(rows.filter((r) => !r.group.includes("-m")).every((r) => r.mutant === undefined)).toBe(
      true,
    );
  });

  it("the hard preset: branch and loop families, mutants, block-changing variants", async () => {
    const rows = await generateDataset({
      functions: 6,
      variants: 8,
      seed: 0,
      ...HARD_GENERATE_OPTIONS,
    });
    expect(new Set(rows.map((r) => r.family))).toEqual(new Set(["piecewise", "loop"]));
    expect(rows.filter((r) => r.mutant && r.transforms.length === 0)).toHaveLength(6);
    const changing = rows.filter((r) =>
      r.transforms.some((t) => !TRANSFORMS[t as TransformName].preservesTrace),
    );
    // most variants run other blocks than their source (execution-checked in verify.test.ts)
    expect(changing.length).toBeGreaterThan(rows.length / 3);
  });

  it("holds out whole groups, the requested fraction", async () => {
    const rows = await generateDataset({ functions: 20, variants: 2, valFraction: 0.25, seed: 2 });
    const byGroup = groupBy(rows, (r) => r.group);
    for (const members of byGroup.values())
      expect(new Set(members.map((m) => m.split)).size).toBe(1);
    const valGroups = [...byGroup.values()].filter((m) => m[0].split === "val");
    expect(valGroups).toHaveLength(5);
    const other = await generateDataset({ functions: 20, variants: 2, valFraction: 0.25, seed: 3 });
    expect(other.filter((r) => r.split === "val").map((r) => r.group)).not.toEqual(
      rows.filter((r) => r.split === "val").map((r) => r.group),
    );
    const split = splitGroups(["a", "b", "c", "d"], 0, new Random(0));
    expect([...split.values()]).toEqual(["train", "train", "train", "train"]);
    expect([...splitGroups(["a", "b"], 1, new Random(0)).values()]).toEqual(["val", "val"]);
  });

  it("rejects impossible requests with a clear message", async () => {
    await expect(generateDataset({ functions: 102 })).rejects.toThrow(
      /affine has only 101 distinct/,
    );
    await expect(generateDataset({ functions: 0 })).rejects.toThrow(GenerateError);
    await expect(generateDataset({ valFraction: 1.5 })).rejects.toThrow(/--val-fraction/);
    await expect(generateDataset({ functions: 101, variants: 1 })).resolves.toHaveLength(101);
  });
});
