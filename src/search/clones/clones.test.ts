import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionRowInput } from "../../data/index.js";
import { FunctionRow } from "../../data/index.js";
import { TracerPool } from "../../python/index.js";
import { initPython } from "../../synth/index.js";
import {
  agreement,
  calibrateThreshold,
  chooseThreshold,
  evalClones,
  inferRowArgs,
  lexicalDissimilarity,
  nodeTypes,
  readThreshold,
  structureDissimilarity,
  THRESHOLD_FILE,
  writeThreshold,
} from "./index.js";

beforeAll(initPython);
const pool = new TracerPool({ workers: 2 });
afterAll(() => pool.close());

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
    'from __future__ import annotations\nimport math\n\ndef g(n: int) -> int:\n    """Factorial."""\n    return math.factorial(n)  # the library\'s\n',
    "g",
  ),
  row("tri/0", "tri", "def f(n: int) -> int:\n    return n * (n + 1) // 2\n"),
  row("tri/1", "tri", "def f(n: int) -> int:\n    return sum(range(n + 1))\n"),
  row("bad/0", "bad", "def f(n: int) -> int:\n    return 1 // 0\n"),
  // Reads its own name: renaming changes what it returns, so it is measured as it is.
  row("named/0", "named", "def f(n: int) -> int:\n    return len(f.__name__) + n\n"),
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

describe("structural baseline", () => {
  it("sees node types only: names, literals, comments and layout do not count", () => {
    const types = nodeTypes("def f(x):  # note\n    return x + 1\n");
    expect(types).toContain("binary_operator");
    expect(types).toContain("+");
    expect(types.join(" ")).not.toMatch(/\bx\b|\bf\b|note|comment/);
    const d = structureDissimilarity([
      "def f(x):\n    return x + 1\n",
      "def total(count):  # same shape\n    return count + 99\n",
      "def f(xs):\n    for x in xs:\n        print(x)\n",
    ]);
    expect(d[1]).toBeCloseTo(0, 12);
    expect(d[2]).toBeGreaterThan(0.3);
  });
});

describe("no-equivalent threshold", () => {
  it("chooses the smallest threshold that reaches the precision target", () => {
    const ex = (similarity: number, positive: boolean) => ({ similarity, positive });
    const examples = [ex(0.9, true), ex(0.8, true), ex(0.7, false), ex(0.6, true), ex(0.5, false)];
    expect(chooseThreshold(examples, 0.9)).toEqual({ threshold: 0.8, reached: true });
    // 3 of 4 at 0.6: 0.75 precision reaches a 0.75 target with every positive found.
    expect(chooseThreshold(examples, 0.75)).toEqual({ threshold: 0.6, reached: true });
    expect(chooseThreshold([ex(0.5, true), ex(0.9, false)], 0.9).reached).toBe(false);
  });

  it("holds out each family: perfect separation gives precision and recall 1", () => {
    // Three families of two; clones at similarity 0.9, strangers at 0.1.
    const labels = [0, 0, 1, 1, 2, 2];
    const sim = labels.flatMap((a, i) => labels.map((b, j) => (i === j ? 1 : a === b ? 0.9 : 0.1)));
    const t = calibrateThreshold(sim, labels);
    expect(t.threshold).toBe(0.9);
    expect(t.positives).toBe(6);
    expect(t.negatives).toBe(6);
    expect(t.heldOut).toMatchObject({
      precision: 1,
      recall: 1,
      truePositives: 6,
      falsePositives: 0,
    });
  });

  it("counts a held-out family's stranger above the others' threshold as a false positive", () => {
    // Family 2's members are nearer to family 0 (0.95) than anything in 0 and 1 is to a stranger.
    const labels = [0, 0, 1, 1, 2, 2];
    const sim = labels.flatMap((a, i) =>
      labels.map((b, j) =>
        i === j ? 1 : a === b ? 0.9 : (a === 2 && b === 0) || (a === 0 && b === 2) ? 0.95 : 0.1,
      ),
    );
    const t = calibrateThreshold(sim, labels);
    expect(t.heldOut.falsePositives).toBeGreaterThan(0);
    expect(t.heldOut.precision).toBeLessThan(1);
  });
});

describe("stored threshold", () => {
  it("is read back for its own model only, and a bad file is named", () => {
    const dir = mkdtempSync(join(tmpdir(), "tracecode-threshold-"));
    try {
      expect(readThreshold(dir)).toBeUndefined();
      const stored = {
        model: "abc",
        similarity: "cosine",
        threshold: 0.5,
        reached: true,
        target: 0.9,
        heldOut: { precision: 1, recall: 0.5 },
        calibratedOn: "x.jsonl",
        command: "tracecode eval-clones x.jsonl --save-threshold",
      };
      writeThreshold(dir, stored);
      expect(readThreshold(dir, "abc")).toEqual(stored);
      // Calibrated for other weights: not used.
      expect(readThreshold(dir, "retrained")).toBeUndefined();
      writeFileSync(join(dir, THRESHOLD_FILE), '{"threshold": "high"}');
      expect(() => readThreshold(dir)).toThrow(/threshold\.json: not a threshold file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("evalClones", () => {
  it("finds the families by execution, reports what did not run, and measures name-free forms", async () => {
    const r = await evalClones(rows, { inputs: 30, nameFree: true, pool });
    expect(r.rows).toBe(6);
    expect(r.families).toBe(4);
    // bad/0 raises on every input: no behaviour to compare, never "equal" for raising alike.
    expect(r.notRun).toEqual({ always_raises: 1 });
    expect(r.notRunIds).toEqual({ always_raises: ["bad/0"] });
    expect(r.notRunErrors?.["bad/0"]).toMatch(/^raises \w+ on every input/);
    // Queries with a clone (4 of 6): exec ranks each clone first.
    expect(r.modes.exec?.precisionAt1).toBe(1);
    expect(r.modes.exec?.queries).toBe(4);
    expect(r.modes.lexical?.queries).toBe(4);
    expect(r.modes.structure?.queries).toBe(4);
    expect(r.skipped.embed).toMatch(/no model/);
    expect(r.modes.embed).toBeUndefined();
    expect(r.thresholds.lexical?.positives).toBe(4);
    expect(r.thresholds.embed).toBeUndefined();
    // Name-free: the function reading its own name fails verification and stays as it is;
    // the one that always raises raises alike after renaming.
    const nf = r.nameFree!;
    expect(nf.transformed).toBe(5);
    expect(nf.original).toEqual([{ id: "named/0", reason: expect.stringMatching(/returns/) }]);
    expect(nf.modes.exec).toEqual(r.modes.exec);
    expect(nf.modes.structure?.queries).toBe(4);
    // One family: nothing to remove from the index, so no threshold.
    const one = await evalClones(rows.slice(0, 2), { inputs: 5, pool });
    expect(one.thresholds).toEqual({});
    expect(one.modes.lexical?.queries).toBe(2);
    // No family with two rows (no labels at all, say): an error, not MAP@R 0 everywhere.
    const unlabelled = rows
      .slice(0, 3)
      .map((r, i) => ({ ...r, family: undefined, group: `g${i}` }));
    await expect(evalClones(unlabelled, { inputs: 5, pool })).rejects.toThrow(
      /no two of the 3 rows share a `family` label/,
    );
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

describe("argument types of rows that give none", () => {
  const untyped = (id: string, code: string, entry: string) =>
    FunctionRow.parse({ id, code, entry });
  it("are inferred from the code, probing when it leaves a choice; a row that cannot be called says why", async () => {
    const got = await inferRowArgs(
      [
        untyped("add", "def add(a, b):\n    return a + b\n", "add"),
        untyped("rev", "def rev(s):\n    return ''.join(reversed(s))\n", "rev"),
        untyped("typed", "def half(x: float) -> float:\n    return x / 2\n", "half"),
        untyped("broken", "def bad(x):\n    return (x\n", "bad"),
        untyped("absent", "def here(x):\n    return x\n", "elsewhere"),
      ],
      { pool },
    );
    expect(got.map((g) => ("args" in g ? g.args : g.problem.slice(0, 24)))).toEqual([
      ["int", "int"],
      ["str"],
      ["float"],
      "the code is not valid Py",
      "the code has no function",
    ]);
    // Joining text: a list of ints is the likely guess from reversed(s), but only str returns.
    expect(got[1]).toMatchObject({ probed: true });
    expect(got[2]).toMatchObject({ probed: false });
  });
});
