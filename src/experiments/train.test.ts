import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyDataset } from "../../test/helpers/tiny-dataset.js";
import { loadDataset } from "../data/index.js";
import { embedItems, loadEncoder } from "../models/index.js";
import { splitExamples } from "./examples.js";
import { type MetricsRow, RunConfig } from "./schemas.js";
import { trainRun } from "./train.js";

const data = writeTinyDataset(6, 4);
afterAll(() => rmSync(data, { recursive: true, force: true }));

const base = RunConfig.parse({ data, epochs: 4, batch: 4, dim: 8, lr: 0.01 });
const withoutSeconds = (rows: MetricsRow[]) => rows.map(({ seconds: _s, ...r }) => r);

describe("splitExamples", () => {
  const ds = loadDataset(data);

  it("holds out whole functions by default and labels by trace class", () => {
    const { train, val } = splitExamples(ds, base);
    expect(new Set(train.map((e) => e.group))).toEqual(new Set(["g0", "g2", "g4"]));
    expect(new Set(val.map((e) => e.group))).toEqual(new Set(["g1", "g3", "g5"]));
    expect(new Set(train.map((e) => e.label)).size).toBe(3);
  });

  it("holds out variants of seen functions, and filters renaming per side", () => {
    const v = splitExamples(ds, { ...base, holdOut: "variants" });
    expect(v.val.length).toBe(3); // ceil(20% of 4) from each of the 3 train groups
    expect(v.val.every((e) => ["g0", "g2", "g4"].includes(e.group))).toBe(true);
    const r = splitExamples(ds, { ...base, renaming: "train-plain-test-renamed" });
    expect(r.train.every((e) => !e.code.includes("(y)") && !e.code.includes("(v)"))).toBe(true);
    expect(r.val.every((e) => e.code.includes("(y)") || e.code.includes("(v)"))).toBe(true);
  });
});

describe("trainRun", () => {
  const dirs: string[] = [];
  const runDir = (name: string) => {
    const d = join(data, "runs", name);
    dirs.push(d);
    return d;
  };

  it("warns when val holds one class (every retrieval right whatever the model) and refuses train with one", async () => {
    // Functions alternate between train and val: three give val one.
    const three = writeTinyDataset(3, 4);
    const two = writeTinyDataset(2, 4);
    try {
      const lines: string[] = [];
      const config = RunConfig.parse({ ...base, data: three, epochs: 1 });
      const rows = await trainRun(config, join(three, "run"), { log: (l) => lines.push(l) });
      expect(rows[0].valMapAtR).toBe(1);
      expect(lines.join("\n")).toMatch(/warning: the 4 val snippets share one class/);
      const several: string[] = [];
      await trainRun({ ...base, epochs: 1 }, runDir("several"), { log: (l) => several.push(l) });
      expect(several.join("\n")).not.toMatch(/share one class/);
      // Two give train one: no anchor has a negative, an error rather than an endless draw.
      await expect(trainRun({ ...base, data: two, epochs: 1 }, join(two, "run"))).rejects.toThrow(
        /the 4 train snippets share one class/,
      );
    } finally {
      for (const d of [three, two]) rmSync(d, { recursive: true, force: true });
    }
  });

  it("names the split that left val empty: the settings for generated data, the modules for a corpus", async () => {
    const one = writeTinyDataset(1, 4);
    try {
      const config = RunConfig.parse({ ...base, data: one, epochs: 1 });
      await expect(trainRun(config, join(one, "run"))).rejects.toThrow(
        /4 train and 0 val snippets after the split \(holdOut functions, renaming both\)/,
      );
      writeFileSync(join(one, "corpus.json"), "{}");
      await expect(trainRun(config, join(one, "run2"))).rejects.toThrow(
        /\(the corpus's split by module: build it with more modules or another --val-fraction\)/,
      );
    } finally {
      rmSync(one, { recursive: true, force: true });
    }
  });

  it("writes config, metrics per epoch, the model and DONE; lowers the loss; is deterministic", async () => {
    const a = await trainRun({ ...base, epochs: 6 }, runDir("a"));
    const b = await trainRun({ ...base, epochs: 6 }, runDir("b"));
    expect(a).toHaveLength(6);
    expect(withoutSeconds(b)).toEqual(withoutSeconds(a));
    for (const f of ["config.json", "metrics.jsonl", "model.safetensors", "model.json", "DONE"]) {
      expect(existsSync(join(runDir("a"), f)), f).toBe(true);
    }
    expect(existsSync(join(runDir("a"), "checkpoint.safetensors"))).toBe(false);
    expect(a[5].trainLoss).toBeLessThan(a[0].trainLoss);
    const lines = readFileSync(join(runDir("a"), "metrics.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(lines).toHaveLength(6);
    const enc = loadEncoder(runDir("a"));
    expect(embedItems(enc, [{ code: "def f(x):\n    return x + 1\n" }])[0]).toHaveLength(8);
  });

  it("resumes an interrupted run to the same metrics as an uninterrupted one", async () => {
    for (const config of [
      base,
      { ...base, encoder: "joint" as const, negatives: "hard" as const },
    ]) {
      const whole = await trainRun(config, runDir(`whole-${config.encoder}`));
      const controller = new AbortController();
      const dir = runDir(`cut-${config.encoder}`);
      await expect(
        trainRun(config, dir, {
          signal: controller.signal,
          onEpoch: (r) => {
            if (r.epoch === 2) controller.abort();
          },
        }),
      ).rejects.toThrow(/interrupted/);
      expect(existsSync(join(dir, "DONE"))).toBe(false);
      const resumed = await trainRun(config, dir, { resume: true });
      expect(withoutSeconds(resumed)).toEqual(withoutSeconds(whole));
    }
  });

  it("refuses to resume under a different config, and explains an empty split", async () => {
    const dir = runDir("a");
    await expect(trainRun({ ...base, epochs: 7 }, dir, { resume: true })).rejects.toThrow(
      /differs from the requested config \(epochs 6 → 7\)/,
    );
    const lines: string[] = [];
    await trainRun({ ...base, epochs: 1 }, runDir("fresh"), {
      resume: true,
      log: (l) => lines.push(l),
    });
    expect(lines.join("\n")).toMatch(/nothing to resume in .*fresh: training from the start/);
    await expect(
      trainRun({ ...base, renaming: "train-renamed-test-plain", holdOut: "variants" }, runDir("x")),
    ).rejects.toThrow(/need at least 2/);
  });

  it("fails clearly on a directory that is not a dataset", async () => {
    await expect(trainRun({ ...base, data: "/nonexistent" }, runDir("y"))).rejects.toThrow(
      /not a dataset/,
    );
  });
});
