import { afterAll, describe, expect, it } from "vitest";
import { FunctionRow } from "../../data/index.js";
import { TracerPool } from "../../python/index.js";
import { buildStdlibCorpus, chooseModules, readStdlib, type Stdlib } from "./index.js";

// A small library of its own, so the test runs in seconds: `double` and `twice` (in different
// modules) behave alike, `const` says nothing about what it computes, `near` copies a holdout.
const modules = new Map([
  [
    "alpha",
    "def double(x: int) -> int:\n    y = x * 2\n    return y\n\n\ndef const(x: int):\n    return None\n",
  ],
  [
    "beta",
    "def twice(n: int) -> int:\n    return n + n\n\n\ndef negate(x: int) -> int:\n    if x > 0:\n        return -x\n    return 0 - x\n",
  ],
  [
    "gamma",
    "def clamp_low(value: int) -> int:\n    if value < 10:\n        return 10\n    return value\n",
  ],
  ["delta", "def square(x: int) -> int:\n    return x * x\n"],
]);
const stdlib: Stdlib = { path: "test.zip", bytes: Buffer.from(""), modules };
const holdout = [
  {
    file: "dev.jsonl",
    rows: [
      {
        id: "dev-1",
        code: "def clamp_low(value: int) -> int:\n    if value < 10:\n        return 10\n    return value\n",
      },
    ],
  },
];
// A functions file's row (data/realcode-train.jsonl's format) that behaves like `double`.
const extra = [
  {
    file: "own.jsonl",
    rows: [
      FunctionRow.parse({
        id: "d1",
        family: "dbl",
        args: ["int"],
        code: "def f(v):\n    return 2 * v\n",
      }),
    ],
  },
];
const pool = new TracerPool({ workers: 1 });
afterAll(() => pool.close());

describe("buildStdlibCorpus", () => {
  it("labels by behaviour across modules, verifies variants, splits by module, removes leaks", async () => {
    const c = await buildStdlibCorpus(stdlib, {
      holdout,
      extra,
      inputs: 20,
      variants: 2,
      valFraction: 0.25,
      pool,
    });
    const r = c.report;
    expect(r.functions).toMatchObject({ found: 7, withSignature: 7, ok: 7, informative: 6 });
    const classOf = new Map(c.traces.map((t) => [t.id, t.traceClass]));
    const splitOf = new Map(c.functions.map((f) => [f.id, f.split]));
    // One split per module.
    for (const m of [...modules.keys(), "own.jsonl:dbl"]) {
      expect(
        new Set(c.functions.filter((f) => f.family === m).map((f) => f.split)).size,
      ).toBeLessThanOrEqual(1);
    }
    expect(r.modules.val.length + r.modules.train.length).toBe(5);
    expect(r.modules.val.length).toBeGreaterThan(0);
    // The copy of the holdout function is gone (with its variants) unless its module is in val.
    if (r.modules.train.includes("gamma")) {
      expect(r.removed.map((x) => x.train)).toEqual(["gamma:clamp_low"]);
      expect(c.functions.some((f) => f.group === "gamma:clamp_low")).toBe(false);
    }
    // Equal behaviour across modules is one class; a constant function is a class of its own.
    if (splitOf.has("alpha:double") && splitOf.has("beta:twice"))
      expect(classOf.get("alpha:double")).toBe(classOf.get("beta:twice"));
    if (splitOf.has("alpha:double") && splitOf.has("own.jsonl:dbl:d1"))
      expect(classOf.get("own.jsonl:dbl:d1")).toBe(classOf.get("alpha:double"));
    if (splitOf.has("alpha:const"))
      expect(classOf.get("alpha:const")).not.toBe(classOf.get("beta:twice"));
    // Every variant kept returns its source's outputs and carries its label.
    const variants = c.functions.filter((f) => f.transforms.length > 0);
    // (kept counts verification, before the leak check removed a source with its variants)
    expect(variants.length).toBeLessThanOrEqual(r.variants.kept);
    expect(variants.length).toBeGreaterThan(0);
    const traceOf = new Map(c.traces.map((t) => [t.id, t]));
    for (const v of variants) {
      expect(traceOf.get(v.id)?.ioClass).toBe(traceOf.get(v.group)?.ioClass);
      expect(classOf.get(v.id)).toBe(classOf.get(v.group));
      expect(v.module).toBeUndefined();
    }
    expect(c.traces.every((t) => t.runs.length <= 8)).toBe(true);
  });

  it("reads the standard library of the Pyodide package, and names an unknown module", () => {
    const real = readStdlib();
    expect(real.modules.size).toBeGreaterThan(100);
    expect(real.modules.get("bisect")).toContain("def bisect_right");
    expect(chooseModules(real, { seed: 0, maxModules: 5 })).toHaveLength(5);
    expect(chooseModules(real, { seed: 0, maxModules: 5 })).toEqual(
      chooseModules(real, { seed: 0, maxModules: 5 }),
    );
    expect(() => chooseModules(real, { seed: 0, only: ["bisect", "nonesuch"] })).toThrow(
      /not a top-level module of .*: nonesuch/,
    );
  });
});
