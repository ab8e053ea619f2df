/** The affine map of a linear layer, fused: one gemm forward, two (plus a column sum) backward. */
import { kernels } from "../kernels/index.js";
import { record, type Tensor } from "../tensor.js";

/**
 * x[..., in] · weightᵀ + bias with weight[out, in] stored as PyTorch stores it (`F.linear`).
 * Backward: dx = g·W, dW = gᵀ·x, dbias = Σ rows of g.
 */
export function affine(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const [outDim, inDim] = weight.shape;
  if (weight.ndim !== 2 || x.shape[x.ndim - 1] !== inDim) {
    throw new RangeError(`affine: x [${x.shape}] does not fit weight [${weight.shape}]`);
  }
  if (bias && bias.size !== outDim) {
    throw new RangeError(`affine: bias [${bias.shape}] does not fit weight [${weight.shape}]`);
  }
  const m = inDim === 0 ? 0 : x.size / inDim;
  const out = new Float32Array(m * outDim);
  const { gemm } = kernels();
  if (bias) fillRows(out, bias.data, m);
  gemm(false, true, m, outDim, inDim, x.data, weight.data, out, bias !== null);
  const parents = bias ? [x, weight, bias] : [x, weight];
  return record(out, [...x.shape.slice(0, -1), outDim], parents, (g) => {
    if (x.requiresGrad) gemm(false, false, m, inDim, outDim, g, weight.data, x.gradBuffer(), true);
    if (weight.requiresGrad)
      gemm(true, false, outDim, inDim, m, g, x.data, weight.gradBuffer(), true);
    // dbias = 1ᵀ·g: the column sums as a product, so they run in the gemm backend too.
    if (bias?.requiresGrad) gemm(false, false, 1, outDim, m, ones(m), g, bias.gradBuffer(), true);
  });
}

let onesCache = new Float32Array(0);

/** A vector of n ones (shared, never written). */
function ones(n: number): Float32Array {
  if (onesCache.length < n) onesCache = new Float32Array(n).fill(1);
  return onesCache.subarray(0, n);
}

/** Every row of out [rows, n] ← row: written once, then copied in doubling blocks (few calls). */
function fillRows(out: Float32Array, row: Float32Array, rows: number): void {
  const total = rows * row.length;
  if (total === 0) return;
  out.set(row);
  for (let filled = row.length; filled < total; filled *= 2) {
    out.copyWithin(filled, 0, Math.min(filled, total - filled));
  }
}
