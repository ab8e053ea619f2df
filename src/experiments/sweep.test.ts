import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyDataset } from "../../test/helpers/tiny-dataset.js";
import { RunConfig } from "./schemas.js";
import {
  planSweep,
  readManifest,
  runDir,
  runName,
  runSweep,
  type SweepOptions,
  sweepStatus,
} from "./sweep.js";
import { trainRun } from "./train.js";

const data = writeTinyDataset(6, 4, "tracecode-sweep-");
const scratch = mkdtempSync(join(tmpdir(), "tracecode-sweep-out-"));
afterAll(() => {
  rmSync(data, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A stand-in trainer speaking the worker protocol: continues metrics.jsonl from where it stopped
 * up to config.epochs, then writes DONE. dim 16 reports an error, dim 32 crashes; FAKE_EPOCH_MS
 * slows each epoch; on SIGINT it finishes the epoch and exits 130, unless FAKE_IGNORE_SIGINT.
 */
const fakeWorker = join(scratch, "fake-worker.mjs");
writeFileSync(
  fakeWorker,
  `import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
const dir = process.argv[2];
const config = JSON.parse(readFileSync(dir + "/config.json", "utf8"));
if (config.dim === 16) { process.send({ error: "dim 16 is broken" }); process.exit(1); }
if (config.dim === 32) throw new Error("dim 32 crashed");
let stop = false;
process.on("SIGINT", () => { stop = !process.env.FAKE_IGNORE_SIGINT; });
const metrics = dir + "/metrics.jsonl";
const have = existsSync(metrics) ? readFileSync(metrics, "utf8").split("\\n").filter(Boolean).length : 0;
if (have > 0) writeFileSync(dir + "/resumed-from", String(have));
const delay = Number(process.env.FAKE_EPOCH_MS ?? 0);
for (let epoch = have + 1; epoch <= config.epochs; epoch++) {
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  appendFileSync(metrics, JSON.stringify({ epoch }) + "\\n");
  process.send({ epoch });
  if (stop) { process.exitCode = 130; process.disconnect(); process.exit(); }
}
writeFileSync(dir + "/DONE", "");
process.disconnect();
`,
);

const base = { data, seeds: 1, quick: false, command: "test" };

function fakeSweep(name: string, options: Partial<SweepOptions> & { presets: string[] }) {
  return { ...base, out: join(scratch, name), jobs: 2, worker: fakeWorker, ...options };
}

describe("planSweep", () => {
  it("expands all and gives identical configs one run, whichever presets ask for them", () => {
    const plan = planSweep({ ...base, presets: ["all"], seeds: 2 });
    const baseline = plan.manifest.entries.filter((e) => e.run.startsWith("baseline-"));
    // The paper's default config is in epochs, negatives, distance, dim, architecture, margin,
    // renaming and protocol: one run per seed serves them all.
    expect(new Set(baseline.map((e) => e.preset)).size).toBe(8);
    expect(new Set(baseline.map((e) => e.run))).toEqual(
      new Set(plan.runs.filter((r) => r.run.startsWith("baseline-")).map((r) => r.run)),
    );
    expect(plan.runs.length).toBe(46);
    expect(plan.manifest.entries.length).toBe(2 * 31);
    const runs = new Set(plan.runs.map((r) => r.run));
    expect(plan.manifest.entries.every((e) => runs.has(e.run))).toBe(true);
    // A shared run belongs to no single preset.
    expect(plan.runs.every((r) => r.config.preset === undefined)).toBe(true);
    expect(() => planSweep({ ...base, presets: ["nope"] })).toThrow(/unknown preset "nope"/);
  });

  it("scales epochs when quick and caps them with epochsCap, merging runs that become equal", () => {
    const quick = planSweep({ ...base, presets: ["epochs", "dim"], quick: true });
    expect(quick.manifest.quick).toBe(true);
    const epochsOf = (preset: string, label: string, plan = quick) => {
      const e = plan.manifest.entries.find((x) => x.preset === preset && x.label === label);
      return plan.runs.find((r) => r.run === e?.run)?.config.epochs;
    };
    expect(["E=10", "E=30", "E=50"].map((l) => epochsOf("epochs", l))).toEqual([3, 9, 15]);
    expect(epochsOf("dim", "dim 16")).toBe(15);
    const runOf = (label: string, plan = quick) =>
      plan.manifest.entries.find((x) => x.label === label)?.run;
    expect(runOf("E=50")).toBe(runOf("dim 64"));

    const capped = planSweep({ ...base, presets: ["epochs"], epochsCap: 20 });
    expect(capped.runs.map((r) => r.config.epochs)).toEqual([10, 20]);
    expect(runOf("E=30", capped)).toBe(runOf("E=50", capped));
  });

  it("names runs readably and stably from the config and seed", () => {
    const config = RunConfig.parse({ data, dim: 16, negatives: "hard", seed: 2 });
    const name = runName(config);
    expect(name).toMatch(/^negatives-hard_dim-16-[0-9a-f]{8}-s2$/);
    expect(runName({ ...config, preset: "dim", label: "dim 16" })).toBe(name);
    expect(runName({ ...config, seed: 0 })).toBe(name.replace(/s2$/, "s0"));
    expect(runName({ ...config, data: `${data}-other` })).not.toBe(name);
    // A relative dataset path names the same runs as the absolute one.
    const rel = planSweep({ ...base, presets: ["dim"], data: relative(process.cwd(), data) });
    expect(rel.manifest.data).toBe(data);
    expect(rel.runs.map((r) => r.run)).toEqual(
      planSweep({ ...base, presets: ["dim"] }).runs.map((r) => r.run),
    );
  });
});

describe("runSweep (fake trainer)", () => {
  it("trains in parallel, records failures without stopping the others, and skips done runs on rerun", async () => {
    const options = fakeSweep("dim", { presets: ["dim"] });
    let running = 0;
    let most = 0;
    const ended: string[] = [];
    const first = await runSweep({
      ...options,
      onRunStart: () => {
        running++;
        most = Math.max(most, running);
      },
      onRunEnd: (run) => {
        running--;
        ended.push(run);
      },
    });
    expect(most).toBe(2);
    expect(first.trained).toBe(3);
    expect(first.interrupted).toBe(false);
    const failed = Object.fromEntries(first.failed.map((f) => [f.run.split("-")[1], f.error]));
    expect(failed["16"]).toBe("dim 16 is broken");
    expect(failed["32"]).toBe("Error: dim 32 crashed");
    for (const f of first.failed) {
      const error = readFileSync(join(runDir(options.out, f.run), "ERROR"), "utf8");
      expect(error).toContain(f.run.startsWith("dim-16") ? "dim 16 is broken" : "dim 32 crashed");
    }
    expect(ended).toHaveLength(5);
    const manifest = readManifest(options.out);
    expect(manifest.entries.map((e) => e.label)).toEqual([
      "dim 16",
      "dim 32",
      "dim 64",
      "dim 128",
      "dim 256",
    ]);
    for (const r of planSweep(options).runs) {
      const saved = JSON.parse(
        readFileSync(join(runDir(options.out, r.run), "config.json"), "utf8"),
      );
      expect(saved).toEqual(r.config);
    }

    const started: string[] = [];
    const again = await runSweep({ ...options, onRunStart: (r) => started.push(r.run) });
    expect(again.skipped).toBe(3);
    expect(again.trained).toBe(0);
    expect(started.sort()).toEqual(first.failed.map((f) => f.run).sort());
    expect(again.failed).toHaveLength(2);
  });

  it("starts the longest expected runs first", async () => {
    const started: string[] = [];
    await runSweep({
      ...fakeSweep("order", { presets: ["architecture"], jobs: 1 }),
      onRunStart: (r) => started.push(r.config.encoder),
    });
    expect(started).toEqual(["joint", "transformer", "lstm", "trace"]);
  });

  it("resumes a run that has epochs but no DONE", async () => {
    const options = fakeSweep("resume", { presets: ["negatives"] });
    const plan = planSweep(options);
    const partial = plan.runs.find((r) => r.config.negatives === "random")!;
    const dir = runDir(options.out, partial.run);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "config.json"), JSON.stringify(partial.config));
    writeFileSync(join(dir, "metrics.jsonl"), '{"epoch":1}\n{"epoch":2}\n');
    expect(sweepStatus(plan, options.out).map((s) => [s.state, s.epochsDone])).toEqual([
      ["resume", 2],
      ["new", 0],
    ]);
    const epochs: number[] = [];
    const summary = await runSweep({
      ...options,
      onEpoch: (run, epoch) => {
        if (run === partial.run) epochs.push(epoch);
      },
    });
    expect(summary).toMatchObject({ trained: 2, skipped: 0, failed: [] });
    expect(readFileSync(join(dir, "resumed-from"), "utf8")).toBe("2");
    expect(epochs).toEqual(Array.from({ length: 48 }, (_, i) => i + 3));
    expect(readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n")).toHaveLength(50);
    expect(sweepStatus(plan, options.out).map((s) => s.state)).toEqual(["done", "done"]);
  });

  it("refuses a run directory whose config.json is another config", async () => {
    const options = fakeSweep("conflict", { presets: ["distance"] });
    const [cosine] = planSweep(options).runs.filter((r) => r.config.distance === "cosine");
    const dir = runDir(options.out, cosine.run);
    mkdirSync(dir, { recursive: true });
    const other = JSON.stringify({ ...cosine.config, dim: 99 });
    writeFileSync(join(dir, "config.json"), other);
    const summary = await runSweep(options);
    expect(summary.trained).toBe(1);
    expect(summary.failed).toEqual([
      { run: cosine.run, error: expect.stringMatching(/holds another config \(differs in dim\)/) },
    ]);
    expect(readFileSync(join(dir, "config.json"), "utf8")).toBe(other);
    expect(existsSync(join(dir, "metrics.jsonl"))).toBe(false);
  });

  it("does not take runs trained on data since regenerated in place for done", async () => {
    const copy = join(scratch, "data-copy");
    cpSync(data, copy, { recursive: true });
    const options = fakeSweep("stale", { presets: ["distance"], data: copy });
    expect(await runSweep(options)).toMatchObject({ trained: 2, failed: [] });
    expect((await runSweep(options)).skipped).toBe(2);
    // The same folder, other data (as `tracecode run` regenerates it): both runs are stale.
    appendFileSync(join(copy, "traces.jsonl"), "\n");
    const plan = planSweep(options);
    expect(sweepStatus(plan, options.out).map((s) => s.state)).toEqual(["conflict", "conflict"]);
    const again = await runSweep(options);
    expect(again.trained).toBe(0);
    expect(again.failed.map((f) => f.error)).toEqual([
      expect.stringMatching(
        /was trained on other data \(the files of .*data-copy changed since\): move the directory away/,
      ),
      expect.stringMatching(/was trained on other data/),
    ]);
  });

  it("stops on abort without counting runs as failed, and a rerun resumes them", async () => {
    const options = fakeSweep("abort", { presets: ["distance"] });
    const controller = new AbortController();
    const seen = new Set<string>();
    process.env.FAKE_EPOCH_MS = "20";
    let stopped: Awaited<ReturnType<typeof runSweep>>;
    try {
      stopped = await runSweep({
        ...options,
        signal: controller.signal,
        onEpoch: (run, epoch) => {
          if (epoch >= 3) seen.add(run);
          if (seen.size === 2) controller.abort();
        },
      });
    } finally {
      delete process.env.FAKE_EPOCH_MS;
    }
    expect(stopped).toMatchObject({ trained: 0, failed: [], interrupted: true });
    const status = sweepStatus(planSweep(options), options.out);
    for (const s of status) {
      expect(s.state).toBe("resume");
      expect(s.epochsDone).toBeGreaterThanOrEqual(3);
      expect(s.epochsDone).toBeLessThan(50);
      expect(existsSync(join(runDir(options.out, s.run), "ERROR"))).toBe(false);
    }
    const resumed = await runSweep(options);
    expect(resumed).toMatchObject({ trained: 2, failed: [], interrupted: false });
    for (const s of status) {
      const from = readFileSync(join(runDir(options.out, s.run), "resumed-from"), "utf8");
      expect(Number(from)).toBe(s.epochsDone);
    }
  });

  it("kills a child that ignores the interrupt after the grace period", async () => {
    const controller = new AbortController();
    process.env.FAKE_EPOCH_MS = "50";
    process.env.FAKE_IGNORE_SIGINT = "1";
    // Counted, not timed: a child left running would report all of its 50 epochs.
    let epochs = 0;
    try {
      const summary = await runSweep({
        ...fakeSweep("kill", { presets: ["negatives"], jobs: 1 }),
        graceMs: 200,
        signal: controller.signal,
        onEpoch: () => {
          epochs++;
          controller.abort();
        },
      });
      expect(summary).toMatchObject({ trained: 0, failed: [], interrupted: true });
    } finally {
      delete process.env.FAKE_EPOCH_MS;
      delete process.env.FAKE_IGNORE_SIGINT;
    }
    expect(epochs).toBeGreaterThan(0);
    expect(epochs).toBeLessThan(50);
  });

  it("refuses a missing worker module or dataset before writing anything", async () => {
    await expect(
      runSweep(fakeSweep("missing", { presets: ["dim"], worker: join(scratch, "nope.js") })),
    ).rejects.toThrow(/nope\.js is missing; build it with `npm run build`/);
    await expect(
      runSweep(fakeSweep("missing", { presets: ["dim"], data: join(scratch, "no-data") })),
    ).rejects.toThrow(/no-data is not a dataset/);
    expect(existsSync(join(scratch, "missing"))).toBe(false);
  });
});

describe("runSweep (real trainer)", () => {
  it("interrupts and resumes runs in their own processes, with the metrics of a standalone run", async () => {
    const options = { ...base, presets: ["negatives"], out: join(scratch, "real"), epochsCap: 6 };
    const controller = new AbortController();
    const stopped = await runSweep({
      ...options,
      jobs: 1,
      signal: controller.signal,
      onEpoch: () => controller.abort(),
    });
    expect(stopped).toMatchObject({ trained: 0, failed: [], interrupted: true });
    const plan = planSweep(options);
    const [first, second] = sweepStatus(plan, options.out);
    expect(first.state).toBe("resume");
    expect(first.epochsDone).toBeLessThan(6);
    expect(second.state).toBe("new");
    const dir = runDir(options.out, first.run);
    expect(existsSync(join(dir, "checkpoint.safetensors"))).toBe(true);
    expect(existsSync(join(dir, "ERROR"))).toBe(false);

    const resumed = await runSweep({ ...options, jobs: 2 });
    expect(resumed).toMatchObject({ trained: 2, failed: [], interrupted: false });
    for (const file of ["DONE", "model.safetensors", "config.json"]) {
      expect(existsSync(join(dir, file))).toBe(true);
    }
    const rows = readFileSync(join(dir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const alone = await trainRun(first.config, join(scratch, "alone"));
    const withoutTime = (r: { seconds: number }) => ({ ...r, seconds: 0 });
    expect(rows).toHaveLength(6);
    expect(rows.map(withoutTime)).toEqual(alone.map(withoutTime));
  });
});
