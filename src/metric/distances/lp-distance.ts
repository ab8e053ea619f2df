import { ops, record, type Tensor } from "../../nn/index.js";
import { type Matrix, matrixSize } from "../matrix.js";
import { type Distance, normalizedRows } from "./distance.js";

export interface LpDistanceOptions {
  /** Order of the norm, finite and ≥ 1 (default 2: Euclidean). */
  p?: number;
  /**
   * Added to every coordinate of the difference before the norm, ‖x − y + eps‖ (PyTorch's
   * `pairwise_distance` and `TripletMarginLoss`, default 1e-6). It keeps the distance of two
   * equal embeddings away from 0, where the norm's gradient is undefined.
   */
  eps?: number;
  /** L2-normalise embeddings first (PML's default is true; ours is false, as PyTorch). */
  normalizeEmbeddings?: boolean;
}

/** Lp distance ‖x − y + eps‖_p; smaller = closer. */
export class LpDistance implements Distance {
  readonly name: string;
  readonly isInverted = false;
  readonly p: number;
  readonly eps: number;
  readonly normalizeEmbeddings: boolean;

  constructor({ p = 2, eps = 1e-6, normalizeEmbeddings = false }: LpDistanceOptions = {}) {
    if (!(p >= 1 && Number.isFinite(p))) throw new RangeError(`p must be finite and ≥ 1, got ${p}`);
    this.p = p;
    this.eps = eps;
    this.normalizeEmbeddings = normalizeEmbeddings;
    this.name = p === 2 ? "euclidean" : `l${p}`;
  }

  private prepare(x: Tensor): Tensor {
    return this.normalizeEmbeddings ? ops.l2Normalize(x) : x;
  }

  pairwise(x: Tensor, y?: Tensor): Tensor {
    const xn = this.prepare(x);
    return lpPairwise(xn, y === undefined ? xn : this.prepare(y), this.p, this.eps);
  }

  paired(x: Tensor, y: Tensor): Tensor {
    return lpPaired(this.prepare(x), this.prepare(y), this.p, this.eps);
  }

  matrix(x: Matrix, y: Matrix = x): Float64Array {
    const { rows: n, dim } = matrixSize(x);
    const { rows: m, dim: dy } = matrixSize(y, "second embeddings");
    if (dim !== dy) throw new RangeError(`embedding widths differ: ${dim} and ${dy}`);
    const xs = this.normalizeEmbeddings ? normalizedRows(x, n, dim) : x.data;
    const ys = this.normalizeEmbeddings ? normalizedRows(y, m, dim) : y.data;
    const out = new Float64Array(n * m);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++)
        out[i * m + j] = rowNorm(xs, i * dim, ys, j * dim, dim, this.p, 0);
    return out;
  }
}

/** ‖x[xo..] − y[yo..] + eps‖_p over `dim` coordinates, accumulated in float64. */
function rowNorm(
  x: ArrayLike<number>,
  xo: number,
  y: ArrayLike<number>,
  yo: number,
  dim: number,
  p: number,
  eps: number,
): number {
  let s = 0;
  if (p === 2) {
    for (let k = 0; k < dim; k++) {
      const v = x[xo + k] - y[yo + k] + eps;
      s += v * v;
    }
    return Math.sqrt(s);
  }
  for (let k = 0; k < dim; k++) s += Math.abs(x[xo + k] - y[yo + k] + eps) ** p;
  return s ** (1 / p);
}

/**
 * Pushes g·∂d/∂x into gx[xo..] and g·∂d/∂y = −g·∂d/∂x into gy[yo..], where d = ‖v‖_p with
 * v = x − y + eps: ∂d/∂v_k = sign(v_k)·|v_k|^(p−1) / d^(p−1). At d = 0 the gradient is 0, as
 * PyTorch's norm backward.
 */
function rowNormBackward(
  g: number,
  d: number,
  x: Float32Array,
  xo: number,
  y: Float32Array,
  yo: number,
  dim: number,
  p: number,
  eps: number,
  gx: Float32Array | null,
  gy: Float32Array | null,
): void {
  if (d === 0 || g === 0) return;
  const c = g / d ** (p - 1);
  for (let k = 0; k < dim; k++) {
    const v = x[xo + k] - y[yo + k] + eps;
    const dv = p === 2 ? c * v : c * Math.sign(v) * Math.abs(v) ** (p - 1);
    if (gx) gx[xo + k] += dv;
    if (gy) gy[yo + k] -= dv;
  }
}

function widths(x: Tensor, y: Tensor, op: string): number {
  if (x.ndim !== 2 || y.ndim !== 2 || x.shape[1] !== y.shape[1]) {
    throw new RangeError(`${op}: need [N, D] and [M, D], got [${x.shape}] and [${y.shape}]`);
  }
  return x.shape[1];
}

/** Fused all-pairs Lp distance: out[i, j] = ‖x_i − y_j + eps‖_p, with its backward. */
export function lpPairwise(x: Tensor, y: Tensor, p = 2, eps = 1e-6): Tensor {
  const dim = widths(x, y, "lpPairwise");
  const n = x.shape[0];
  const m = y.shape[0];
  const out = new Float32Array(n * m);
  // Distances kept in float64 for the backward, so it divides by the value it differentiates.
  const dist = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      dist[i * m + j] = rowNorm(x.data, i * dim, y.data, j * dim, dim, p, eps);
      out[i * m + j] = dist[i * m + j];
    }
  return record(out, [n, m], [x, y], (g) => {
    const gx = x.requiresGrad ? x.gradBuffer() : null;
    const gy = y.requiresGrad ? y.gradBuffer() : null;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        const at = i * m + j;
        rowNormBackward(g[at], dist[at], x.data, i * dim, y.data, j * dim, dim, p, eps, gx, gy);
      }
  });
}

/** Fused row-by-row Lp distance: out[i] = ‖x_i − y_i + eps‖_p (`F.pairwise_distance`). */
export function lpPaired(x: Tensor, y: Tensor, p = 2, eps = 1e-6): Tensor {
  const dim = widths(x, y, "lpPaired");
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new RangeError(`lpPaired: ${n} rows against ${y.shape[0]}`);
  const out = new Float32Array(n);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dist[i] = rowNorm(x.data, i * dim, y.data, i * dim, dim, p, eps);
    out[i] = dist[i];
  }
  return record(out, [n], [x, y], (g) => {
    const gx = x.requiresGrad ? x.gradBuffer() : null;
    const gy = y.requiresGrad ? y.gradBuffer() : null;
    for (let i = 0; i < n; i++)
      rowNormBackward(g[i], dist[i], x.data, i * dim, y.data, i * dim, dim, p, eps, gx, gy);
  });
}
