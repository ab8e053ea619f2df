/**
 * The leak check: training code must not contain the evaluation functions. A training row
 * leaks when its normalised code equals a holdout row's (`codeHash`: same tokens up to names,
 * comments, docstrings and layout) or when the Jaccard similarity of their character 5-grams
 * (names kept) reaches NEAR_DUPLICATE. The threshold is measured: on the shipped corpus the
 * most similar (training, dev) pair is 0.39 (two different accumulation loops); dev functions
 * rewritten by six transforms in a row (renaming, temporaries, reordering, comments, whitespace,
 * dead code) keep 0.37–1.00 of their 5-grams, 28 of 32 at least 0.45. Pure renamings and
 * comment or docstring edits hash equal.
 */
import { codeHash } from "./normalise.js";
import { jaccard, shingles } from "./similarity.js";

export const NEAR_DUPLICATE = 0.45;

export interface CodeRow {
  id: string;
  code: string;
}

export interface LeakMatch {
  train: string;
  holdout: string;
  kind: "exact" | "near";
  /** Jaccard similarity of the 5-gram sets (1 for an exact match). */
  similarity: number;
}

export interface LeakReport {
  trainRows: number;
  holdoutRows: number;
  threshold: number;
  matches: LeakMatch[];
  /** The most similar (train, holdout) pair, leaking or not: how close the sets come. */
  closest: LeakMatch | null;
}

export function checkLeaks(
  train: readonly CodeRow[],
  holdout: readonly CodeRow[],
  threshold = NEAR_DUPLICATE,
): LeakReport {
  const h = holdout.map((r) => ({ id: r.id, hash: codeHash(r.code), grams: shingles(r.code) }));
  const matches: LeakMatch[] = [];
  let closest: LeakMatch | null = null;
  for (const r of train) {
    const hash = codeHash(r.code);
    const grams = shingles(r.code);
    for (const o of h) {
      const exact = o.hash === hash;
      const similarity = exact ? 1 : jaccard(grams, o.grams);
      const match: LeakMatch = {
        train: r.id,
        holdout: o.id,
        kind: exact ? "exact" : "near",
        similarity,
      };
      if (!closest || similarity > closest.similarity) closest = match;
      if (exact || similarity >= threshold) matches.push(match);
    }
  }
  matches.sort((a, b) => b.similarity - a.similarity);
  return {
    trainRows: train.length,
    holdoutRows: holdout.length,
    threshold,
    matches,
    closest,
  };
}

/** One line per match (at most `limit`), for messages. */
export function describeLeaks(report: LeakReport, limit = 10): string {
  const lines = report.matches
    .slice(0, limit)
    .map((m) =>
      m.kind === "exact"
        ? `  ${m.train} = ${m.holdout} (same normalised code)`
        : `  ${m.train} ≈ ${m.holdout} (5-gram Jaccard ${m.similarity.toFixed(2)} ≥ ${report.threshold})`,
    );
  const more = report.matches.length - lines.length;
  if (more > 0) lines.push(`  … and ${more} more`);
  return lines.join("\n");
}
