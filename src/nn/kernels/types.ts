/** Signatures every kernel backend implements. */
export type Gemm = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  accumulate: boolean,
) => void;

/**
 * One LSTM layer's operands. Inputs and outputs are batch first; the kernels run on the
 * packed-sequence layout (src/nn/ops/lstm.ts): sequences sorted by decreasing length, step t
 * covering packed rows offsets[t] … offsets[t] + batchSizes[t] − 1 of sorted sequences 0, 1, ….
 */
export interface LstmLayer {
  batch: number;
  maxSteps: number;
  inDim: number;
  hid: number;
  /** Steps until the longest sequence ends. */
  steps: number;
  /** Sorted position → batch index. */
  order: Int32Array;
  batchSizes: Int32Array;
  /** steps + 1 entries; offsets[steps] is the number of packed rows. */
  offsets: Int32Array;
  /** x [batch, maxSteps, inDim], or token ids whose embedding rows are x. */
  input: Float32Array | LstmTokens;
  /** [4·hid, inDim] */
  weightIh: Float32Array;
  /** [4·hid, hid] */
  weightHh: Float32Array;
  /** [4·hid]: b_ih + b_hh. */
  bias: Float32Array;
}

/**
 * Inputs given as token ids into an embedding table: x = table[ids]. The input projection is
 * then table·W_ihᵀ, once per table row instead of once per token, and the gradient goes to
 * the table directly.
 */
export interface LstmTokens {
  /** [batch · maxSteps] */
  ids: Int32Array;
  /** [vocab, inDim] */
  table: Float32Array;
  vocab: number;
  /** This row gets no gradient (PyTorch's padding_idx); null for none. */
  paddingIdx: number | null;
}

export interface LstmOutputs {
  /** [batch, maxSteps, hid]: h of every step, zero at padded positions. */
  output: Float32Array;
  /** [batch, hid] each: the state after each sequence's last valid step (zero for length 0). */
  hN: Float32Array;
  cN: Float32Array;
}

/**
 * What a forward pass keeps for its backward pass (inputs, weights, gate activations, states),
 * owned by the backend that made it and consumed by the backward pass.
 */
export interface LstmTape {
  readonly backend: string;
}

/** Forward: fills `out`; with `keep`, returns the tape the backward pass needs. */
export type LstmForward = (layer: LstmLayer, out: LstmOutputs, keep: boolean) => LstmTape | null;

export interface LstmUpstream {
  /** [batch, maxSteps, hid]: gradient of the output (padded positions are ignored). */
  gOut: Float32Array;
  /** [batch, hid] each, or null for zero: gradients of the final states. */
  gh: Float32Array | null;
  gc: Float32Array | null;
}

export interface LstmGradients {
  /** [4·hid, inDim], [4·hid, hid], [4·hid]: written, not accumulated. */
  dWih: Float32Array;
  dWhh: Float32Array;
  /** Gradient of either bias: the column sums of the pre-activation gradients. */
  dBias: Float32Array;
  /**
   * Gradient of the input: of x [batch, maxSteps, inDim] (zero at padded positions), or of
   * the table [vocab, inDim] for tokens (zero in the padding row).
   */
  dInput: Float32Array;
}

/** Backward through time: fills `grads` and releases the tape. */
export type LstmBackward = (tape: LstmTape, upstream: LstmUpstream, grads: LstmGradients) => void;

/**
 * Multi-head self-attention over a packed projection (src/nn/ops/attention.ts): for each batch
 * row b and head h, with Q, K, V the head's [steps, headDim] columns of qkv,
 *   P = softmax((Q/√headDim)·Kᵀ, padded keys −∞),  O = (P ⊙ keep·keepScale)·V.
 * A query whose keys are all padding gets P = 0.
 */
export interface Attention {
  batch: number;
  steps: number;
  heads: number;
  headDim: number;
  /** [batch, steps, 3·heads·headDim]: Q, K, V side by side on the last axis. */
  qkv: Float32Array;
  /** [batch · steps], 1 = that key is padding; null for none. */
  keyPadding: Uint8Array | null;
  /** [batch · heads · steps · steps], 1 = keep that attention weight; null without dropout. */
  keep: Uint8Array | null;
  /** What a kept weight is multiplied by: 1/(1 − p). */
  keepScale: number;
}

/**
 * Writes O into out [batch, steps, heads·headDim] and P into probs [batch·heads, steps, steps]
 * (null when no backward pass follows: P is then not kept).
 */
export type AttentionForward = (
  att: Attention,
  out: Float32Array,
  probs: Float32Array | null,
) => void;

/** From the forward pass's P and the gradient of O, adds the gradient of qkv into gQkv. */
export type AttentionBackward = (
  att: Attention,
  probs: Float32Array,
  gOut: Float32Array,
  gQkv: Float32Array,
) => void;

/** Layer normalisation of `rows` rows of `n` (src/nn/ops/norm.ts). */
export interface LayerNormRows {
  rows: number;
  n: number;
  /** [rows, n] */
  x: Float32Array;
  /** [n] each */
  weight: Float32Array;
  bias: Float32Array;
  eps: number;
}

/**
 * out = x̂·weight + bias with x̂ = (x − μ)·r, r = 1/√(σ² + eps) per row (biased variance);
 * writes out, and x̂ [rows, n] and r [rows] unless `stats` is null (no backward pass follows).
 */
export type LayerNormForward = (
  ln: LayerNormRows,
  out: Float32Array,
  stats: { xhat: Float32Array; rstd: Float32Array } | null,
) => void;

/**
 * From x̂, r and the gradient g of out, adds dx = r·(h − mean(h) − x̂·mean(h⊙x̂)) with
 * h = g⊙weight into gx (skipped when null), Σ g⊙x̂ into gWeight and Σ g into gBias.
 */
export type LayerNormBackward = (
  ln: LayerNormRows,
  xhat: Float32Array,
  rstd: Float32Array,
  g: Float32Array,
  gx: Float32Array | null,
  gWeight: Float32Array,
  gBias: Float32Array,
) => void;

/**
 * Dropout's keep mask, drawn from Random's sfc32 stream (src/random): kept[i] = 1 when draw i
 * is ≥ threshold, else 0; with `apply`, also out[i] = x[i]·kept[i]·keepScale.
 */
export interface DropoutMask {
  n: number;
  /** p · 2³²: a draw below it drops its element (p = 1 drops all). */
  threshold: number;
  /** The generator's words [a, b, c, d]: read, and left advanced past the n draws. */
  words: Int32Array;
  /** [n] */
  kept: Uint8Array;
  apply: { x: Float32Array; out: Float32Array; keepScale: number } | null;
}

export type DropoutMaskKernel = (mask: DropoutMask) => void;

/**
 * One `nn.TransformerEncoderLayer` with ReLU (src/nn/ops/encoder-layer.ts) on rows =
 * batch·steps tokens of width dModel. Post-norm:
 *   r1 = x + drop1(attn(x)),  y1 = norm1(r1),  out = norm2(y1 + drop2(ff(y1)));
 * pre-norm: x1 = x + drop1(attn(norm1(x))),  out = x1 + drop2(ff(norm2(x1)));
 * attn(u) = (heads of selfAttention over u·inProjᵀ + inBias)·outProjᵀ + outBias and
 * ff(u) = drop(relu(u·linear1ᵀ + bias1))·linear2ᵀ + bias2.
 */
export interface EncoderLayer {
  batch: number;
  steps: number;
  heads: number;
  dModel: number;
  ff: number;
  normFirst: boolean;
  eps: number;
  /** [batch · steps, dModel] */
  x: Float32Array;
  /** [batch · steps], 1 = that key is padding; null for none. */
  keyPadding: Uint8Array | null;
  weights: EncoderWeights;
  /** Dropout at the four sites; null without. */
  dropout: EncoderDropout | null;
}

/** The layer's parameters, PyTorch's layouts ([out, in] matrices). */
export interface EncoderWeights {
  inProjWeight: Float32Array;
  inProjBias: Float32Array;
  outProjWeight: Float32Array;
  outProjBias: Float32Array;
  linear1Weight: Float32Array;
  linear1Bias: Float32Array;
  linear2Weight: Float32Array;
  linear2Bias: Float32Array;
  norm1Weight: Float32Array;
  norm1Bias: Float32Array;
  norm2Weight: Float32Array;
  norm2Bias: Float32Array;
}

/**
 * Dropout at the four sites, each mask drawn by the kernel from its own generator as
 * `dropoutMask` draws it (keep element i when draw i ≥ threshold).
 */
export interface EncoderDropout {
  /** p · 2³²: a draw below it drops its element. */
  threshold: number;
  /** What a kept element is multiplied by: 1/(1 − p). */
  keepScale: number;
  /** Each generator's words [a, b, c, d]: read, and left advanced past the site's draws. */
  words: {
    /** [batch · heads · steps · steps] draws: the attention weights. */
    attention: Int32Array;
    /** [rows · dModel]: dropout1, on the attention block's output. */
    attentionOut: Int32Array;
    /** [rows · ff]: dropout, on the ReLU's output. */
    hidden: Int32Array;
    /** [rows · dModel]: dropout2, on the feed-forward block's output. */
    ffOut: Int32Array;
  };
}

/** What an encoder layer's forward pass keeps for its backward pass, owned by its backend. */
export interface EncoderTape {
  readonly backend: string;
}

/** Forward: writes out [rows, dModel]; with `keep`, returns the tape the backward pass needs. */
export type EncoderForward = (
  layer: EncoderLayer,
  out: Float32Array,
  keep: boolean,
) => EncoderTape | null;

/** Gradients of the input ([rows, dModel]) and of every weight: written, not accumulated. */
export type EncoderGradients = EncoderWeights & { x: Float32Array };

/** From the gradient of out, fills `grads` and releases the tape. */
export type EncoderBackward = (
  tape: EncoderTape,
  gOut: Float32Array,
  grads: EncoderGradients,
) => void;

export interface Kernels {
  readonly name: string;
  gemm: Gemm;
  lstmForward: LstmForward;
  lstmBackward: LstmBackward;
  attentionForward: AttentionForward;
  attentionBackward: AttentionBackward;
  layerNormForward: LayerNormForward;
  layerNormBackward: LayerNormBackward;
  dropoutMask: DropoutMaskKernel;
  encoderForward: EncoderForward;
  encoderBackward: EncoderBackward;
}
