/**
 * Activations that are more than a one-line unary op: softmax and log-softmax over the last
 * axis (max-shifted, so large logits do not overflow) and the exact, erf-based GELU.
 */
import { softmaxRow } from "../kernels/ts/index.js";
import { record, type Tensor } from "../tensor.js";

function lastAxis(a: Tensor, what: string): { rows: number; n: number } {
  if (a.ndim < 1) throw new RangeError(`${what} needs ≥1 dim, shape is [${a.shape}]`);
  const n = a.shape[a.ndim - 1];
  return { rows: n === 0 ? 0 : a.size / n, n };
}

/** softmax over the last axis. Backward: dx = y ⊙ (g − Σ g⊙y). */
export function softmax(a: Tensor): Tensor {
  const { rows, n } = lastAxis(a, "softmax");
  const x = a.data;
  const y = new Float32Array(a.size);
  for (let r = 0; r < rows; r++) softmaxRow(x, y, r * n, n);
  return record(y, a.shape, [a], (g) => {
    const ga = a.gradBuffer();
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += g[o + j] * y[o + j];
      for (let j = 0; j < n; j++) ga[o + j] += y[o + j] * (g[o + j] - dot);
    }
  });
}

/** log-softmax over the last axis: x − max − log Σ exp(x − max). Backward: g − softmax·Σg. */
export function logSoftmax(a: Tensor): Tensor {
  const { rows, n } = lastAxis(a, "logSoftmax");
  const x = a.data;
  const y = new Float32Array(a.size);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j] > max) max = x[o + j];
    let total = 0;
    for (let j = 0; j < n; j++) total += Math.exp(x[o + j] - max);
    const shift = max + Math.log(total);
    for (let j = 0; j < n; j++) y[o + j] = x[o + j] - shift;
  }
  return record(y, a.shape, [a], (g) => {
    const ga = a.gradBuffer();
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let gsum = 0;
      for (let j = 0; j < n; j++) gsum += g[o + j];
      for (let j = 0; j < n; j++) ga[o + j] += g[o + j] - Math.exp(y[o + j]) * gsum;
    }
  });
}

/*
 * erf by cubic Hermite interpolation on a table of exact values and slopes over [0, 6] (step
 * 1/64, interpolation error < 1e-9), with its Maclaurin series near 0 where relative accuracy
 * matters. This is both float32-accurate and cheap enough for GELU on every activation.
 */
const ERF_STEP = 1 / 64;
const ERF_MAX = 6; // erf(6) = 1 − 2e-17: exactly 1 in any float format we use
const ERF_SERIES_BELOW = 1 / 8;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf(x) for x ≥ 0 in double precision: (2/√π)·e^(−x²)·Σ (2x²)ⁿ·x / (1·3·…·(2n+1)). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let total = x;
  for (let n = 1; term > 1e-17 * total; n++) {
    term *= (2 * x2) / (2 * n + 1);
    total += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * total;
}

const erfTable = (() => {
  const count = Math.round(ERF_MAX / ERF_STEP) + 1;
  const value = new Float64Array(count);
  const slope = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const x = i * ERF_STEP;
    value[i] = erfSeries(x);
    slope[i] = TWO_OVER_SQRT_PI * Math.exp(-x * x) * ERF_STEP; // pre-scaled to the unit interval
  }
  return { value, slope };
})();

/** The error function, accurate to float32 (absolute error < 1e-9, relative < 1e-8). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  let y: number;
  if (ax < ERF_SERIES_BELOW) {
    // 2/√π · (x − x³/3 + x⁵/10 − x⁷/42 + x⁹/216): truncation < 1e-12 relative here.
    const x2 = ax * ax;
    y = TWO_OVER_SQRT_PI * ax * (1 - x2 * (1 / 3 - x2 * (1 / 10 - x2 * (1 / 42 - x2 / 216))));
  } else if (ax >= ERF_MAX) {
    y = 1;
  } else {
    const u = ax / ERF_STEP;
    const i = Math.floor(u);
    const t = u - i;
    const { value, slope } = erfTable;
    const t2 = t * t;
    const t3 = t2 * t;
    y =
      (2 * t3 - 3 * t2 + 1) * value[i] +
      (t3 - 2 * t2 + t) * slope[i] +
      (-2 * t3 + 3 * t2) * value[i + 1] +
      (t3 - t2) * slope[i + 1];
  }
  return x < 0 ? -y : y;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU, exact form (PyTorch's default): x·Φ(x) = x/2·(1 + erf(x/√2)). dy/dx = Φ(x) + x·φ(x). */
export function gelu(a: Tensor): Tensor {
  const x = a.data;
  const n = a.size;
  const out = new Float32Array(n);
  const cdf = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = 0.5 * (1 + erf(x[i] * SQRT1_2));
    cdf[i] = c;
    out[i] = x[i] * c;
  }
  return record(out, a.shape, [a], (g) => {
    const ga = a.gradBuffer();
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      ga[i] += g[i] * (cdf[i] + xi * INV_SQRT_2PI * Math.exp(-0.5 * xi * xi));
    }
  });
}
