import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { familyRow, TINY_FAMILIES } from "../../test/helpers/families.js";
import { FunctionRow } from "../data/index.js";
import { traceFunctions } from "../python/index.js";
import { REAL_INT_RANGE, verifyVariants } from "../realcode/index.js";
import { evalClones } from "../search/index.js";
import { LeakError, RunConfig, trainRealCode } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-realcode-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trainFile = join(dir, "train.jsonl");
writeFileSync(trainFile, `${TINY_FAMILIES.join("\n")}\n`);
const holdout = join(dir, "holdout.jsonl");
writeFileSync(
  holdout,
  `${familyRow("max/0", "max", "largest", ["list[int]"], "def largest(xs: list[int]) -> int:\n    return max(xs, default=0)\n")}\n`,
);
const config = RunConfig.parse({
  data: "",
  encoder: "transformer",
  dim: 8,
  epochs: 1,
  maxLength: 64,
  pooling: "mean",
});

describe("training on real code", () => {
  const run = join(dir, "run");

  it("prepares verified variants, trains a code-only encoder and saves a fingerprint", async () => {
    const lines: string[] = [];
    const r = await trainRealCode(trainFile, config, run, {
      holdout: [holdout],
      prepare: { variants: 2, valFraction: 0.34, inputs: 30 },
      log: (l) => lines.push(l),
    });
    expect(r.rows).toHaveLength(1);
    expect(r.corpus.report.families).toBe(3);
    expect(r.corpus.report.splitFamilies).toEqual([]);
    // Every implementation of a family behaves the same: one class per family.
    expect(r.corpus.report.classes).toBe(3);
    for (const f of ["DONE", "model.safetensors", "fingerprint.json", "realcode.json"])
      expect(existsSync(join(run, f)), f).toBe(true);
    const functions = readFileSync(join(run, "data", "functions.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(functions.some((f) => f.transforms.length > 0)).toBe(true);
    expect(new Set(functions.map((f) => f.split))).toEqual(new Set(["train", "val"]));
    expect(lines.join("\n")).toMatch(/3 families → 3 behaviour classes/);
    // realcode.json is committed with models: no absolute local folder, even for files outside.
    const recorded = readFileSync(join(run, "realcode.json"), "utf8");
    expect(recorded).not.toContain(dir);
    expect(JSON.parse(recorded)).toMatchObject({
      source: "…/train.jsonl",
      holdout: ["…/holdout.jsonl"],
      leaks: [{ holdout: "…/holdout.jsonl" }],
      corpus: { source: "…/train.jsonl" },
    });
  });

  it("measures embed and hybrid with the model, and flags functions it was trained on", async () => {
    const rows = TINY_FAMILIES.map((l) => FunctionRow.parse(JSON.parse(l)));
    const r = await evalClones(rows, { model: run, inputs: 30 });
    expect(r.modes.embed?.queries).toBe(6);
    expect(r.modes.hybrid?.precisionAt1).toBe(1);
    expect(r.trainingOverlap?.map((m) => m.kind)).toEqual(Array(6).fill("exact"));
    const fresh = [
      FunctionRow.parse({
        id: "a",
        family: "a",
        code: "def f(x: int) -> int:\n    return x - 1\n",
      }),
      FunctionRow.parse({
        id: "b",
        family: "a",
        code: "def f(y: int) -> int:\n    y -= 1\n    return y\n",
      }),
    ];
    expect((await evalClones(fresh, { model: run, inputs: 10 })).trainingOverlap).toEqual([]);
  });

  it("refuses a training file that contains holdout code, unless allowed", async () => {
    const leaky = join(dir, "leaky.jsonl");
    writeFileSync(leaky, `${TINY_FAMILIES.join("\n")}\n${readFileSync(holdout, "utf8")}`);
    const attempt = trainRealCode(leaky, config, join(dir, "leaky-run"), { holdout: [holdout] });
    await expect(attempt).rejects.toBeInstanceOf(LeakError);
    await expect(attempt).rejects.toThrow(/max\/0 = max\/0 \(same normalised code\)/);
    expect(existsSync(join(dir, "leaky-run", "config.json"))).toBe(false);
  });

  it("drops a variant that changes behaviour and counts it per transform", async () => {
    const source = FunctionRow.parse({ ...JSON.parse(TINY_FAMILIES[0]), group: "sq/0" });
    const broken = {
      ...source,
      id: "sq/0/v1",
      code: source.code.replace("i * i", "i * 2"),
      transforms: ["commute"],
    };
    const fine = {
      ...source,
      id: "sq/0/v2",
      code: source.code.replace("i * i", "i*i"),
      transforms: ["whitespace"],
    };
    const traces = await traceFunctions([source, broken, fine], {
      inputs: 30,
      range: REAL_INT_RANGE,
      level: "io",
    });
    const v = verifyVariants([source, broken, fine], new Map(traces.map((t) => [t.id, t])));
    expect(v.functions.map((f) => f.id)).toEqual(["sq/0", "sq/0/v2"]);
    expect(v.variants).toMatchObject({
      kept: 1,
      droppedDifferentOutputs: 1,
      droppedByTransform: { commute: 1 },
    });
  });
});
