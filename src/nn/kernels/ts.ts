/** Reference kernels in plain TypeScript: the ground truth other backends are tested against. */
import type {
  Attention,
  AttentionBackward,
  AttentionForward,
  Gemm,
  LayerNormBackward,
  LayerNormForward,
  LstmBackward,
  LstmForward,
  LstmLayer,
  LstmTape,
} from "./types.js";

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

/** Packed row offsets[t] + j ← row (order[j], t) of a batch-first [batch, maxSteps, width]. */
export function packRows(layer: LstmLayer, src: Float32Array, width: number): Float32Array {
  const { steps, order, batchSizes, offsets, maxSteps } = layer;
  const dst = new Float32Array(offsets[steps] * width);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const from = (order[j] * maxSteps + t) * width;
      dst.set(src.subarray(from, from + width), (offsets[t] + j) * width);
    }
  }
  return dst;
}

/** The inverse of packRows into `dst` [batch, maxSteps, width], zero at padded positions. */
export function unpackRows(
  layer: LstmLayer,
  src: Float32Array,
  dst: Float32Array,
  width: number,
): void {
  const { steps, order, batchSizes, offsets, maxSteps } = layer;
  dst.fill(0, 0, layer.batch * maxSteps * width);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const from = (offsets[t] + j) * width;
      dst.set(src.subarray(from, from + width), (order[j] * maxSteps + t) * width);
    }
  }
}

/** dst[order[j]] ← the packed row of sorted sequence j's last step (zero if it has none). */
function lastRows(layer: LstmLayer, src: Float32Array, dst: Float32Array, width: number): void {
  const { batch, steps, order, batchSizes, offsets } = layer;
  dst.fill(0, 0, batch * width);
  for (let j = 0; j < batch; j++) {
    let last = 0; // steps run by sorted sequence j
    while (last < steps && batchSizes[last] > j) last++;
    if (last === 0) continue;
    const from = (offsets[last - 1] + j) * width;
    dst.set(src.subarray(from, from + width), order[j] * width);
  }
}

/** Row j ← row order[j] of a [batch, width] gradient (zero when absent). */
function sortRows(layer: LstmLayer, src: Float32Array | null, width: number): Float32Array {
  const dst = new Float32Array(layer.batch * width);
  if (src === null) return dst;
  for (let j = 0; j < layer.batch; j++) {
    const from = layer.order[j] * width;
    dst.set(src.subarray(from, from + width), j * width);
  }
  return dst;
}

/** x [batch · maxSteps, inDim] of a layer's input: itself, or its tokens' table rows. */
function denseInput({ input, inDim }: LstmLayer): Float32Array {
  if (input instanceof Float32Array) return input;
  const x = new Float32Array(input.ids.length * inDim);
  input.ids.forEach((id, i) => {
    x.set(input.table.subarray(id * inDim, (id + 1) * inDim), i * inDim);
  });
  return x;
}

/** The gradient of a layer's input from dx: dx itself, or summed into the tokens' table rows. */
function inputGradient({ input, inDim }: LstmLayer, dx: Float32Array, dInput: Float32Array): void {
  if (input instanceof Float32Array) {
    dInput.set(dx.subarray(0, dInput.length));
    return;
  }
  dInput.fill(0, 0, input.vocab * inDim);
  input.ids.forEach((id, i) => {
    if (id === input.paddingIdx) return;
    for (let k = 0; k < inDim; k++) dInput[id * inDim + k] += dx[i * inDim + k];
  });
}

class TsTape implements LstmTape {
  readonly backend = "ts";
  released = false;
  constructor(
    readonly layer: LstmLayer,
    readonly xs: Float32Array,
    readonly gates: Float32Array,
    readonly hs: Float32Array,
    readonly cs: Float32Array,
    readonly tanhC: Float32Array,
  ) {}
}

function asTsTape(tape: LstmTape): TsTape {
  if (!(tape instanceof TsTape))
    throw new Error(`lstm: a ${tape.backend} tape given to ts kernels`);
  if (tape.released) throw new Error("lstm: backward through the same graph a second time");
  return tape;
}

/** The LSTM forward pass (see LstmForward) with the reference gemm. */
export const lstmForwardTs: LstmForward = (layer, out, keep) => {
  const { steps, hid, inDim, offsets, batchSizes, weightIh, weightHh, bias } = layer;
  const g4 = 4 * hid;
  const rows = offsets[steps];
  const xs = packRows(layer, denseInput(layer), inDim);
  const gates = new Float32Array(rows * g4);
  const hs = new Float32Array(rows * hid);
  const cs = new Float32Array(rows * hid);
  const tanhC = new Float32Array(rows * hid);
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
  unpackRows(layer, hs, out.output, hid);
  lastRows(layer, hs, out.hN, hid);
  lastRows(layer, cs, out.cN, hid);
  return keep ? new TsTape({ ...layer }, xs, gates, hs, cs, tanhC) : null;
};

/** The LSTM backward pass (see LstmBackward) with the reference gemm. */
export const lstmBackwardTs: LstmBackward = (tape, upstream, { dWih, dWhh, dBias, dInput }) => {
  const used = asTsTape(tape);
  used.released = true;
  const { layer, xs, gates, hs, cs, tanhC } = used;
  const { steps, hid, inDim, batchSizes, offsets, weightIh, weightHh } = layer;
  const g4 = 4 * hid;
  const rows = offsets[steps];
  const gOut = packRows(layer, upstream.gOut, hid);
  const gh = sortRows(layer, upstream.gh, hid);
  const gc = sortRows(layer, upstream.gc, hid);
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
  const dxs = new Float32Array(rows * inDim);
  gemmTs(false, false, rows, inDim, g4, dG, weightIh, dxs, false);
  const dx = new Float32Array(layer.batch * layer.maxSteps * inDim);
  unpackRows(layer, dxs, dx, inDim);
  inputGradient(layer, dx, dInput);
  // dW_hh pairs the rows of steps 1.. with h_{t−1} (step 0 starts from h = 0).
  const first = steps > 0 ? batchSizes[0] : 0;
  const hPrev = new Float32Array((rows - first) * hid);
  for (let t = 1; t < steps; t++) {
    const from = offsets[t - 1] * hid;
    hPrev.set(hs.subarray(from, from + batchSizes[t] * hid), (offsets[t] - first) * hid);
  }
  gemmTs(true, false, g4, hid, rows - first, dG.subarray(first * g4), hPrev, dWhh, false);
};

/**
 * The heads' blocks of qkv, contiguous [batch·heads, steps, headDim] each (Q already scaled by
 * 1/√headDim), since gemm wants them so.
 */
function splitHeads({ batch, steps, heads, headDim: d, qkv }: Attention): {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
} {
  const embed = heads * d;
  const scale = 1 / Math.sqrt(d);
  const size = batch * heads * steps * d;
  const q = new Float32Array(size);
  const k = new Float32Array(size);
  const v = new Float32Array(size);
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < steps; t++) {
      const row = (b * steps + t) * 3 * embed;
      for (let h = 0; h < heads; h++) {
        const dst = ((b * heads + h) * steps + t) * d;
        const col = row + h * d;
        for (let j = 0; j < d; j++) {
          q[dst + j] = qkv[col + j] * scale;
          k[dst + j] = qkv[col + embed + j];
          v[dst + j] = qkv[col + 2 * embed + j];
        }
      }
    }
  return { q, k, v };
}

/** Adds factor·head[steps, d] into columns offset + h·d.. of rows b·steps.. of dst[·, width]. */
function addHead(
  head: Float32Array,
  dst: Float32Array,
  { steps, headDim: d }: Attention,
  b: number,
  h: number,
  width: number,
  offset: number,
  factor: number,
): void {
  for (let t = 0; t < steps; t++) {
    const o = (b * steps + t) * width + offset + h * d;
    for (let j = 0; j < d; j++) dst[o + j] += factor * head[t * d + j];
  }
}

/** P ⊙ keep·keepScale for one group's [steps, steps] block (P itself without dropout). */
function droppedProbs({ keep, keepScale }: Attention, p: Float32Array, at: number): Float32Array {
  if (!keep) return p;
  const pd = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) pd[i] = p[i] * (keep[at + i] * keepScale);
  return pd;
}

export const attentionForwardTs: AttentionForward = (att, out, probs) => {
  const { batch, steps, heads, headDim: d, keyPadding } = att;
  const { q, k, v } = splitHeads(att);
  const tt = steps * steps;
  const td = steps * d;
  const head = new Float32Array(td);
  const scratch = new Float32Array(probs ? 0 : tt);
  out.fill(0, 0, batch * steps * heads * d);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const grp = b * heads + h;
      const p = probs ? probs.subarray(grp * tt, (grp + 1) * tt) : scratch;
      gemmTs(false, true, steps, steps, d, block(q, grp, td), block(k, grp, td), p, false);
      for (let i = 0; i < steps; i++) {
        const o = i * steps;
        let anyKey = !keyPadding;
        if (keyPadding) {
          for (let j = 0; j < steps; j++) {
            if (keyPadding[b * steps + j]) p[o + j] = -Infinity;
            else anyKey = true;
          }
        }
        if (anyKey) softmaxRow(p, p, o, steps);
        else p.fill(0, o, o + steps);
      }
      const pd = droppedProbs(att, p, grp * tt);
      gemmTs(false, false, steps, d, steps, pd, block(v, grp, td), head, false);
      addHead(head, out, att, b, h, heads * d, 0, 1);
    }
};

export const attentionBackwardTs: AttentionBackward = (att, probs, gOut, gQkv) => {
  const { batch, steps, heads, headDim: d } = att;
  const { q, k, v } = splitHeads(att);
  const embed = heads * d;
  const tt = steps * steps;
  const td = steps * d;
  const gHead = new Float32Array(td);
  const gP = new Float32Array(tt);
  const gq = new Float32Array(td);
  const gk = new Float32Array(td);
  const gv = new Float32Array(td);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const grp = b * heads + h;
      for (let t = 0; t < steps; t++) {
        const from = (b * steps + t) * embed + h * d;
        gHead.set(gOut.subarray(from, from + d), t * d);
      }
      const p = block(probs, grp, tt);
      // dP' = dO·Vᵀ, dV = P'ᵀ·dO, dP = dP' ⊙ keep·keepScale, dS = P ⊙ (dP − rowsum(dP ⊙ P))
      gemmTs(false, true, steps, steps, d, gHead, block(v, grp, td), gP, false);
      gemmTs(true, false, steps, d, steps, droppedProbs(att, p, grp * tt), gHead, gv, false);
      if (att.keep) for (let i = 0; i < tt; i++) gP[i] *= att.keep[grp * tt + i] * att.keepScale;
      for (let i = 0; i < steps; i++) {
        const o = i * steps;
        let dot = 0;
        for (let j = 0; j < steps; j++) dot += gP[o + j] * p[o + j];
        for (let j = 0; j < steps; j++) gP[o + j] = p[o + j] * (gP[o + j] - dot);
      }
      // d(Q/√d) = dS·K, dK = dSᵀ·(Q/√d)
      gemmTs(false, false, steps, d, steps, gP, block(k, grp, td), gq, false);
      gemmTs(true, false, steps, d, steps, gP, block(q, grp, td), gk, false);
      addHead(gq, gQkv, att, b, h, 3 * embed, 0, 1 / Math.sqrt(d));
      addHead(gk, gQkv, att, b, h, 3 * embed, embed, 1);
      addHead(gv, gQkv, att, b, h, 3 * embed, 2 * embed, 1);
    }
};

function block(a: Float32Array, i: number, len: number): Float32Array {
  return a.subarray(i * len, (i + 1) * len);
}

/** Writes softmax(x[o..o+n)) into y[o..o+n), max-shifted (y may be x). */
export function softmaxRow(x: Float32Array, y: Float32Array, o: number, n: number): void {
  let max = -Infinity;
  for (let j = 0; j < n; j++) if (x[o + j] > max) max = x[o + j];
  let total = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(x[o + j] - max);
    y[o + j] = e;
    total += e;
  }
  const inv = 1 / total;
  for (let j = 0; j < n; j++) y[o + j] *= inv;
}

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
