/**
 * The fused core of multi-head self-attention: one graph node from the packed input projection
 * qkv[B, T, 3E] to the heads' concatenated outputs [B, T, E]. Per batch row and head it does
 * what PyTorch 1.13's `_scaled_dot_product_attention` does —
 *   S = (Q/√d)·Kᵀ, S[:, j] = −∞ where key j is padding, P = softmax(S), P' = dropout(P), O = P'·V
 * — in `kernels().attentionForward`, and keeps P (and the dropout mask) for the backward pass:
 *   dP' = dO·Vᵀ, dV = P'ᵀ·dO, dP = dP'⊙mask, dS = P⊙(dP − rowsum(dP⊙P)),
 *   d(Q/√d) = dS·K, dK = dSᵀ·(Q/√d).
 */

import type { Random } from "../../random/index.js";
import { type Attention, kernels } from "../kernels/index.js";
import { isGradEnabled, record, type Tensor } from "../tensor.js";
import { dropoutScale, keepMask } from "./dropout.js";

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
  const weights = batch * heads * steps * steps;
  // P is kept for the backward pass only.
  const probs = isGradEnabled() && qkv.requiresGrad ? new Float32Array(weights) : null;
  const useDropout = rng !== null && dropout > 0;
  const att: Attention = {
    batch,
    steps,
    heads,
    headDim: d,
    qkv: qkv.data,
    keyPadding: keyPaddingMask ? Uint8Array.from(keyPaddingMask, (m) => (m ? 1 : 0)) : null,
    keep: useDropout ? keepMask(weights, dropout, rng) : null,
    keepScale: dropoutScale(dropout),
  };
  const out = new Float32Array(batch * steps * embed);
  kernels().attentionForward(att, out, probs);
  return record(out, [batch, steps, embed], [qkv], (g) => {
    if (probs) kernels().attentionBackward(att, probs, g, qkv.gradBuffer());
  });
}
