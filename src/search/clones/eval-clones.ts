/**
 * Clone retrieval over `family` labels, each mode measured in the same run: `exec` (agreement
 * of outputs on shared seeded inputs), `embed` (a learned encoder, code only), `hybrid` (exec
 * first, the embedding breaking ties and ranking what could not run), and `lexical` (character
 * n-gram TF-IDF).
 */
import type { FunctionRow, TraceRow } from "../../data/index.js";
import {
  distanceNamed,
  metricsOf,
  type RetrievalMetrics,
  rankByDissimilarity,
} from "../../metric/index.js";
import { embedItems, loadEncoder } from "../../models/index.js";
import { type TracerPool, traceFunctions } from "../../python/index.js";
import {
  type LeakMatch,
  overlapWithFingerprint,
  REAL_INPUTS,
  REAL_INT_RANGE,
  readFingerprint,
} from "../../realcode/index.js";
import { execDissimilarity } from "./exec.js";
import { lexicalDissimilarity } from "./lexical.js";

export const MODES = ["exec", "embed", "hybrid", "lexical"] as const;
export type Mode = (typeof MODES)[number];

export interface EvalClonesOptions {
  /** Model directory for `embed` and `hybrid`; without it those modes are not measured. */
  model?: string;
  /** Inputs per function for `exec` (default REAL_INPUTS, 200). */
  inputs?: number;
  seed?: number;
  pool?: TracerPool;
  onProgress?: (done: number, total: number) => void;
}

export interface EvalClonesResult {
  rows: number;
  families: number;
  /** Functions whose trace is not `ok`, by status. */
  notRun: Record<string, number>;
  modes: Partial<Record<Mode, RetrievalMetrics>>;
  /** Why a mode was not measured. */
  skipped: Partial<Record<Mode, string>>;
  /** The model used for embed and hybrid. */
  model?: string;
  /**
   * Evaluated functions that the model was trained on, or near copies of them (from the model's
   * fingerprint.json); its embed and hybrid figures are then not held out. Empty when none
   * match; absent when the model has no fingerprint.
   */
  trainingOverlap?: LeakMatch[];
}

/** Weight of the embedding distance in `hybrid`: small enough to only break exec ties. */
const HYBRID_EMBED_WEIGHT = 1e-3;

export async function evalClones(
  rows: readonly FunctionRow[],
  options: EvalClonesOptions = {},
): Promise<EvalClonesResult> {
  const labelOf = new Map<string, number>();
  const labels = rows.map((r) => {
    const f = r.family ?? r.group;
    if (!labelOf.has(f)) labelOf.set(f, labelOf.size);
    return labelOf.get(f)!;
  });
  const score = (dis: ArrayLike<number>) =>
    metricsOf(rankByDissimilarity(dis, labels, labels, true));

  const traced = await traceFunctions([...rows], {
    inputs: options.inputs ?? REAL_INPUTS,
    seed: options.seed ?? 0,
    range: REAL_INT_RANGE,
    level: "io",
    pool: options.pool,
    onProgress: options.onProgress ? (d, t) => options.onProgress?.(d, t) : undefined,
  });
  const traces = new Map<string, TraceRow>(traced.map((t) => [t.id, t]));
  const notRun: Record<string, number> = {};
  for (const t of traced) if (t.status !== "ok") notRun[t.status] = (notRun[t.status] ?? 0) + 1;

  const exec = execDissimilarity(rows, traces);
  const result: EvalClonesResult = {
    rows: rows.length,
    families: labelOf.size,
    notRun,
    modes: { exec: score(exec), lexical: score(lexicalDissimilarity(rows.map((r) => r.code))) },
    skipped: {},
  };
  if (!options.model) {
    result.skipped.embed = result.skipped.hybrid = "no model: pass --model RUN_DIR";
    return result;
  }
  result.model = options.model;
  const fingerprint = readFingerprint(options.model);
  if (fingerprint) result.trainingOverlap = overlapWithFingerprint(fingerprint, rows);
  const encoder = loadEncoder(options.model);
  if (encoder.needsTrace) {
    result.skipped.embed =
      result.skipped.hybrid = `the ${encoder.spec.encoder} model reads traces; embed needs a code-only model`;
    return result;
  }
  const vectors = embedItems(
    encoder,
    rows.map((r) => ({ code: r.code })),
  );
  const dim = encoder.spec.dim;
  const data = new Float32Array(rows.length * dim);
  vectors.forEach((v, i) => {
    data.set(v, i * dim);
  });
  const distance = distanceNamed(encoder.spec.distance);
  const m = distance.matrix({ data, shape: [rows.length, dim] });
  const embed = distance.isInverted ? m.map((v) => -v) : m;
  result.modes.embed = score(embed);
  // Rescale embed to [0, 1] so its weight means the same for any distance.
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of embed) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi > lo ? hi - lo : 1;
  result.modes.hybrid = score(
    exec.map((e, i) => e + HYBRID_EMBED_WEIGHT * ((embed[i] - lo) / span)),
  );
  return result;
}
