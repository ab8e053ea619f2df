/** The reference multi-head self-attention over a packed projection, and the softmax of a row. */
import type { Attention, AttentionBackward, AttentionForward } from "../types.js";
import { gemmTs } from "./gemm.js";

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
