import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type MetricsRow, RunConfig, type SweepEntry } from "../experiments/index.js";
import { evaluateClaims, spearman, verdictOf } from "./claims.js";
import type { Group, Sweep } from "./load.js";
import { band, finalValue, firstEpoch, spikes } from "./series.js";
import { writeReport } from "./write.js";

const row = (epoch: number, trainLoss: number, valLoss: number, valTop1: number): MetricsRow => ({
  epoch,
  trainLoss,
  valLoss,
  valTop1,
  valMapAtR: valTop1,
  valMrr: valTop1,
  seconds: 1,
});

/** A series from per-epoch arrays. */
const series = (train: number[], val: number[], top1: number[]) =>
  train.map((t, i) => row(i + 1, t, val[i], top1[i]));

const group = (
  preset: string,
  label: string,
  runs: MetricsRow[][],
  config: Partial<RunConfig> = {},
): Group => ({
  preset,
  label,
  config: RunConfig.parse({ data: "d", ...config }),
  runs: runs.map((rows, i) => ({
    run: `${label}-${i}`,
    config: null,
    rows,
    done: true,
    error: null,
  })),
});

const sweepOf = (groups: Group[]): Sweep => ({
  dir: "x",
  manifest: { presets: [], seeds: 1, data: "d", command: "", quick: false, entries: [] },
  groups,
  missing: [],
});

const fast = series(
  [0.3, 0.1, 0.01, 0, 0, 0],
  [0.2, 0.1, 0.05, 0.2, 0.05, 0.04],
  [0.4, 0.8, 1, 1, 1, 1],
);
const slow = series(
  [0.3, 0.25, 0.2, 0.2, 0.19, 0.18],
  [0.2, 0.2, 0.19, 0.19, 0.18, 0.18],
  [0.2, 0.3, 0.4, 0.5, 0.5, 0.5],
);

describe("series statistics", () => {
  it("find first epochs, finals, spikes and bands over seeds", () => {
    expect(firstEpoch([0.5, 0.99, 1], (v) => v >= 0.99)).toBe(2);
    expect(firstEpoch([0.5], (v) => v >= 0.99)).toBeNull();
    expect(finalValue([0, 0, 0.3, 0.6, 0.9])).toBeCloseTo(0.6);
    expect(spikes([0.2, 0.1, 0.05, 0.2, 0.21, 0.05, 0.3])).toBe(2);
    expect(spikes([0.2, 0.19, 0.195, 0.18])).toBe(0); // rises below both thresholds
    const b = band(group("p", "l", [fast, slow]), "valTop1");
    expect(b[2]).toEqual({ epoch: 3, mean: 0.7, min: 0.4, max: 1 });
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
  });

  it("combine parts into verdicts", () => {
    const p = (holds: boolean) => ({ test: "", measured: "", holds });
    expect(verdictOf([p(true), p(true)])).toBe("holds");
    expect(verdictOf([p(true), p(false)])).toBe("partly");
    expect(verdictOf([p(false)])).toBe("does not hold");
    expect(verdictOf([])).toBe("not measured");
  });
});

describe("claims", () => {
  it("reach every verdict from synthetic series", () => {
    const claims = evaluateClaims(
      sweepOf([
        group("epochs", "E=6", [fast, fast]),
        group("negatives", "random", [fast]),
        group("negatives", "hard", [slow]),
        group("distance", "euclidean", [slow]),
        group("distance", "cosine", [fast]),
        group("architecture", "joint", [fast]),
        group("architecture", "lstm", [slow]),
        group("architecture", "transformer", [fast]),
        group("dim", "dim 16", [fast], { dim: 16 }),
        group("dim", "dim 64", [slow], { dim: 64 }),
      ]),
    );
    const v = Object.fromEntries(claims.map((c) => [c.id, c.verdict]));
    expect(v.C1).toBe("holds"); // train loss 0 by epoch 4
    expect(v.C2).toBe("holds"); // a val spike at epoch 4 in both seeds
    expect(v.C3).toBe("holds");
    expect(v.C4).toBe("partly"); // hard ends at 0.5, not ≈ 0.8
    expect(v.C5).toBe("partly"); // cosine is faster here, but spikier
    expect(v.C6).toBe("does not hold"); // dim 16 reaches 1.0; dim 64 never converges
    expect(v.C7).toBe("partly"); // joint beats lstm, ties transformer
    expect(v.C9).toBe("not measured");
  });
});

describe("writeReport", () => {
  const dir = mkdtempSync(join(tmpdir(), "tracecode-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes markdown, html with inline SVG, figures and claims.json from a sweep directory", async () => {
    const sweep = join(dir, "sweep");
    const entries: SweepEntry[] = [];
    const write = (run: string, config: Partial<RunConfig>, rows: MetricsRow[], done = true) => {
      const d = join(sweep, "runs", run);
      mkdirSync(d, { recursive: true });
      writeFileSync(
        join(d, "config.json"),
        JSON.stringify(RunConfig.parse({ data: dir, ...config })),
      );
      writeFileSync(join(d, "metrics.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
      if (done) writeFileSync(join(d, "DONE"), "");
    };
    write("a", { negatives: "random" }, fast);
    write("b", { negatives: "hard" }, slow);
    write("c", { negatives: "hard", seed: 1 }, slow.slice(0, 2), false);
    entries.push(
      { preset: "negatives", label: "random", seed: 0, run: "a" },
      { preset: "negatives", label: "hard", seed: 0, run: "b" },
      { preset: "negatives", label: "hard", seed: 1, run: "c" },
    );
    writeFileSync(
      join(sweep, "sweep.json"),
      JSON.stringify({
        presets: ["negatives"],
        seeds: 2,
        data: dir,
        command: "t",
        quick: false,
        entries,
      }),
    );
    writeFileSync(
      join(dir, "functions.jsonl"),
      `${JSON.stringify({ id: "a", group: "a", code: `def f(x):\n    # ${"x".repeat(40)}\n    return x + 7\n` })}\n`,
    );
    const out = join(dir, "report");
    const r = await writeReport(sweep, out);
    expect(r.figures).toEqual(["fig2-negatives"]);
    expect(r.missing).toBe(1);
    const md = readFileSync(join(out, "REPORT.md"), "utf8");
    expect(md).toContain("negatives / hard / seed 1: unfinished (2 epochs)");
    expect(md).toMatch(/\| C4 \| .* \| \*\*partly\*\* \|/);
    expect(md).toContain("in 1 (100%) the last integer literal");
    expect(readFileSync(join(out, "figures", "fig2-negatives.svg"), "utf8")).toMatch(/^<svg/);
    const png = readFileSync(join(out, "figures", "fig2-negatives.png"));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(readFileSync(join(out, "index.html"), "utf8")).toContain("<svg");
    const claims = JSON.parse(readFileSync(join(out, "claims.json"), "utf8"));
    expect(claims.claims.find((c: { id: string }) => c.id === "C4").verdict).toBe("partly");
  });

  it("fails clearly without a sweep manifest", async () => {
    await expect(writeReport(join(dir, "nothing"), join(dir, "r2"))).rejects.toThrow(
      /is not a sweep: .*sweep.json is missing/,
    );
  });
});
