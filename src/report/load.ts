/**
 * Reading a sweep directory: the manifest, then every run's config and metrics, grouped by
 * (preset, label). Only finished runs (DONE) feed the figures and claims; every other entry is
 * listed as missing with the reason, so nothing is dropped silently.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { readJsonl } from "../data/index.js";
import { MetricsRow, RunConfig, readManifest, type SweepManifest } from "../experiments/index.js";

/** A finished run as one seed of a configuration. */
export interface SeedRun {
  run: string;
  seed: number;
  rows: MetricsRow[];
}

/** One configuration of a preset: its label, its config (from config.json), its finished seeds. */
export interface Group {
  preset: string;
  label: string;
  /** From the first run of the group that has a config.json (finished or not); null if none. */
  config: RunConfig | null;
  runs: SeedRun[];
}

export interface MissingRun {
  preset: string;
  label: string;
  seed: number;
  run: string;
  why: string;
}

export interface Sweep {
  dir: string;
  manifest: SweepManifest;
  groups: Group[];
  missing: MissingRun[];
}

interface RunState {
  config: RunConfig | null;
  rows: MetricsRow[];
  /** Null when the run finished and reads cleanly; else why it cannot be used. */
  problem: string | null;
}

function readConfig(path: string): RunConfig | null {
  if (!existsSync(path)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = RunConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path} is not a run config: ${issue.message} at "${issue.path.join(".")}"`);
  }
  return parsed.data;
}

function readRun(root: string): RunState {
  let config: RunConfig | null = null;
  try {
    config = readConfig(join(root, "config.json"));
    const metricsPath = join(root, "metrics.jsonl");
    const rows = existsSync(metricsPath) ? readJsonl(metricsPath, MetricsRow) : [];
    const errorPath = join(root, "ERROR");
    if (existsSync(join(root, "DONE"))) {
      const problem =
        rows.length === 0
          ? "finished but metrics.jsonl has no rows"
          : config && rows.length < config.epochs
            ? `finished but metrics.jsonl has ${rows.length} of ${config.epochs} epochs`
            : null;
      return { config, rows, problem };
    }
    if (existsSync(errorPath)) {
      const first = readFileSync(errorPath, "utf8").trim().split("\n")[0];
      return { config, rows, problem: `failed: ${first}` };
    }
    if (rows.length > 0) {
      const total = config ? ` of ${config.epochs}` : "";
      return { config, rows, problem: `unfinished (${rows.length}${total} epochs)` };
    }
    return { config, rows, problem: "not run" };
  } catch (e) {
    return { config, rows: [], problem: `unreadable: ${(e as Error).message}` };
  }
}

function manifestOf(dir: string): SweepManifest {
  try {
    return readManifest(dir);
  } catch (e) {
    const path = join(dir, "sweep.json");
    if (e instanceof SyntaxError) throw new Error(`${path} is not valid JSON: ${e.message}`);
    if (e instanceof z.ZodError) {
      const issue = e.issues[0];
      throw new Error(
        `${path} is not a sweep manifest: ${issue.message} at "${issue.path.join(".")}"`,
      );
    }
    throw e;
  }
}

export function loadSweep(dir: string): Sweep {
  const manifest = manifestOf(dir);
  const states = new Map<string, RunState>();
  const groups: Group[] = [];
  const missing: MissingRun[] = [];
  for (const e of manifest.entries) {
    let state = states.get(e.run);
    if (!state) {
      state = readRun(join(dir, "runs", e.run));
      states.set(e.run, state);
    }
    let g = groups.find((x) => x.preset === e.preset && x.label === e.label);
    if (!g) {
      g = { preset: e.preset, label: e.label, config: null, runs: [] };
      groups.push(g);
    }
    g.config ??= state.config;
    if (state.problem === null) g.runs.push({ run: e.run, seed: e.seed, rows: state.rows });
    else missing.push({ ...e, why: state.problem });
  }
  return { dir, manifest, groups, missing };
}
