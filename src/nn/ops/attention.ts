/**
 * The fused core of multi-head self-attention: one graph node from the packed input projection
 * qkv[B, T, 3E] to the heads' concatenated outputs [B, T, E]. Per batch row and head it does
 * what PyTorch 1.13's `_scaled_dot_product_attention` does —
 *   S = (Q/√d)·Kᵀ, S[:, j] = −∞ where key j is padding, P = softmax(S), P' = dropout(P), O = P'·V
 * — with every product through `kernels().gemm`, and keeps P (and the dropout multipliers) for
 * the backward pass:
 *   dP' = dO·Vᵀ, dV = P'ᵀ·dO, dP = dP'⊙mask, dS = P⊙(dP − rowsum(dP⊙P)),
 *   d(Q/√d) = dS·K, dK = dSᵀ·(Q/√d).
 */

import type { Random } from "../../random/index.js";
import { kernels } from "../kernels/index.js";
import { record, type Tensor } from "../tensor.js";
import { softmaxRow } from "./activation.js";

export interface SelfAttentionOptions {
  heads: number;
  /** [B·T] (row-major over [B, T]), truthy = padding: that key is ignored by every query. */
  keyPaddingMask?: ArrayLike<number | boolean> | null;
  /** Probability of zeroing an attention weight; applied only when `rng` is given. */
  dropout?: number;
  rng?: Random | null;
}

/**
 * Self-attention over the packed projection qkv[B, T, 3E] (Q, K, V side by side on the last
 * axis, head h using columns h·d..(h+1)·d of each, d = E/heads). Returns [B, T, E].
 *
 * A query whose keys are all padding has no distribution to attend with; PyTorch returns NaN
 * there, we return zeros (and zero gradients), so a fully padded row cannot poison a batch.
 */
export function selfAttention(qkv: Tensor, options: SelfAttentionOptions): Tensor {
  if (qkv.ndim !== 3 || qkv.shape[2] % 3 !== 0) {
    throw new RangeError(`selfAttention needs qkv[B, T, 3E], shape is [${qkv.shape}]`);
  }
  const [batch, steps, e3] = qkv.shape;
  const embed = e3 / 3;
  const { heads, keyPaddingMask = null, dropout = 0, rng = null } = options;
  if (!Number.isInteger(heads) || heads < 1 || embed % heads !== 0) {
    throw new RangeError(`selfAttention: embed dim ${embed} is not divisible by ${heads} heads`);
  }
  if (keyPaddingMask && keyPaddingMask.length !== batch * steps) {
    throw new RangeError(
      `selfAttention: key padding mask has ${keyPaddingMask.length} entries, expected ${batch}·${steps}`,
    );
  }
  const d = embed / heads;
  const scale = 1 / Math.sqrt(d);
  const tt = steps * steps;
  const td = steps * d;
  const groups = batch * heads;

  // Heads are strided inside qkv; gemm wants contiguous [T, d] blocks, so copy them out once.
  const q = new Float32Array(groups * td);
  const k = new Float32Array(groups * td);
  const v = new Float32Array(groups * td);
  const src = qkv.data;
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < steps; t++) {
      const row = (b * steps + t) * e3;
      for (let h = 0; h < heads; h++) {
        const dst = ((b * heads + h) * steps + t) * d;
        const col = row + h * d;
        for (let j = 0; j < d; j++) {
          q[dst + j] = src[col + j] * scale;
          k[dst + j] = src[col + embed + j];
          v[dst + j] = src[col + 2 * embed + j];
        }
      }
    }

  const useDropout = rng !== null && dropout > 0;
  const probs = new Float32Array(groups * tt);
  // With dropout, P' = P⊙keep/(1−p) is what multiplies V; without, P' is P itself.
  const keep = useDropout ? new Float32Array(groups * tt) : null;
  const dropped = useDropout ? new Float32Array(groups * tt) : probs;
  const out = new Float32Array(batch * steps * embed);
  const head = new Float32Array(td);
  const { gemm } = kernels();
  const keepScale = dropout < 1 ? 1 / (1 - dropout) : 0;

  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const grp = b * heads + h;
      const p = probs.subarray(grp * tt, (grp + 1) * tt);
      gemm(false, true, steps, steps, d, block(q, grp, td), block(k, grp, td), p, false);
      for (let i = 0; i < steps; i++) {
        const o = i * steps;
        let anyKey = !keyPaddingMask;
        if (keyPaddingMask) {
          for (let j = 0; j < steps; j++) {
            if (keyPaddingMask[b * steps + j]) p[o + j] = -Infinity;
            else anyKey = true;
          }
        }
        if (anyKey) softmaxRow(p, p, o, steps);
        else p.fill(0, o, o + steps);
      }
      if (keep) {
        const r = rng as Random;
        const pd = dropped.subarray(grp * tt, (grp + 1) * tt);
        for (let i = 0; i < tt; i++) {
          const m = r.float() < dropout ? 0 : keepScale;
          keep[grp * tt + i] = m;
          pd[i] = p[i] * m;
        }
      }
      gemm(false, false, steps, d, steps, block(dropped, grp, tt), block(v, grp, td), head, false);
      scatterHead(head, out, b, h, steps, d, embed, 0, 1, false);
    }

  return record(out, [batch, steps, embed], [qkv], (g) => {
    const gqkv = qkv.gradBuffer();
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
          gHead.set(g.subarray(from, from + d), t * d);
        }
        const pd = block(dropped, grp, tt);
        gemm(false, true, steps, steps, d, gHead, block(v, grp, td), gP, false);
        gemm(true, false, steps, d, steps, pd, gHead, gv, false);
        if (keep) {
          const m = block(keep, grp, tt);
          for (let i = 0; i < tt; i++) gP[i] *= m[i];
        }
        const p = block(probs, grp, tt);
        for (let i = 0; i < steps; i++) {
          const o = i * steps;
          let dot = 0;
          for (let j = 0; j < steps; j++) dot += gP[o + j] * p[o + j];
          for (let j = 0; j < steps; j++) gP[o + j] = p[o + j] * (gP[o + j] - dot);
        }
        gemm(false, false, steps, d, steps, gP, block(k, grp, td), gq, false);
        gemm(true, false, steps, d, steps, gP, block(q, grp, td), gk, false);
        scatterHead(gq, gqkv, b, h, steps, d, e3, 0, scale, true);
        scatterHead(gk, gqkv, b, h, steps, d, e3, embed, 1, true);
        scatterHead(gv, gqkv, b, h, steps, d, e3, 2 * embed, 1, true);
      }
  });
}

function block(a: Float32Array, i: number, len: number): Float32Array {
  return a.subarray(i * len, (i + 1) * len);
}

/** Writes (or adds) factor·head[T, d] into columns offset + h·d.. of rows b·T.. of dst[·, width]. */
function scatterHead(
  head: Float32Array,
  dst: Float32Array,
  b: number,
  h: number,
  steps: number,
  d: number,
  width: number,
  offset: number,
  factor: number,
  add: boolean,
): void {
  for (let t = 0; t < steps; t++) {
    const o = (b * steps + t) * width + offset + h * d;
    const s = t * d;
    if (add) for (let j = 0; j < d; j++) dst[o + j] += factor * head[s + j];
    else for (let j = 0; j < d; j++) dst[o + j] = factor * head[s + j];
  }
}
