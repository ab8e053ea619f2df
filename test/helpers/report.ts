/** Synthetic metric series, groups and sweep directories for the report's tests. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MetricsRow, RunConfig, type SweepEntry } from "../../src/experiments/index.js";
import type { Group, Sweep } from "../../src/report/load.js";

/** Metrics rows from per-epoch train loss, val loss and val top-1. */
export function series(train: number[], val: number[], top1: number[]): MetricsRow[] {
  return train.map((t, i) => ({
    epoch: i + 1,
    trainLoss: t,
    valLoss: val[i],
    valTop1: top1[i],
    valMapAtR: top1[i],
    valMrr: top1[i],
    seconds: 1,
  }));
}

/** Learns at once: train loss ≈ 0 and top-1 1.0 from epoch 3, one val-loss spike (epoch 4). */
export const FAST = series(
  [0.3, 0.1, 0.01, 0, 0, 0],
  [0.2, 0.1, 0.05, 0.2, 0.05, 0.04],
  [0.4, 0.8, 1, 1, 1, 1],
);
/** Never converges: train loss stays high, top-1 plateaus at 0.5, val loss smooth. */
export const SLOW = series(
  [0.3, 0.25, 0.2, 0.2, 0.19, 0.18],
  [0.2, 0.2, 0.19, 0.19, 0.18, 0.18],
  [0.2, 0.3, 0.4, 0.5, 0.5, 0.5],
);
/** Plateaus at 0.8, smooth. */
export const EIGHTY = series(
  [0.3, 0.2, 0.1, 0.05, 0.04, 0.04],
  [0.2, 0.15, 0.12, 0.1, 0.1, 0.1],
  [0.3, 0.5, 0.7, 0.8, 0.8, 0.8],
);
/** Slow and spiky: top-1 plateaus at 0.5, two val-loss spikes. */
export const SPIKY = series(
  [0.3, 0.25, 0.2, 0.2, 0.19, 0.18],
  [0.2, 0.3, 0.15, 0.3, 0.12, 0.11],
  [0.2, 0.3, 0.4, 0.5, 0.5, 0.5],
);

/** A configuration with one finished run per series, seeds 0, 1, … in order. */
export function group(
  preset: string,
  label: string,
  runs: MetricsRow[][],
  config: Partial<RunConfig> = {},
): Group {
  return {
    preset,
    label,
    config: RunConfig.parse({ data: "d", epochs: runs[0]?.length ?? 6, ...config }),
    runs: runs.map((rows, seed) => ({ run: `${label}-s${seed}`, seed, rows })),
  };
}

export function sweepOf(groups: Group[], quick = false): Sweep {
  return {
    dir: "sweep",
    manifest: { presets: [], seeds: 1, data: "d", command: "", quick, entries: [] },
    groups,
    missing: [],
  };
}

export interface TinyRun {
  preset: string;
  label: string;
  seed: number;
  config: Partial<RunConfig>;
  rows: MetricsRow[];
  done: boolean;
}

/** Writes a sweep directory (sweep.json, runs/<run>/config.json, metrics.jsonl, DONE). */
export function writeSweepDir(dir: string, data: string, runs: readonly TinyRun[]): void {
  const entries: SweepEntry[] = [];
  for (const [i, r] of runs.entries()) {
    const run = `run${i}`;
    const root = join(dir, "runs", run);
    mkdirSync(root, { recursive: true });
    const config = RunConfig.parse({ data, seed: r.seed, epochs: r.rows.length, ...r.config });
    writeFileSync(join(root, "config.json"), JSON.stringify(config));
    writeFileSync(
      join(root, "metrics.jsonl"),
      r.rows.map((x) => `${JSON.stringify(x)}\n`).join(""),
    );
    if (r.done) writeFileSync(join(root, "DONE"), "");
    entries.push({ preset: r.preset, label: r.label, seed: r.seed, run });
  }
  const presets = [...new Set(runs.map((r) => r.preset))];
  const manifest = {
    presets,
    seeds: 2,
    data,
    command: "tracecode sweep (test)",
    quick: false,
    entries,
  };
  writeFileSync(join(dir, "sweep.json"), JSON.stringify(manifest));
}
