/**
 * Every threshold the claims and the protocol table are decided with, in one place, so the
 * report, claims.json and the tests all use the same numbers (README.md explains each).
 */
export const THRESHOLDS = {
  /** Train loss counts as "≈ 0" at or below this (the triplet loss starts near the margin, 0.2). */
  lossZero: 0.02,
  /** Val top-1 counts as "1.0" (converged) at or above this. */
  converged: 0.99,
  /** A val-loss spike: the loss rises more than this fraction above its running minimum… */
  spikeRelative: 0.25,
  /** …and more than this much in absolute terms, so jitter near 0 is not a spike. */
  spikeAbsolute: 0.01,
  /** A "final" figure is the mean of this many last epochs. */
  finalEpochs: 3,
  /** "≈ x" for an accuracy: within this of x. */
  approx: 0.1,
  /** "By ≈ 15 epochs" (C1) and "early" (C3): by this epoch. */
  earlyEpoch: 15,
  /** "Almost instantly … within ≈ 5 epochs" (C6). */
  instantEpochs: 5,
  /** C6: the small dimension that plateaus, and the dimensions counted as large. */
  smallDim: 16,
  largeDim: 64,
  /** "Near-perfect" (C9): final val top-1 at or above this. */
  nearPerfect: 0.95,
  /** C8: a Spearman correlation at or below this counts as "larger margin → lower". */
  rankCorrelation: -0.5,
  /** C8 needs at least this many margins to rank. */
  minMargins: 3,
  /** Protocol table: a final top-1 difference larger than this changes the accuracy level. */
  differs: 0.1,
  /** Truncation statistics: the paper's padding/truncation length, in characters. */
  truncationChars: 50,
} as const;

export type Thresholds = typeof THRESHOLDS;

/** What each threshold means, as printed in the report and in claims.json. */
export const THRESHOLD_MEANINGS: Record<keyof Thresholds, string> = {
  lossZero: 'train loss at or below this counts as "≈ 0" (C1)',
  converged: 'val top-1 at or above this counts as "1.0" / converged (C3, C6, protocol)',
  spikeRelative:
    "a val-loss spike rises more than this fraction above the running minimum (C2, C4, C5)",
  spikeAbsolute: "… and more than this in absolute terms",
  finalEpochs: '"final" = mean of this many last epochs',
  approx: '"≈ x" for an accuracy: within this of x (C4, C6)',
  earlyEpoch:
    '"by ≈ 15 epochs" (C1) and "early" (C3): by this epoch, or by the end of a shorter budget',
  instantEpochs: '"within ≈ 5 epochs" (C6)',
  smallDim: "the dimension that plateaus (C6)",
  largeDim: 'the smallest of the "large" dimensions (C6)',
  nearPerfect: '"near-perfect" final val top-1 (C9)',
  rankCorrelation: 'a Spearman ρ at or below this means "larger margin → lower" (C8)',
  minMargins: "margins needed to rank (C8)",
  differs: "protocol: a final top-1 difference above this changes the accuracy level",
  truncationChars: "truncation statistics: characters kept",
};
