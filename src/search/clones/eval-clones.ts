/**
 * Clone retrieval over `family` labels, each mode measured in the same run: `exec` (agreement
 * of outputs on shared seeded inputs), `embed` (a learned encoder, code only), `hybrid` (exec
 * first, the embedding breaking ties and ranking what could not run), `lexical` (character
 * n-gram TF-IDF) and `structure` (syntax-tree node-type n-gram TF-IDF). With `nameFree` every
 * mode is measured again on the functions made name-free (src/synth `namefree.ts`), each
 * verified by execution; and for the similarity modes a "no equivalent" threshold is
 * calibrated (`threshold.ts`).
 */
import type { FunctionRow, TraceRow } from "../../data/index.js";
import {
  distanceNamed,
  metricsOf,
  type RetrievalMetrics,
  rankByDissimilarity,
} from "../../metric/index.js";
import { type Encoder, embedItems, loadEncoder } from "../../models/index.js";
import { type TracerPool, traceFunctions } from "../../python/index.js";
import {
  type LeakMatch,
  overlapWithFingerprint,
  REAL_INPUTS,
  REAL_INT_RANGE,
  readFingerprint,
} from "../../realcode/index.js";
import { initPython, NameFreeError, nameFree } from "../../synth/index.js";
import { execDissimilarity } from "./exec.js";
import { lexicalDissimilarity } from "./lexical.js";
import { structureDissimilarity } from "./structure.js";
import { calibrateThreshold, type ThresholdReport } from "./threshold.js";

export const MODES = ["exec", "embed", "hybrid", "lexical", "structure"] as const;
export type Mode = (typeof MODES)[number];
/** Modes ranked by a similarity, for which a "no equivalent" threshold is calibrated. */
export const THRESHOLD_MODES = ["embed", "lexical", "structure"] as const;
export type ThresholdMode = (typeof THRESHOLD_MODES)[number];

export interface EvalClonesOptions {
  /** Model directory for `embed` and `hybrid`; without it those modes are not measured. */
  model?: string;
  /** Inputs per function for `exec` (default REAL_INPUTS, 200). */
  inputs?: number;
  seed?: number;
  pool?: TracerPool;
  /** Also measure every mode on the name-free functions. */
  nameFree?: boolean;
  /** Called after each function run (the name-free forms are run too). */
  onProgress?: (done: number, total: number) => void;
}

/** The figures of one form of the functions (plain or name-free). */
export interface Measured {
  modes: Partial<Record<Mode, RetrievalMetrics>>;
  /** Why a mode was not measured. */
  skipped: Partial<Record<Mode, string>>;
  /** "No equivalent" thresholds of the similarity modes. */
  thresholds: Partial<Record<ThresholdMode, ThresholdReport & { similarity: string }>>;
}

export interface NameFreeReport extends Measured {
  /** Functions measured in their name-free form (transformed and verified by execution). */
  transformed: number;
  /** Functions measured in their original form instead, with the reason. */
  original: { id: string; reason: string }[];
}

export interface EvalClonesResult extends Measured {
  rows: number;
  families: number;
  /** How many functions have a trace that is not `ok`, by status (notRunIds counted). */
  notRun: Record<string, number>;
  /** Their ids, by status. */
  notRunIds: Record<string, string[]>;
  /** Why each of them did not run (the trace's error), by id. */
  notRunErrors?: Record<string, string>;
  /** The model used for embed and hybrid. */
  model?: string;
  /**
   * Evaluated functions that the model was trained on, or near copies of them (from the model's
   * fingerprint.json); its embed and hybrid figures are then not held out. Empty when none
   * match; absent when the model has no fingerprint.
   */
  trainingOverlap?: LeakMatch[];
  /** The same measurements on the name-free functions (with `nameFree`). */
  nameFree?: NameFreeReport;
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
  if (rows.length > 0 && labelOf.size === rows.length) {
    throw new Error(
      `no two of the ${rows.length} rows share a \`family\` label, so no function has a clone to find (rows without one count as their own family)`,
    );
  }
  await initPython();
  // Name-free forms are made first, so one run of the sandbox executes both forms.
  const original: NameFreeReport["original"] = [];
  const candidates: FunctionRow[] = [];
  if (options.nameFree)
    for (const r of rows) {
      if (r.module !== undefined) {
        original.push({ id: r.id, reason: "runs inside a separate module, not transformed" });
        continue;
      }
      try {
        const nf = nameFree(r.code, r.entry);
        candidates.push({ ...r, code: nf.code, entry: nf.entry });
      } catch (e) {
        if (!(e instanceof NameFreeError)) throw e;
        original.push({ id: r.id, reason: e.message });
      }
    }
  const total = rows.length + candidates.length;
  let done = 0;
  const traced = await traceFunctions([...rows, ...candidates], {
    inputs: options.inputs ?? REAL_INPUTS,
    seed: options.seed ?? 0,
    range: REAL_INT_RANGE,
    level: "io",
    pool: options.pool,
    onProgress: () => options.onProgress?.(++done, total),
  });
  const traces = new Map<string, TraceRow>(rows.map((r, i) => [r.id, traced[i]]));
  const notRunIds: Record<string, string[]> = {};
  const notRunErrors: Record<string, string> = {};
  for (const t of traces.values()) {
    if (t.status === "ok") continue;
    const ids = notRunIds[t.status] ?? [];
    ids.push(t.id);
    notRunIds[t.status] = ids;
    if (t.error) notRunErrors[t.id] = t.error;
  }
  const notRun = Object.fromEntries(Object.entries(notRunIds).map(([s, ids]) => [s, ids.length]));

  let encoder: Encoder | undefined;
  let noEncoder = "no model (they need --model DIR)";
  let trainingOverlap: LeakMatch[] | undefined;
  if (options.model) {
    const fingerprint = readFingerprint(options.model);
    if (fingerprint) trainingOverlap = overlapWithFingerprint(fingerprint, rows);
    encoder = loadEncoder(options.model);
    if (encoder.needsTrace) {
      noEncoder = `the ${encoder.spec.encoder} model reads traces; embed needs a code-only model`;
      encoder = undefined;
    }
  }
  const measure = (these: readonly FunctionRow[], byId: ReadonlyMap<string, TraceRow>) =>
    measureAll(these, labels, byId, encoder, noEncoder);

  const result: EvalClonesResult = {
    rows: rows.length,
    families: labelOf.size,
    notRun,
    notRunIds,
    ...(Object.keys(notRunErrors).length > 0 ? { notRunErrors } : {}),
    ...measure(rows, traces),
    ...(options.model ? { model: options.model } : {}),
    ...(trainingOverlap ? { trainingOverlap } : {}),
  };
  if (!options.nameFree) return result;

  // A name-free form counts only if it behaves as its original on every input.
  const verified = new Map<string, { row: FunctionRow; trace: TraceRow }>();
  candidates.forEach((row, i) => {
    const t = traced[rows.length + i];
    const problem = differs(traces.get(row.id), t);
    if (problem) original.push({ id: row.id, reason: problem });
    else verified.set(row.id, { row, trace: t });
  });
  const nfRows = rows.map((r) => verified.get(r.id)?.row ?? r);
  const nfTraces = new Map(rows.map((r) => [r.id, verified.get(r.id)?.trace ?? traces.get(r.id)!]));
  const order = new Map(rows.map((r, i) => [r.id, i]));
  original.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  result.nameFree = { transformed: verified.size, original, ...measure(nfRows, nfTraces) };
  return result;
}

/** Why `after` does not behave as `before` on the same inputs (undefined when it does). */
function differs(before: TraceRow | undefined, after: TraceRow): string | undefined {
  if (!before) return "the original did not run";
  if (before.status !== "ok" && before.status !== "always_raises")
    return `the original cannot be compared (${before.status})`;
  if (after.status !== before.status)
    return `name-free ${after.status} where the original is ${before.status}${after.error ? `: ${after.error}` : ""}`;
  // A function that always raises keeps no outputs: what it raises is compared instead.
  if (before.status === "always_raises" && after.error !== before.error)
    return `name-free ${after.error} where the original ${before.error}`;
  if (after.runs.length !== before.runs.length) return "ran on a different number of inputs";
  for (let i = 0; i < before.runs.length; i++) {
    const [a, b] = [before.runs[i], after.runs[i]];
    if (a.input.join("\u0000") !== b.input.join("\u0000")) return "ran on different inputs";
    if (a.output !== b.output)
      return `on input (${a.input.join(", ")}) returns ${b.output} where the original returns ${a.output}`;
  }
  return undefined;
}

function measureAll(
  rows: readonly FunctionRow[],
  labels: readonly number[],
  traces: ReadonlyMap<string, TraceRow>,
  encoder: Encoder | undefined,
  noEncoder: string,
): Measured {
  const score = (dis: ArrayLike<number>) =>
    metricsOf(rankByDissimilarity(dis, labels, labels, true));
  const exec = execDissimilarity(rows, traces);
  const lexical = lexicalDissimilarity(rows.map((r) => r.code));
  const structure = structureDissimilarity(rows.map((r) => r.code));
  const out: Measured = {
    modes: { exec: score(exec), lexical: score(lexical), structure: score(structure) },
    skipped: {},
    thresholds: {},
  };
  // A threshold needs queries whose family can be removed from an index that still holds others.
  const calibrate = (mode: ThresholdMode, sim: ArrayLike<number>, similarity: string) => {
    if (new Set(labels).size >= 2)
      out.thresholds[mode] = { similarity, ...calibrateThreshold(sim, labels) };
  };
  calibrate("lexical", oneMinus(lexical), "cosine");
  calibrate("structure", oneMinus(structure), "cosine");
  if (!encoder) {
    out.skipped.embed = out.skipped.hybrid = noEncoder;
    return out;
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
  out.modes.embed = score(embed);
  // The similarity tracecode search shows: cosine, or 1 / (1 + distance) for Euclidean models.
  if (distance.isInverted) calibrate("embed", m, "cosine");
  else
    calibrate(
      "embed",
      m.map((d) => 1 / (1 + d)),
      "1 / (1 + euclidean distance)",
    );
  // Rescale embed to [0, 1] so its weight means the same for any distance.
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of embed) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi > lo ? hi - lo : 1;
  out.modes.hybrid = score(exec.map((e, i) => e + HYBRID_EMBED_WEIGHT * ((embed[i] - lo) / span)));
  return out;
}

const oneMinus = (dis: Float64Array) => dis.map((d) => 1 - d);
