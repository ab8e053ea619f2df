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
 * One LSTM layer's forward recurrence over a packed batch (src/nn/ops/lstm.ts). On entry
 * `gates` [rows, 4·hid] holds x·W_ihᵀ + b_ih + b_hh for every packed row; step t covers rows
 * offsets[t] … offsets[t] + batchSizes[t] − 1 and adds h_{t−1}·W_hhᵀ (weightHh is [4·hid, hid]).
 * On exit `gates` holds the activations i, f, g, o and hs, cs, tanhC [rows, hid] the states.
 */
export type LstmForward = (
  steps: number,
  hid: number,
  batchSizes: Int32Array,
  offsets: Int32Array,
  gates: Float32Array,
  weightHh: Float32Array,
  hs: Float32Array,
  cs: Float32Array,
  tanhC: Float32Array,
) => void;

/**
 * The LSTM backward recurrence over the same packed layout: from the activations `gates`,
 * tanhC and cs of the forward pass, the upstream gradient of every row's h (`gOut`, packed
 * [rows, hid]) and of the final states (`gh`, `gc`: [batch, hid], row j = sorted sequence j),
 * writes the pre-activation gradients `dG` [rows, 4·hid]. `dh`, `dc` [batch, hid] are scratch.
 */
export type LstmBackward = (
  steps: number,
  hid: number,
  batchSizes: Int32Array,
  offsets: Int32Array,
  gates: Float32Array,
  tanhC: Float32Array,
  cs: Float32Array,
  gOut: Float32Array,
  gh: Float32Array,
  gc: Float32Array,
  weightHh: Float32Array,
  dG: Float32Array,
  dh: Float32Array,
  dc: Float32Array,
) => void;

export interface Kernels {
  readonly name: string;
  gemm: Gemm;
  lstmForward: LstmForward;
  lstmBackward: LstmBackward;
}
