/** Reference kernels in plain TypeScript: the ground truth other backends are tested against. */
import type { Gemm, LstmBackward, LstmForward } from "./types.js";

/**
 * C[m×n] = (accumulate ? C : 0) + op(A)·op(B), all row-major, where op(A) is m×k (A stored
 * k×m when transA) and op(B) is k×n (B stored n×k when transB).
 */
export const gemmTs: Gemm = (transA, transB, m, n, k, a, b, c, accumulate) => {
  if (!accumulate) c.fill(0, 0, m * n);
  if (!transA && !transB) {
    // i-k-j order: the inner loop streams rows of B and C.
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        if (aip === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
      }
    }
  } else if (!transA && transB) {
    for (let i = 0; i < m; i++) {
      const ai = i * k;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
        c[i * n + j] += s;
      }
    }
  } else if (transA && !transB) {
    for (let p = 0; p < k; p++) {
      const ap = p * m;
      const bp = p * n;
      for (let i = 0; i < m; i++) {
        const api = a[ap + i];
        if (api === 0) continue;
        const ci = i * n;
        for (let j = 0; j < n; j++) c[ci + j] += api * b[bp + j];
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
        c[i * n + j] += s;
      }
    }
  }
};

/** The LSTM forward pass (see LstmForward) with the reference gemm. */
export const lstmForwardTs: LstmForward = (layer, bias, { gates, hs, cs, tanhC }) => {
  const { steps, hid, inDim, batchSizes, offsets, xs, weightIh, weightHh } = layer;
  const g4 = 4 * hid;
  const rows = offsets[steps];
  for (let r = 0; r < rows; r++) gates.set(bias, r * g4);
  gemmTs(false, true, rows, g4, inDim, xs, weightIh, gates, true);
  for (let t = 0; t < steps; t++) {
    const n = batchSizes[t];
    const row0 = offsets[t];
    const prev0 = t > 0 ? offsets[t - 1] : -1;
    if (t > 0) {
      gemmTs(
        false,
        true,
        n,
        g4,
        hid,
        hs.subarray(prev0 * hid, (prev0 + n) * hid),
        weightHh,
        gates.subarray(row0 * g4, (row0 + n) * g4),
        true,
      );
    }
    // tanh(x) as 1 − 2/(e^{2x} + 1): one Math.exp is ~1.5× faster than Math.tanh in V8, and
    // this loop's five transcendentals per element are most of the layer's non-gemm time.
    for (let j = 0; j < n; j++) {
      const gr = (row0 + j) * g4;
      const hr = (row0 + j) * hid;
      const pr = (prev0 + j) * hid;
      for (let k = 0; k < hid; k++) {
        const ig = 1 / (1 + Math.exp(-gates[gr + k]));
        const fg = 1 / (1 + Math.exp(-gates[gr + hid + k]));
        const gg = 1 - 2 / (Math.exp(2 * gates[gr + 2 * hid + k]) + 1);
        const og = 1 / (1 + Math.exp(-gates[gr + 3 * hid + k]));
        gates[gr + k] = ig;
        gates[gr + hid + k] = fg;
        gates[gr + 2 * hid + k] = gg;
        gates[gr + 3 * hid + k] = og;
        const c = (t > 0 ? fg * cs[pr + k] : 0) + ig * gg;
        const tc = 1 - 2 / (Math.exp(2 * c) + 1);
        cs[hr + k] = c;
        tanhC[hr + k] = tc;
        hs[hr + k] = og * tc;
      }
    }
  }
};

/** The LSTM backward pass (see LstmBackward) with the reference gemm. */
export const lstmBackwardTs: LstmBackward = (
  layer,
  { gates, hs, cs, tanhC },
  { gOut, gh, gc },
  { dWih, dWhh, dBias, dxs },
) => {
  const { steps, hid, inDim, batchSizes, offsets, xs, weightIh, weightHh } = layer;
  const g4 = 4 * hid;
  const rows = offsets[steps];
  const dG = new Float32Array(rows * g4);
  const dh = new Float32Array(gh.length);
  const dc = new Float32Array(gc.length);
  for (let t = steps - 1; t >= 0; t--) {
    const n = batchSizes[t];
    const row0 = offsets[t];
    const prev0 = t > 0 ? offsets[t - 1] : -1;
    // Sequences whose last step is t start their carry from the final-state gradients.
    const next = t + 1 < steps ? batchSizes[t + 1] : 0;
    dh.set(gh.subarray(next * hid, n * hid), next * hid);
    dc.set(gc.subarray(next * hid, n * hid), next * hid);
    for (let j = 0; j < n; j++) {
      const gr = (row0 + j) * g4;
      const hr = (row0 + j) * hid;
      const pr = (prev0 + j) * hid;
      const cj = j * hid;
      for (let k = 0; k < hid; k++) {
        const ig = gates[gr + k];
        const fg = gates[gr + hid + k];
        const gg = gates[gr + 2 * hid + k];
        const og = gates[gr + 3 * hid + k];
        const tc = tanhC[hr + k];
        const dhk = dh[cj + k] + gOut[hr + k];
        const dck = dc[cj + k] + dhk * og * (1 - tc * tc);
        const cPrev = t > 0 ? cs[pr + k] : 0;
        dG[gr + k] = dck * gg * ig * (1 - ig);
        dG[gr + hid + k] = dck * cPrev * fg * (1 - fg);
        dG[gr + 2 * hid + k] = dck * ig * (1 - gg * gg);
        dG[gr + 3 * hid + k] = dhk * tc * og * (1 - og);
        dc[cj + k] = dck * fg;
      }
    }
    if (t > 0) {
      gemmTs(
        false,
        false,
        n,
        hid,
        g4,
        dG.subarray(row0 * g4, (row0 + n) * g4),
        weightHh,
        dh,
        false,
      );
    }
  }
  dBias.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < g4; k++) dBias[k] += dG[r * g4 + k];
  }
  gemmTs(true, false, g4, inDim, rows, dG, xs, dWih, false);
  gemmTs(false, false, rows, inDim, g4, dG, weightIh, dxs, false);
  // dW_hh pairs the rows of steps 1.. with h_{t−1} (step 0 starts from h = 0).
  const first = steps > 0 ? batchSizes[0] : 0;
  const hPrev = new Float32Array((rows - first) * hid);
  for (let t = 1; t < steps; t++) {
    const from = offsets[t - 1] * hid;
    hPrev.set(hs.subarray(from, from + batchSizes[t] * hid), (offsets[t] - first) * hid);
  }
  gemmTs(true, false, g4, hid, rows - first, dG.subarray(first * g4), hPrev, dWhh, false);
};
