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
 * One LSTM layer over a packed batch (src/nn/ops/lstm.ts): sequences sorted by decreasing
 * length, step t covering packed rows offsets[t] … offsets[t] + batchSizes[t] − 1.
 */
export interface LstmPacked {
  steps: number;
  hid: number;
  inDim: number;
  batchSizes: Int32Array;
  /** steps + 1 entries; offsets[steps] is the number of packed rows. */
  offsets: Int32Array;
  /** [rows, inDim] packed inputs. */
  xs: Float32Array;
  /** [4·hid, inDim] */
  weightIh: Float32Array;
  /** [4·hid, hid] */
  weightHh: Float32Array;
}

/** What the forward pass keeps for the backward pass. */
export interface LstmSaved {
  /** [rows, 4·hid]: the gate activations i, f, g, o. */
  gates: Float32Array;
  /** [rows, hid] each: h, c and tanh(c) of every packed row. */
  hs: Float32Array;
  cs: Float32Array;
  tanhC: Float32Array;
}

/** Forward: fills `saved` from the inputs and `bias` (b_ih + b_hh, [4·hid]). */
export type LstmForward = (layer: LstmPacked, bias: Float32Array, saved: LstmSaved) => void;

export interface LstmUpstream {
  /** [rows, hid]: gradient of every packed row's h. */
  gOut: Float32Array;
  /** [batch, hid] each: gradients of the final h and c, row j = sorted sequence j. */
  gh: Float32Array;
  gc: Float32Array;
}

export interface LstmGradients {
  /** [4·hid, inDim], [4·hid, hid], [4·hid]: written, not accumulated. */
  dWih: Float32Array;
  dWhh: Float32Array;
  /** Gradient of either bias: the column sums of the pre-activation gradients. */
  dBias: Float32Array;
  /** [rows, inDim]: gradient of the packed inputs. */
  dxs: Float32Array;
}

/** Backward through time: fills `grads` from the forward pass's `saved` and `upstream`. */
export type LstmBackward = (
  layer: LstmPacked,
  saved: LstmSaved,
  upstream: LstmUpstream,
  grads: LstmGradients,
) => void;

export interface Kernels {
  readonly name: string;
  gemm: Gemm;
  lstmForward: LstmForward;
  lstmBackward: LstmBackward;
}
