/**
 * A sweep: presets × seeds → runs, trained in parallel child processes (run-worker).
 *
 * Identical configs (ignoring preset and label) share one run directory, so the baseline is
 * trained once for all the presets that contain it; sweep.json maps every (preset, label, seed)
 * to its run. A run with `DONE` is skipped, one with epochs already trained resumes from its
 * checkpoint, and a failed run leaves `ERROR` and does not stop the others (a rerun retries it).
 * Each run is its own process started from its config.json alone, so its metrics do not depend
 * on the schedule.
 */
import { fork } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { datasetDigest, openDataset, writeFileAtomic } from "../data/index.js";
import { hashString } from "../random/index.js";
import { expandPresets, PRESETS, quickEpochs } from "./presets.js";
import { RunConfig, type SweepEntry, SweepManifest } from "./schemas.js";

export interface PlanOptions {
  presets: readonly string[];
  /** Dataset directory; resolved, so `./d` and `d` name the same runs. */
  data: string;
  /** Seeds 0..seeds-1 for every configuration. */
  seeds: number;
  /** Scale every epoch budget by QUICK_EPOCH_SCALE. */
  quick: boolean;
  /** Upper bound on every run's epochs, applied after the quick scaling. */
  epochsCap?: number;
  /** The command line, recorded in sweep.json. */
  command: string;
}

export interface SweepOptions extends PlanOptions {
  out: string;
  /** Runs trained at the same time, one child process each. */
  jobs: number;
  /**
   * Module forked for each run with the run directory as its argument, speaking the
   * WorkerMessage protocol; a `.ts` module runs through tsx. Default: run-worker beside this
   * file. Tests pass a fake trainer.
   */
  worker?: string;
  /** After an interrupt, how long a child may take to stop before it is killed. */
  graceMs?: number;
  onRunStart?: (run: RunStatus) => void;
  onEpoch?: (run: string, epoch: number) => void;
  onRunEnd?: (run: string, error: string | null) => void;
  /** Aborting stops every child after its current step; a rerun resumes. */
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

/** A planned run against what its directory already holds. */
export interface RunStatus extends PlannedRun {
  /** `conflict`: the directory's config.json is another config. */
  state: "done" | "resume" | "new" | "conflict";
  /** Epochs already in metrics.jsonl. */
  epochsDone: number;
  /** Why the run is in conflict. */
  conflict?: string;
}

export interface SweepSummary {
  trained: number;
  skipped: number;
  failed: { run: string; error: string }[];
  /** The signal stopped the sweep; unfinished runs resume on a rerun. */
  interrupted: boolean;
  seconds: number;
}

/** What a worker tells its parent over IPC. */
export type WorkerMessage = { epoch: number } | { error: string; detail?: string };

/** A worker's exit code when an interrupt stopped it (not a failure: a rerun resumes it). */
export const INTERRUPTED_EXIT = 130;

const DEFAULT_WORKER = fileURLToPath(
  new URL(import.meta.url.endsWith(".ts") ? "./run-worker.ts" : "./run-worker.js", import.meta.url),
);

/** Every (preset, label, seed) → a config and its shared run name. Pure: nothing is written. */
export function planSweep(options: PlanOptions): SweepPlan {
  const presets = expandPresets(options.presets);
  const data = resolve(options.data);
  const entries: SweepEntry[] = [];
  const runs = new Map<string, PlannedRun>();
  for (const preset of presets) {
    for (const { label, overrides } of PRESETS[preset].configs) {
      for (let seed = 0; seed < options.seeds; seed++) {
        const config = RunConfig.parse({ ...overrides, data, seed });
        if (options.quick) config.epochs = quickEpochs(config.epochs);
        if (options.epochsCap !== undefined) {
          config.epochs = Math.min(config.epochs, options.epochsCap);
        }
        const run = runName(config);
        if (!runs.has(run)) runs.set(run, { run, config });
        entries.push({ preset, label, seed, run });
      }
    }
  }
  const manifest = SweepManifest.parse({
    presets,
    seeds: options.seeds,
    data,
    command: options.command,
    quick: options.quick,
    entries,
  });
  return { manifest, runs: [...runs.values()] };
}

/** A readable, stable name: what differs from the defaults, a hash of the whole config, the seed. */
export function runName(config: RunConfig): string {
  const core = coreOf(config);
  const defaults = RunConfig.parse({ data: config.data });
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

/** The config without its sweep bookkeeping (preset, label): what training depends on. */
function coreOf(config: RunConfig): RunConfig {
  const { preset: _preset, label: _label, ...core } = RunConfig.parse(config);
  return core;
}

export function runDir(sweepDir: string, run: string): string {
  return join(sweepDir, "runs", run);
}

/** What each planned run's directory holds: done, partly trained, nothing, or another config. */
export function sweepStatus(plan: SweepPlan, sweepDir: string): RunStatus[] {
  const data = plan.manifest.data;
  const digest = existsSync(data) ? datasetDigest(data) : undefined;
  return plan.runs.map((r) => {
    const dir = runDir(sweepDir, r.run);
    const conflict =
      configConflict(join(dir, "config.json"), r.config) ?? dataConflict(dir, data, digest);
    if (conflict) return { ...r, state: "conflict", epochsDone: 0, conflict };
    const epochsDone = Math.min(r.config.epochs, metricsLines(join(dir, "metrics.jsonl")));
    const state = existsSync(join(dir, "DONE")) ? "done" : epochsDone > 0 ? "resume" : "new";
    return { ...r, state, epochsDone };
  });
}

function metricsLines(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "").length;
}

/** The digest of the data a run was trained on (written when it starts). */
export const DATA_DIGEST_FILE = "data.sha256";

/** Null unless the run recorded a digest of its data that is not the data's now. */
function dataConflict(dir: string, data: string, digest: string | undefined): string | null {
  const path = join(dir, DATA_DIGEST_FILE);
  if (digest === undefined || !existsSync(path)) return null;
  if (readFileSync(path, "utf8").trim() === digest) return null;
  return `${dir} was trained on other data (the files of ${data} changed since): move the directory away, or sweep into another --out`;
}

/** Null when config.json is absent or holds the planned config, else what differs. */
function configConflict(path: string, planned: RunConfig): string | null {
  if (!existsSync(path)) return null;
  let saved: RunConfig;
  try {
    saved = coreOf(RunConfig.parse(JSON.parse(readFileSync(path, "utf8"))));
  } catch (e) {
    return `${path} is not a valid run config: ${(e as Error).message}`;
  }
  const want = coreOf(planned);
  const differ = (Object.keys(want) as (keyof RunConfig)[]).filter((k) => saved[k] !== want[k]);
  if (differ.length === 0) return null;
  return `${path} holds another config (differs in ${differ.join(", ")}); move the directory away`;
}

export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const t0 = performance.now();
  const plan = planSweep(options);
  const worker = options.worker ?? DEFAULT_WORKER;
  if (!existsSync(worker)) {
    throw new Error(`sweep worker ${worker} is missing; build it with \`npm run build\``);
  }
  // A dataset every run would fail on is one error, not one per run.
  await openDataset(plan.manifest.data);
  const digest = datasetDigest(plan.manifest.data);
  mkdirSync(join(options.out, "runs"), { recursive: true });
  writeFileAtomic(join(options.out, "sweep.json"), `${JSON.stringify(plan.manifest, null, 2)}\n`);
  const summary: SweepSummary = {
    trained: 0,
    skipped: 0,
    failed: [],
    interrupted: false,
    seconds: 0,
  };
  const fail = (run: string, error: string, detail = error) => {
    summary.failed.push({ run, error });
    writeFileAtomic(join(runDir(options.out, run), "ERROR"), `${detail}\n`);
    options.onRunEnd?.(run, error);
  };
  const todo: RunStatus[] = [];
  for (const s of sweepStatus(plan, options.out)) {
    if (s.state === "done") summary.skipped++;
    else if (s.state === "conflict") fail(s.run, s.conflict ?? "config conflict");
    else todo.push(s);
  }
  // Longest first, so the last runs to start are short ones and the lanes end together.
  todo.sort((a, b) => expectedCost(b) - expectedCost(a) || (a.run < b.run ? -1 : 1));

  const signal = options.signal;
  let next = 0;
  const lane = async () => {
    while (next < todo.length && !signal?.aborted) {
      const r = todo[next++];
      const dir = runDir(options.out, r.run);
      mkdirSync(dir, { recursive: true });
      rmSync(join(dir, "ERROR"), { force: true });
      // An existing config.json is the planned config (sweepStatus checked): keep it as it is.
      const configPath = join(dir, "config.json");
      if (!existsSync(configPath)) {
        writeFileAtomic(configPath, `${JSON.stringify(r.config, null, 2)}\n`);
      }
      // What it is trained on, so a rerun on data changed in place does not take it as done.
      if (!existsSync(join(dir, DATA_DIGEST_FILE)))
        writeFileAtomic(join(dir, DATA_DIGEST_FILE), `${digest}\n`);
      options.onRunStart?.(r);
      const result = await runChild(worker, dir, {
        onEpoch: (epoch) => options.onEpoch?.(r.run, epoch),
        signal,
        graceMs: options.graceMs ?? 10_000,
      });
      if (result.kind === "ok") {
        summary.trained++;
        options.onRunEnd?.(r.run, null);
      } else if (result.kind === "interrupted" || signal?.aborted) {
        summary.interrupted = true;
      } else {
        fail(r.run, result.error, result.detail);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, todo.length)) }, lane));
  summary.interrupted ||= signal?.aborted ?? false;
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

/**
 * Expected time of the epochs left, in LSTM-baseline epochs: per-epoch costs measured on the
 * default dataset (320 snippets) for each encoder, untruncated code, and renaming splits that
 * train on half the snippets. (`bag` is not measured there: set as cheap as the trace LSTM.)
 */
export function expectedCost(s: Pick<RunStatus, "config" | "epochsDone">): number {
  const c = s.config;
  const encoder = { lstm: 1, transformer: 2, joint: 2.7, trace: 0.3, bag: 0.3 }[c.encoder];
  const length = c.maxLength === 0 && c.encoder !== "trace" ? 2.2 : 1;
  const data = c.renaming === "both" ? 1 : 0.5;
  return (c.epochs - s.epochsDone) * encoder * length * data;
}

type ChildResult =
  | { kind: "ok" }
  | { kind: "interrupted" }
  | { kind: "failed"; error: string; detail: string };

/** Trains one run in a child process; resolves when it has exited. */
function runChild(
  worker: string,
  dir: string,
  io: { onEpoch: (epoch: number) => void; signal?: AbortSignal; graceMs: number },
): Promise<ChildResult> {
  return new Promise((done) => {
    const child = fork(worker, [dir], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      ...(worker.endsWith(".ts") ? { execArgv: ["--import", "tsx"] } : {}),
    });
    let reported: { error: string; detail?: string } | null = null;
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on("message", (m: WorkerMessage) => {
      if ("epoch" in m) io.onEpoch(m.epoch);
      else if ("error" in m) reported = m;
    });
    let killer: NodeJS.Timeout | undefined;
    const stop = () => {
      child.kill("SIGINT");
      // Checkpoints are written atomically per epoch, so a child that does not stop in time
      // can be killed without losing more than its current epoch.
      killer = setTimeout(() => child.kill("SIGKILL"), io.graceMs);
    };
    io.signal?.addEventListener("abort", stop, { once: true });
    child.on("error", (e) => {
      reported ??= { error: `cannot start ${worker}: ${e.message}` };
    });
    child.on("close", (code, sig) => {
      io.signal?.removeEventListener("abort", stop);
      clearTimeout(killer);
      if (code === 0) return done({ kind: "ok" });
      if (code === INTERRUPTED_EXIT) return done({ kind: "interrupted" });
      const r = reported as { error: string; detail?: string } | null;
      const error = r?.error ?? crashMessage(stderr) ?? `worker exited with ${code ?? sig}`;
      done({ kind: "failed", error, detail: r?.detail ?? (stderr.trim() || error) });
    });
  });
}

/** The `SomeError: message` line of a crashed process's stderr, else its last line. */
function crashMessage(stderr: string): string | null {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.find((l) => /^[A-Za-z]*Error\b.*:/.test(l)) ?? lines.at(-1) ?? null;
}

/** The manifest of a written sweep, validated. */
export function readManifest(sweepDir: string): SweepManifest {
  const path = join(sweepDir, "sweep.json");
  if (!existsSync(path)) throw new Error(`${sweepDir} is not a sweep: ${path} is missing`);
  return SweepManifest.parse(JSON.parse(readFileSync(path, "utf8")));
}
