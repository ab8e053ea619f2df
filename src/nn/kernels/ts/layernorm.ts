/** The reference layer normalisation over rows. */
import type { LayerNormBackward, LayerNormForward } from "../types.js";

export const layerNormForwardTs: LayerNormForward = (
  { rows, n, x, weight, bias, eps },
  out,
  stats,
) => {
  const xhat = stats?.xhat ?? null;
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let mean = 0;
    for (let j = 0; j < n; j++) mean += x[o + j];
    mean /= n;
    let variance = 0;
    for (let j = 0; j < n; j++) {
      const d = x[o + j] - mean;
      variance += d * d;
    }
    const inv = 1 / Math.sqrt(variance / n + eps);
    if (stats) stats.rstd[r] = inv;
    for (let j = 0; j < n; j++) {
      const h = (x[o + j] - mean) * inv;
      if (xhat) xhat[o + j] = h;
      out[o + j] = h * weight[j] + bias[j];
    }
  }
};

export const layerNormBackwardTs: LayerNormBackward = (ln, xhat, rstd, g, gx, gWeight, gBias) => {
  const { rows, n, weight } = ln;
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let meanH = 0;
    let meanHX = 0;
    for (let j = 0; j < n; j++) {
      const h = g[o + j] * weight[j];
      meanH += h;
      meanHX += h * xhat[o + j];
      gWeight[j] += g[o + j] * xhat[o + j];
      gBias[j] += g[o + j];
    }
    if (!gx) continue;
    meanH /= n;
    meanHX /= n;
    for (let j = 0; j < n; j++) {
      gx[o + j] += rstd[r] * (g[o + j] * weight[j] - meanH - xhat[o + j] * meanHX);
    }
  }
};
