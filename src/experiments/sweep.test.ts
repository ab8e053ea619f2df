import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyDataset } from "../../test/helpers/tiny-dataset.js";
import { packagePath } from "../python/pool.js";
import { planSweep, readManifest, runSweep } from "./sweep.js";

const data = writeTinyDataset(6, 4, "tracecode-sweep-");
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** A stand-in trainer: writes one metrics row and DONE, or fails for dim 16. */
const fakeWorker = join(data, "fake-worker.mjs");
writeFileSync(
  fakeWorker,
  `import { readFileSync, writeFileSync } from "node:fs";
const dir = process.argv[2];
const config = JSON.parse(readFileSync(dir + "/config.json", "utf8"));
if (config.dim === 16) { process.send({ error: "dim 16 is broken" }); process.exit(1); }
process.send({ epoch: 1 });
writeFileSync(dir + "/metrics.jsonl", JSON.stringify({ epoch: 1, dim: config.dim }) + "\\n");
writeFileSync(dir + "/DONE", "");
`,
);

describe("planSweep", () => {
  it("expands all, shares identical configs across presets, and scales epochs when quick", () => {
    const plan = planSweep({
      presets: ["all"],
      data,
      out: "x",
      seeds: 2,
      quick: false,
      command: "",
    });
    const baseline = plan.manifest.entries.filter((e) => e.run.startsWith("baseline-"));
    // The paper's default config appears in epochs, negatives, distance, dim, architecture,
    // margin, renaming and protocol: one run per seed serves them all.
    expect(new Set(baseline.map((e) => e.preset)).size).toBe(8);
    expect(new Set(baseline.map((e) => e.run)).size).toBe(2);
    expect(plan.runs.length).toBe(46);
    const quick = planSweep({
      presets: ["epochs"],
      data,
      out: "x",
      seeds: 1,
      quick: true,
      command: "",
    });
    expect(quick.runs.map((r) => r.config.epochs).sort((a, b) => a - b)).toEqual([3, 9, 15]);
    expect(() =>
      planSweep({ presets: ["nope"], data, out: "x", seeds: 1, quick: false, command: "" }),
    ).toThrow(/unknown preset "nope"/);
  });
});

describe("runSweep", () => {
  it("runs in parallel, records failures without stopping, and skips finished runs on rerun", async () => {
    const out = join(data, "sweep-fake");
    const options = {
      presets: ["dim"],
      data,
      out,
      seeds: 1,
      jobs: 2,
      quick: false,
      command: "test",
      worker: fakeWorker,
    };
    const first = await runSweep(options);
    expect(first.trained).toBe(4);
    expect(first.failed).toEqual([
      { run: expect.stringMatching(/^dim-16-/), error: "dim 16 is broken" },
    ]);
    const failed = first.failed[0].run;
    expect(readFileSync(join(out, "runs", failed, "ERROR"), "utf8")).toContain("dim 16 is broken");
    const again = await runSweep(options);
    expect(again.skipped).toBe(4);
    expect(again.trained).toBe(0);
    expect(again.failed).toHaveLength(1);
    expect(readManifest(out).entries).toHaveLength(5);
  });

  it("trains real runs end to end through the built worker", async () => {
    const out = join(data, "sweep-real");
    const summary = await runSweep({
      presets: ["negatives"],
      data,
      out,
      seeds: 1,
      jobs: 2,
      quick: true,
      command: "test",
      worker: packagePath("dist", "experiments", "run-worker.js"),
    });
    expect(summary.failed).toEqual([]);
    expect(summary.trained).toBe(2);
    for (const e of readManifest(out).entries) {
      const dir = join(out, "runs", e.run);
      expect(existsSync(join(dir, "DONE"))).toBe(true);
      expect(readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n")).toHaveLength(15);
    }
  });
});
