/**
 * The reference TransformerEncoderLayer (ReLU), forward and backward, composed of the reference
 * gemm, attention and layer-norm kernels; formulas in src/nn/kernels/types.ts (EncoderLayer).
 */
import type {
  Attention,
  EncoderBackward,
  EncoderForward,
  EncoderGradients,
  EncoderLayer,
  EncoderTape,
  LayerNormRows,
} from "../types.js";
import { attentionBackwardTs, attentionForwardTs } from "./attention.js";
import { dropoutMaskTs } from "./dropout.js";
import { gemmTs } from "./gemm.js";
import { layerNormBackwardTs, layerNormForwardTs } from "./layernorm.js";

/** What backward reads: the blocks' inputs (ua, ub) and what each step kept. */
class TsEncoderTape implements EncoderTape {
  readonly backend = "ts";
  released = false;
  constructor(
    readonly layer: EncoderLayer,
    readonly kept: {
      ua: Float32Array;
      qkv: Float32Array;
      probs: Float32Array;
      heads: Float32Array;
      ub: Float32Array;
      relu: Float32Array;
      hidden: Float32Array;
      norm1: { xhat: Float32Array; rstd: Float32Array };
      norm2: { xhat: Float32Array; rstd: Float32Array };
      masks: Masks | null;
    },
  ) {}
}

/** The four sites' keep bytes. */
interface Masks {
  attention: Uint8Array;
  attentionOut: Uint8Array;
  hidden: Uint8Array;
  ffOut: Uint8Array;
}

function drawMasks(layer: EncoderLayer): Masks | null {
  const { dropout } = layer;
  if (!dropout) return null;
  const n = rowsOf(layer);
  const draw = (count: number, words: Int32Array) => {
    const kept = new Uint8Array(count);
    dropoutMaskTs({ n: count, threshold: dropout.threshold, words, kept, apply: null });
    return kept;
  };
  const { words } = dropout;
  const { batch, heads, steps, dModel, ff } = layer;
  return {
    attention: draw(batch * heads * steps * steps, words.attention),
    attentionOut: draw(n * dModel, words.attentionOut),
    hidden: draw(n * ff, words.hidden),
    ffOut: draw(n * dModel, words.ffOut),
  };
}

const rowsOf = (layer: EncoderLayer) => layer.batch * layer.steps;

/** [rows, bias.length], every row the bias: a product then accumulates onto it. */
function biasRows(bias: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows * bias.length);
  for (let r = 0; r < rows; r++) out.set(bias, r * bias.length);
  return out;
}

/** x ⊙ keep·keepScale in place (nothing without a mask). */
function keepScaled(x: Float32Array, keep: Uint8Array | undefined, keepScale: number): void {
  if (!keep) return;
  for (let i = 0; i < x.length; i++) x[i] *= keep[i] * keepScale;
}

function attentionOf(layer: EncoderLayer, qkv: Float32Array, masks: Masks | null): Attention {
  const { batch, steps, heads, dModel, keyPadding, dropout } = layer;
  return {
    batch,
    steps,
    heads,
    headDim: dModel / heads,
    qkv,
    keyPadding,
    keep: masks?.attention ?? null,
    keepScale: dropout?.keepScale ?? 1,
  };
}

function normOf(layer: EncoderLayer, x: Float32Array, which: 1 | 2): LayerNormRows {
  const w = layer.weights;
  return {
    rows: rowsOf(layer),
    n: layer.dModel,
    x,
    weight: which === 1 ? w.norm1Weight : w.norm2Weight,
    bias: which === 1 ? w.norm1Bias : w.norm2Bias,
    eps: layer.eps,
  };
}

export const encoderForwardTs: EncoderForward = (layer, out, keep) => {
  const { dModel: e, ff, weights: w, dropout, x } = layer;
  const n = rowsOf(layer);
  const scale = dropout?.keepScale ?? 1;
  const masks = drawMasks(layer);
  const stats = () => (keep ? { xhat: new Float32Array(n * e), rstd: new Float32Array(n) } : null);
  const norm1 = stats();
  const norm2 = stats();
  const layerNorm = (input: Float32Array, which: 1 | 2) => {
    const y = new Float32Array(n * e);
    layerNormForwardTs(normOf(layer, input, which), y, which === 1 ? norm1 : norm2);
    return y;
  };

  // Attention block on ua: s = drop1(heads·outProjᵀ + outBias).
  const ua = layer.normFirst ? layerNorm(x, 1) : x;
  const qkv = biasRows(w.inProjBias, n);
  gemmTs(false, true, n, 3 * e, e, ua, w.inProjWeight, qkv, true);
  const att = attentionOf(layer, qkv, masks);
  const probs = new Float32Array(keep ? att.batch * att.heads * att.steps * att.steps : 0);
  const heads = new Float32Array(n * e);
  attentionForwardTs(att, heads, keep ? probs : null);
  const s = biasRows(w.outProjBias, n);
  gemmTs(false, true, n, e, e, heads, w.outProjWeight, s, true);
  keepScaled(s, masks?.attentionOut, scale);
  const r1 = new Float32Array(n * e);
  for (let i = 0; i < r1.length; i++) r1[i] = x[i] + s[i];

  // Feed-forward block on ub: f = drop2(drop(relu(ub·linear1ᵀ + bias1))·linear2ᵀ + bias2).
  const ub = layerNorm(r1, layer.normFirst ? 2 : 1);
  const relu = biasRows(w.linear1Bias, n);
  gemmTs(false, true, n, ff, e, ub, w.linear1Weight, relu, true);
  for (let i = 0; i < relu.length; i++) relu[i] = relu[i] > 0 ? relu[i] : 0;
  const hidden = masks ? relu.slice() : relu;
  keepScaled(hidden, masks?.hidden, scale);
  const f = biasRows(w.linear2Bias, n);
  gemmTs(false, true, n, e, ff, hidden, w.linear2Weight, f, true);
  keepScaled(f, masks?.ffOut, scale);
  const base = layer.normFirst ? r1 : ub;
  const r2 = new Float32Array(n * e);
  for (let i = 0; i < r2.length; i++) r2[i] = base[i] + f[i];
  if (layer.normFirst) out.set(r2);
  else layerNormForwardTs(normOf(layer, r2, 2), out, norm2);
  if (!keep || !norm1 || !norm2) return null;
  return new TsEncoderTape(layer, {
    ua,
    qkv,
    probs,
    heads,
    ub,
    relu,
    hidden,
    norm1,
    norm2,
    masks,
  });
};

/** Column sums of g [rows, width] written into out [width]. */
function columnSums(g: Float32Array, rows: number, out: Float32Array): void {
  const width = out.length;
  out.fill(0);
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) out[j] += g[r * width + j];
}

export const encoderBackwardTs: EncoderBackward = (handle, gOut, grads) => {
  if (!(handle instanceof TsEncoderTape)) {
    throw new Error(`encoder layer: a ${handle.backend} tape given to ts kernels`);
  }
  if (handle.released) throw new Error("encoder layer: backward through the same graph twice");
  handle.released = true;
  const { layer, kept } = handle;
  const { dModel: e, ff, weights: w, dropout } = layer;
  const { masks } = kept;
  const n = rowsOf(layer);
  const scale = dropout?.keepScale ?? 1;
  const g = grads as EncoderGradients;
  const normBack = (gy: Float32Array, gx: Float32Array, which: 1 | 2) => {
    const stats = which === 1 ? kept.norm1 : kept.norm2;
    const gWeight = which === 1 ? g.norm1Weight : g.norm2Weight;
    const gBias = which === 1 ? g.norm1Bias : g.norm2Bias;
    gWeight.fill(0);
    gBias.fill(0);
    layerNormBackwardTs(normOf(layer, gy, which), stats.xhat, stats.rstd, gy, gx, gWeight, gBias);
  };

  // Gradient of the feed-forward block's output → its weights, and added into gub.
  const ffBack = (gf0: Float32Array, gub: Float32Array) => {
    const gf = gf0.slice();
    keepScaled(gf, masks?.ffOut, scale);
    gemmTs(true, false, e, ff, n, gf, kept.hidden, g.linear2Weight, false);
    columnSums(gf, n, g.linear2Bias);
    const gh = new Float32Array(n * ff);
    gemmTs(false, false, n, ff, e, gf, w.linear2Weight, gh, false);
    keepScaled(gh, masks?.hidden, scale);
    for (let i = 0; i < gh.length; i++) if (!(kept.relu[i] > 0)) gh[i] = 0;
    gemmTs(true, false, ff, e, n, gh, kept.ub, g.linear1Weight, false);
    columnSums(gh, n, g.linear1Bias);
    gemmTs(false, false, n, e, ff, gh, w.linear1Weight, gub, true);
  };

  // Gradient of the attention block's output → its weights, and added into gua.
  const attentionBack = (gs0: Float32Array, gua: Float32Array) => {
    const gs = gs0.slice();
    keepScaled(gs, masks?.attentionOut, scale);
    gemmTs(true, false, e, e, n, gs, kept.heads, g.outProjWeight, false);
    columnSums(gs, n, g.outProjBias);
    const gHeads = new Float32Array(n * e);
    gemmTs(false, false, n, e, e, gs, w.outProjWeight, gHeads, false);
    const gQkv = new Float32Array(n * 3 * e);
    attentionBackwardTs(attentionOf(layer, kept.qkv, masks), kept.probs, gHeads, gQkv);
    gemmTs(true, false, 3 * e, e, n, gQkv, kept.ua, g.inProjWeight, false);
    columnSums(gQkv, n, g.inProjBias);
    gemmTs(false, false, n, e, 3 * e, gQkv, w.inProjWeight, gua, true);
  };

  if (layer.normFirst) {
    // out = x1 + f(norm2(x1)), x1 = x + s(norm1(x)).
    const gx1 = gOut.slice();
    const gz2 = new Float32Array(n * e);
    ffBack(gOut, gz2);
    normBack(gz2, gx1, 2);
    g.x.set(gx1);
    const gz1 = new Float32Array(n * e);
    attentionBack(gx1, gz1);
    normBack(gz1, g.x, 1);
  } else {
    // out = norm2(y1 + f(y1)), y1 = norm1(x + s(x)).
    const gr2 = new Float32Array(n * e);
    normBack(gOut, gr2, 2);
    const gy1 = gr2.slice();
    ffBack(gr2, gy1);
    const gr1 = new Float32Array(n * e);
    normBack(gy1, gr1, 1);
    g.x.set(gr1);
    attentionBack(gr1, g.x);
  }
};
