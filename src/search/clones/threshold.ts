/**
 * A calibrated "no equivalent" threshold: the index holds an equivalent of a query (a function
 * of its family) when the query's top-1 similarity is at least τ. Each query gives two
 * examples: with its family in the index (positive: its top-1 similarity over every other
 * function) and with its family removed (negative: its top-1 over the other families only).
 *
 * Measured by leave-one-family-out: for each family, τ is chosen on the other families alone
 * (as the smallest τ whose precision reaches the target there, else the most precise one) and
 * decides that family's examples; the held-out precision and recall pool those decisions, so
 * no decision is made with a τ that saw its family. The threshold to use is then chosen on all
 * families.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../data/index.js";

/** Precision target of "has an equivalent". */
export const PRECISION_TARGET = 0.9;

export interface Decisions {
  /** Positives decided positive, negatives decided positive, positives decided negative. */
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** Of the examples decided "has an equivalent", the share that had one (1 when none). */
  precision: number;
  /** Of the examples that had an equivalent, the share decided so. */
  recall: number;
}

export interface ThresholdReport {
  /** τ chosen on every family: top-1 similarity ≥ τ ⇒ "the index holds an equivalent". */
  threshold: number;
  /** Whether `threshold` reaches the precision target on every family (its own data). */
  reached: boolean;
  target: number;
  /** Decisions of the leave-one-family-out thresholds on their held-out family, pooled. */
  heldOut: Decisions;
  /** The leave-one-family-out thresholds: how stable τ is. */
  foldThresholds: { min: number; max: number };
  /** Examples: queries with their family in the index (positives) and removed (negatives). */
  positives: number;
  negatives: number;
}

interface Example {
  /** The query's row. */
  query: number;
  similarity: number;
  positive: boolean;
}

function decide(
  examples: readonly Pick<Example, "similarity" | "positive">[],
  tau: number,
): Decisions {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const e of examples) {
    const yes = e.similarity >= tau;
    if (e.positive) yes ? tp++ : fn++;
    else yes ? fp++ : tn++;
  }
  const positives = tp + fn;
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp + fp > 0 ? tp / (tp + fp) : 1,
    recall: positives > 0 ? tp / positives : 0,
  };
}

/** The smallest τ (among the positives' similarities) reaching `target`, else the most precise. */
export function chooseThreshold(
  examples: readonly Pick<Example, "similarity" | "positive">[],
  target = PRECISION_TARGET,
): { threshold: number; reached: boolean } {
  const candidates = [...new Set(examples.filter((e) => e.positive).map((e) => e.similarity))];
  candidates.sort((a, b) => a - b);
  if (candidates.length === 0) return { threshold: Number.POSITIVE_INFINITY, reached: false };
  let best = { threshold: candidates[candidates.length - 1], precision: -1, recall: -1 };
  for (const tau of candidates) {
    const d = decide(examples, tau);
    if (d.precision >= target) return { threshold: tau, reached: true };
    if (d.precision > best.precision || (d.precision === best.precision && d.recall > best.recall))
      best = { threshold: tau, precision: d.precision, recall: d.recall };
  }
  return { threshold: best.threshold, reached: false };
}

/** Both examples of each query in `members`, the index being `members` minus the query. */
function examplesOf(
  similarity: ArrayLike<number>,
  labels: readonly number[],
  members: readonly number[],
): Example[] {
  const n = labels.length;
  const out: Example[] = [];
  for (const q of members) {
    let any = Number.NEGATIVE_INFINITY;
    let other = Number.NEGATIVE_INFINITY;
    let hasClone = false;
    for (const j of members) {
      if (j === q) continue;
      const s = similarity[q * n + j];
      any = Math.max(any, s);
      if (labels[j] === labels[q]) hasClone = true;
      else other = Math.max(other, s);
    }
    if (hasClone) out.push({ query: q, similarity: any, positive: true });
    if (Number.isFinite(other)) out.push({ query: q, similarity: other, positive: false });
  }
  return out;
}

/**
 * Calibrates and measures the threshold on a [n, n] similarity matrix (higher = more alike)
 * and the rows' family labels. Needs at least two families.
 */
export function calibrateThreshold(
  similarity: ArrayLike<number>,
  labels: readonly number[],
  target = PRECISION_TARGET,
): ThresholdReport {
  const all = labels.map((_, i) => i);
  const families = [...new Set(labels)];
  if (families.length < 2) throw new Error("a threshold needs at least two families");
  // Every query against the whole index: its family in it (positive) or removed (negative).
  const everything = examplesOf(similarity, labels, all);
  const held: Example[] = [];
  const folds: number[] = [];
  for (const f of families) {
    const rest = all.filter((i) => labels[i] !== f);
    const { threshold } = chooseThreshold(examplesOf(similarity, labels, rest), target);
    folds.push(threshold);
    // Decided by the fold's τ, recorded as a similarity that is ≥ 0 exactly when decided "yes".
    for (const e of everything)
      if (labels[e.query] === f)
        held.push({ ...e, similarity: e.similarity >= threshold ? 1 : -1 });
  }
  const chosen = chooseThreshold(everything, target);
  return {
    threshold: chosen.threshold,
    reached: chosen.reached,
    target,
    heldOut: decide(held, 0),
    foldThresholds: { min: Math.min(...folds), max: Math.max(...folds) },
    positives: everything.filter((e) => e.positive).length,
    negatives: everything.filter((e) => !e.positive).length,
  };
}

/** The threshold file a model directory may hold beside model.json (written by eval-clones). */
export const THRESHOLD_FILE = "threshold.json";

export const StoredThreshold = z.object({
  /** The model's identity (hash of model.json and weights, as an index stores it). */
  model: z.string(),
  /** What is compared with τ: the similarity tracecode search shows for this model. */
  similarity: z.string(),
  threshold: z.number(),
  /** Whether the precision target was reached where τ was chosen. */
  reached: z.boolean(),
  target: z.number(),
  heldOut: z.object({ precision: z.number(), recall: z.number() }).passthrough(),
  /** The functions file τ was calibrated on, and the command that wrote it. */
  calibratedOn: z.string(),
  command: z.string(),
});
export type StoredThreshold = z.infer<typeof StoredThreshold>;

export function writeThreshold(modelDir: string, stored: StoredThreshold): string {
  const path = join(modelDir, THRESHOLD_FILE);
  writeFileAtomic(path, `${JSON.stringify(stored, null, 2)}\n`);
  return path;
}

/**
 * The model's stored threshold: undefined when it has none or when it was calibrated for other
 * weights than `modelId` (a retrained model); an error naming a file that is not one.
 */
export function readThreshold(modelDir: string, modelId?: string): StoredThreshold | undefined {
  const path = join(modelDir, THRESHOLD_FILE);
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
  const parsed = StoredThreshold.safeParse(json);
  if (!parsed.success)
    throw new Error(`${path}: not a threshold file (${parsed.error.issues[0]?.message})`);
  return modelId === undefined || parsed.data.model === modelId ? parsed.data : undefined;
}
