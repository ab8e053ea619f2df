/** Normalisations over the last axis: layer normalisation and L2 normalisation. */
import { kernels, type LayerNormRows } from "../kernels/index.js";
import { isGradEnabled, record, type Tensor } from "../tensor.js";

/**
 * Layer normalisation over the last axis (PyTorch `F.layer_norm` with biased variance):
 * y = (x − μ)/√(σ² + eps)·weight + bias. Fused: one node and a kernel pair
 * (`kernels().layerNormForward/Backward`), statistics kept for backward.
 * Backward per row with x̂ = (x − μ)·r, r = 1/√(σ² + eps), h = g⊙weight:
 *   dx = r·(h − mean(h) − x̂·mean(h⊙x̂)),  dweight = Σ g⊙x̂,  dbias = Σ g.
 */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  const n = x.shape[x.ndim - 1];
  if (weight.size !== n || bias.size !== n) {
    throw new RangeError(
      `layerNorm: weight [${weight.shape}] and bias [${bias.shape}] must have ${n} elements`,
    );
  }
  const ln: LayerNormRows = {
    rows: n === 0 ? 0 : x.size / n,
    n,
    x: x.data,
    weight: weight.data,
    bias: bias.data,
    eps,
  };
  const out = new Float32Array(x.size);
  const needsGrad = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || bias.requiresGrad);
  const xhat = new Float32Array(needsGrad ? x.size : 0);
  const rstd = new Float32Array(needsGrad ? ln.rows : 0);
  kernels().layerNormForward(ln, out, needsGrad ? { xhat, rstd } : null);
  return record(out, x.shape, [x, weight, bias], (g) => {
    // Parameter gradients are summed even when not needed: one pass does them all.
    const gWeight = weight.requiresGrad ? weight.gradBuffer() : new Float32Array(n);
    const gBias = bias.requiresGrad ? bias.gradBuffer() : new Float32Array(n);
    const gx = x.requiresGrad ? x.gradBuffer() : null;
    kernels().layerNormBackward(ln, xhat, rstd, g, gx, gWeight, gBias);
  });
}

/**
 * L2 normalisation over the last axis with `F.normalize` semantics: x / max(‖x‖₂, eps).
 * Backward: where ‖x‖ > eps, dx = (g − y·(g·y)) / ‖x‖; otherwise the denominator is the
 * constant eps and dx = g / eps.
 */
export function l2Normalize(x: Tensor, eps = 1e-12): Tensor {
  const n = x.shape[x.ndim - 1];
  const rows = n === 0 ? 0 : x.size / n;
  const xd = x.data;
  const out = new Float32Array(x.size);
  const denom = new Float64Array(rows);
  const clamped = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let ss = 0;
    for (let j = 0; j < n; j++) ss += xd[o + j] * xd[o + j];
    const norm = Math.sqrt(ss);
    clamped[r] = norm > eps ? 0 : 1;
    const d = norm > eps ? norm : eps;
    denom[r] = d;
    for (let j = 0; j < n; j++) out[o + j] = xd[o + j] / d;
  }
  return record(out, x.shape, [x], (g) => {
    const gx = x.gradBuffer();
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      const inv = 1 / denom[r];
      let dot = 0;
      if (!clamped[r]) for (let j = 0; j < n; j++) dot += g[o + j] * out[o + j];
      for (let j = 0; j < n; j++) gx[o + j] += (g[o + j] - out[o + j] * dot) * inv;
    }
  });
}
