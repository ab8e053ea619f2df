/**
 * A sweep: presets × seeds → runs, trained in parallel child processes. Identical configs
 * (ignoring preset and label) share one run directory, so the baseline is trained once for all
 * the presets that contain it. A run with `DONE` is skipped; one with a checkpoint resumes;
 * a failed run leaves `ERROR` with its message and does not stop the others.
 */
import { fork } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../data/index.js";
import { hashString } from "../random/index.js";
import { expandPresets, PRESETS, quickEpochs } from "./presets.js";
import { RunConfig, type SweepEntry, SweepManifest } from "./schemas.js";

export interface SweepOptions {
  presets: readonly string[];
  data: string;
  out: string;
  seeds: number;
  jobs: number;
  quick: boolean;
  command: string;
  /** Module run in each child with the run directory as its argument (tests inject a fake). */
  worker?: string;
  onRunStart?: (run: string, epochs: number) => void;
  onEpoch?: (run: string, epoch: number) => void;
  onRunEnd?: (run: string, error: string | null) => void;
  signal?: AbortSignal;
}

export interface PlannedRun {
  run: string;
  config: RunConfig;
}

export interface SweepPlan {
  manifest: SweepManifest;
  runs: PlannedRun[];
}

export interface SweepSummary {
  trained: number;
  skipped: number;
  failed: { run: string; error: string }[];
  seconds: number;
}

const DEFAULT_WORKER = fileURLToPath(new URL("./run-worker.js", import.meta.url));

/** Every (preset, label, seed) → a config and its shared run name. Pure: nothing is written. */
export function planSweep(options: Omit<SweepOptions, "jobs" | "worker">): SweepPlan {
  const presets = expandPresets(options.presets);
  const entries: SweepEntry[] = [];
  const runs = new Map<string, PlannedRun>();
  for (const preset of presets) {
    for (const { label, overrides } of PRESETS[preset]) {
      for (let seed = 0; seed < options.seeds; seed++) {
        const config = RunConfig.parse({ ...overrides, data: options.data, seed });
        if (options.quick) config.epochs = quickEpochs(config.epochs);
        const run = runName(config);
        if (!runs.has(run)) runs.set(run, { run, config: { ...config, preset, label } });
        entries.push({ preset, label, seed, run });
      }
    }
  }
  const manifest = SweepManifest.parse({
    presets,
    seeds: options.seeds,
    data: options.data,
    command: options.command,
    quick: options.quick,
    entries,
  });
  return { manifest, runs: [...runs.values()] };
}

/** A readable, stable name: what differs from the defaults, a hash of the whole config, the seed. */
export function runName(config: RunConfig): string {
  const defaults = RunConfig.parse({ data: config.data });
  const { preset: _p, label: _l, ...core } = config;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(core)) {
    if (k === "data" || k === "seed") continue;
    if (defaults[k as keyof RunConfig] !== v) parts.push(`${k}-${v}`);
  }
  const slug = (parts.length > 0 ? parts.join("_") : "baseline").replace(/[^A-Za-z0-9._-]/g, "");
  const hash = hashString(JSON.stringify({ ...core, seed: 0 }))
    .toString(16)
    .padStart(8, "0");
  return `${slug}-${hash}-s${config.seed}`;
}

export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const t0 = performance.now();
  const { manifest, runs } = planSweep(options);
  mkdirSync(join(options.out, "runs"), { recursive: true });
  writeFileAtomic(join(options.out, "sweep.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const summary: SweepSummary = { trained: 0, skipped: 0, failed: [], seconds: 0 };
  const todo: PlannedRun[] = [];
  for (const r of runs) {
    const dir = join(options.out, "runs", r.run);
    if (existsSync(join(dir, "DONE"))) summary.skipped++;
    else todo.push(r);
  }
  // Longest first, so the last job to start is a short one.
  todo.sort((a, b) => cost(b.config) - cost(a.config) || (a.run < b.run ? -1 : 1));
  const worker = options.worker ?? DEFAULT_WORKER;
  let next = 0;
  const lane = async () => {
    while (next < todo.length && !options.signal?.aborted) {
      const r = todo[next++];
      const dir = join(options.out, "runs", r.run);
      mkdirSync(dir, { recursive: true });
      rmSync(join(dir, "ERROR"), { force: true });
      writeFileAtomic(join(dir, "config.json"), `${JSON.stringify(r.config, null, 2)}\n`);
      options.onRunStart?.(r.run, r.config.epochs);
      const error = await runChild(
        worker,
        dir,
        (epoch) => options.onEpoch?.(r.run, epoch),
        options.signal,
      );
      if (error === null) summary.trained++;
      else if (options.signal?.aborted)
        break; // interrupted, not failed: a rerun resumes it
      else {
        summary.failed.push({ run: r.run, error });
        writeFileAtomic(join(dir, "ERROR"), `${error}\n`);
      }
      options.onRunEnd?.(r.run, error);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, lane));
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

/** Relative cost of a run, for scheduling: epochs × encoder weight. */
function cost(c: RunConfig): number {
  const weight = { lstm: 1, trace: 1, transformer: 2, joint: 3 }[c.encoder];
  return c.epochs * weight * (c.maxLength === 0 ? 2 : 1);
}

/** Runs one training child; resolves to null on success or the error message. */
function runChild(
  worker: string,
  dir: string,
  onEpoch: (epoch: number) => void,
  signal?: AbortSignal,
): Promise<string | null> {
  return new Promise((resolve) => {
    let lastError: string | null = null;
    const child = fork(worker, [dir], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on("message", (m: { epoch?: number; error?: string }) => {
      if (typeof m.epoch === "number") onEpoch(m.epoch);
      if (typeof m.error === "string") lastError = m.error;
    });
    const abort = () => child.kill("SIGINT");
    signal?.addEventListener("abort", abort, { once: true });
    child.on("exit", (code, sig) => {
      signal?.removeEventListener("abort", abort);
      if (code === 0) resolve(null);
      else resolve(lastError ?? (stderr.trim() || `worker exited with ${code ?? sig}`));
    });
  });
}

/** The manifest of a written sweep, validated. */
export function readManifest(sweepDir: string): SweepManifest {
  const path = join(sweepDir, "sweep.json");
  if (!existsSync(path)) throw new Error(`${sweepDir} is not a sweep: ${path} is missing`);
  return SweepManifest.parse(JSON.parse(readFileSync(path, "utf8")));
}
