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
  if (bias) for (let i = 0; i < m; i++) out.set(bias.data, i * outDim);
  gemm(false, true, m, outDim, inDim, x.data, weight.data, out, bias !== null);
  const parents = bias ? [x, weight, bias] : [x, weight];
  return record(out, [...x.shape.slice(0, -1), outDim], parents, (g) => {
    if (x.requiresGrad) gemm(false, false, m, inDim, outDim, g, weight.data, x.gradBuffer(), true);
    if (weight.requiresGrad)
      gemm(true, false, outDim, inDim, m, g, x.data, weight.gradBuffer(), true);
    if (bias?.requiresGrad) {
      const gb = bias.gradBuffer();
      for (let i = 0; i < m; i++) {
        const o = i * outDim;
        for (let j = 0; j < outDim; j++) gb[j] += g[o + j];
      }
    }
  });
}
