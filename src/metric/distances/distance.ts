import type { Tensor } from "../../nn/index.js";
import type { Matrix } from "../matrix.js";

/**
 * A distance (or similarity) between embeddings, in the manner of pytorch-metric-learning's
 * `BaseDistance`. Losses, miners and retrieval metrics take any `Distance`.
 */
export interface Distance {
  readonly name: string;
  /** True for similarities, where a larger value means closer (PML's `is_inverted`). */
  readonly isInverted: boolean;
  /** Differentiable all-pairs matrix: x [N, D], y [M, D] (default x) → [N, M]. */
  pairwise(x: Tensor, y?: Tensor): Tensor;
  /** Differentiable row-by-row values: x [N, D], y [N, D] → [N] (the triplet loss's form). */
  paired(x: Tensor, y: Tensor): Tensor;
  /**
   * All-pairs values without gradients, in float64 and without any numerical-safety epsilon,
   * for ranking (miners, retrieval metrics): x [N, D], y [M, D] (default x) → N·M row-major.
   */
  matrix(x: Matrix, y?: Matrix): Float64Array;
}

/**
 * The matrix turned so that smaller always means closer: the distance itself, or the negated
 * similarity. Differences are preserved, so a margin means the same thing as in the losses
 * (d_an − d_ap for distances, s_ap − s_an for similarities).
 */
export function dissimilarity(distance: Distance, x: Matrix, y?: Matrix): Float64Array {
  const m = distance.matrix(x, y);
  if (distance.isInverted) for (let i = 0; i < m.length; i++) m[i] = -m[i];
  return m;
}

/** Rows of `m` scaled to unit L2 norm in float64, as F.normalize (norm clamped at eps). */
export function normalizedRows(m: Matrix, rows: number, dim: number, eps = 1e-12): Float64Array {
  const out = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += m.data[r * dim + j] ** 2;
    const norm = Math.max(Math.sqrt(ss), eps);
    for (let j = 0; j < dim; j++) out[r * dim + j] = m.data[r * dim + j] / norm;
  }
  return out;
}
