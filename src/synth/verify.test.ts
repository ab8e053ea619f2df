import { describe, expect, it } from "vitest";
import { python3IoTrace } from "../../test/helpers/python3.js";
import type { FunctionRow, TraceRow } from "../data/index.js";
import { generateDataset } from "./generate.js";
import { TRANSFORMS } from "./transforms/registry.js";
import { type TraceFn, VerificationError, verifyDataset } from "./verify.js";

const row = (id: string, transforms: string[] = []): FunctionRow => ({
  id,
  group: id.split("/")[0],
  code: `# ${id}\n`,
  transforms,
  split: "train",
  seed: 0,
  entry: "f",
  args: ["int"],
});

/** A fake tracer: classes per id, `io:trace`. */
function fake(classes: Record<string, string>): TraceFn {
  return async (rows) =>
    rows.map((r): TraceRow => {
      const [io, trace] = classes[r.id].split(":");
      return { id: r.id, status: "ok", level: "trace", ioClass: io, traceClass: trace, runs: [] };
    });
}

describe("verifyDataset", () => {
  const rows = [
    row("a/v00"),
    row("a/v01", ["rename"]),
    row("a/v02", ["duplicate_branch"]),
    row("b/v00"),
  ];

  it("accepts variants in their source's io class, and block variants with another trace", async () => {
    const report = await verifyDataset(
      rows,
      fake({ "a/v00": "1:t1", "a/v01": "1:t1", "a/v02": "1:t2", "b/v00": "2:t3" }),
    );
    expect(report).toEqual({ groups: 2, variants: 2, traceChecked: 1 });
  });

  it("throws on a variant with other outputs, naming it and its transforms", async () => {
    const bad = fake({ "a/v00": "1:t1", "a/v01": "9:t1", "a/v02": "1:t2", "b/v00": "2:t3" });
    await expect(verifyDataset(rows, bad)).rejects.toThrow(/variant a\/v01 \(transforms: rename\)/);
  });

  it("throws when a trace-preserving variant changes the trace", async () => {
    const bad = fake({ "a/v00": "1:t1", "a/v01": "1:t9", "a/v02": "1:t2", "b/v00": "2:t3" });
    await expect(verifyDataset(rows, bad)).rejects.toThrow(/different trace/);
  });

  it("throws when two groups behave the same", async () => {
    const bad = fake({ "a/v00": "1:t1", "a/v01": "1:t1", "a/v02": "1:t2", "b/v00": "1:t1" });
    await expect(verifyDataset(rows, bad)).rejects.toThrow(/groups a and b behave the same/);
  });

  it("passes a generated dataset run in python3, and catches a broken transform", async () => {
    const options = {
      functions: 6,
      variants: 6,
      families: ["affine", "piecewise", "loop"] as ("affine" | "piecewise" | "loop")[],
      mutants: 1,
      blockTransforms: true,
      seed: 5,
    };
    const good = await verifyDataset(await generateDataset(options), python3IoTrace());
    expect(good.groups).toBe(12);
    expect(good.variants).toBe(60);

    // a commutation that also flips + to −: the check must reject the dataset it makes
    const original = TRANSFORMS.commute.apply;
    TRANSFORMS.commute.apply = (s, rng) => {
      const out = original(s, rng);
      return out && { ...out, code: out.code.replace("+", "-") };
    };
    try {
      const broken = await generateDataset(options);
      expect(broken.some((r) => r.transforms.includes("commute"))).toBe(true);
      const failure = await verifyDataset(broken, python3IoTrace()).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(VerificationError);
      expect(String(failure)).toMatch(/commute/);
    } finally {
      TRANSFORMS.commute.apply = original;
    }
  });
});
