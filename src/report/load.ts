/** Reading a sweep directory: the manifest, every run's config and metrics, grouped by preset. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MetricsRow, RunConfig, readManifest, type SweepManifest } from "../experiments/index.js";

export interface RunData {
  run: string;
  config: RunConfig | null;
  rows: MetricsRow[];
  done: boolean;
  error: string | null;
}

/** One configuration of a preset: its label, its config, and one run per seed. */
export interface Group {
  preset: string;
  label: string;
  config: RunConfig | null;
  runs: RunData[];
}

export interface Sweep {
  dir: string;
  manifest: SweepManifest;
  groups: Group[];
  /** Entries whose run has not finished (missing, unfinished or failed). */
  missing: { preset: string; label: string; seed: number; why: string }[];
}

function readRun(dir: string, run: string): RunData {
  const root = join(dir, "runs", run);
  const configPath = join(root, "config.json");
  const metricsPath = join(root, "metrics.jsonl");
  const config = existsSync(configPath)
    ? RunConfig.parse(JSON.parse(readFileSync(configPath, "utf8")))
    : null;
  const rows = existsSync(metricsPath)
    ? readFileSync(metricsPath, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => MetricsRow.parse(JSON.parse(l)))
    : [];
  const errorPath = join(root, "ERROR");
  return {
    run,
    config,
    rows,
    done: existsSync(join(root, "DONE")),
    error: existsSync(errorPath) ? readFileSync(errorPath, "utf8").trim() : null,
  };
}

export function loadSweep(dir: string): Sweep {
  const manifest = readManifest(dir);
  const cache = new Map<string, RunData>();
  const groups: Group[] = [];
  const missing: Sweep["missing"] = [];
  for (const e of manifest.entries) {
    let run = cache.get(e.run);
    if (!run) {
      run = readRun(dir, e.run);
      cache.set(e.run, run);
    }
    let g = groups.find((x) => x.preset === e.preset && x.label === e.label);
    if (!g) {
      g = { preset: e.preset, label: e.label, config: null, runs: [] };
      groups.push(g);
    }
    if (run.done) {
      g.runs.push(run);
      g.config ??= run.config;
    } else {
      const why = run.error
        ? `failed: ${run.error}`
        : run.rows.length > 0
          ? `unfinished (${run.rows.length} epochs)`
          : "not run";
      missing.push({ preset: e.preset, label: e.label, seed: e.seed, why });
    }
  }
  return { dir, manifest, groups, missing };
}
