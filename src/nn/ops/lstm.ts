/**
 * One LSTM layer over a whole batch of sequences as a single fused graph node (PyTorch's
 * `nn.LSTM` cell, gate order i, f, g, o):
 *
 *   gates = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh
 *   i, f, o = σ(gates_i, gates_f, gates_o);  g = tanh(gates_g)
 *   c_t = f⊙c_{t−1} + i⊙g;  h_t = o⊙tanh(c_t)
 *
 * Padded batches run with packed-sequence semantics: sequences are sorted by decreasing
 * length, so the ones still running at step t are a prefix of `batchSizes[t]` rows, and every
 * per-step matrix product covers only those rows. Outputs at padded positions are zero and the
 * final state of a sequence is its state after its last valid step.
 *
 * Forward: one gemm projects every valid (sequence, step) input at once, then per step one gemm
 * adds h_{t−1}·W_hhᵀ in place and a fused loop applies the cell. Backward (BPTT) runs in the
 * same node: per step a fused loop turns dh, dc into gate gradients and one gemm carries dh back
 * through W_hh; the weight and input gradients are then one gemm each over all steps. Both
 * passes are kernels (src/nn/kernels); what the forward pass keeps for the backward pass is the
 * kernel backend's tape.
 */
import { kernels, type LstmLayer, type LstmTape } from "../kernels/index.js";
import { isGradEnabled, record, Tensor } from "../tensor.js";

export interface LstmLayerWeights {
  /** [4H, I] */
  weightIh: Tensor;
  /** [4H, H] */
  weightHh: Tensor;
  /** [4H] */
  biasIh: Tensor;
  /** [4H] */
  biasHh: Tensor;
}

/**
 * An input given as token ids into an embedding table (Embedding.tokens): the same as the
 * looked-up rows, but the input projection is applied once per table row instead of once per
 * token, which for a character vocabulary is far less work.
 */
export interface Tokens {
  /** [vocab, dim] */
  table: Tensor;
  /** [batch · steps], each in 0..vocab − 1. */
  ids: Int32Array;
  /** [batch, steps] */
  shape: readonly [number, number];
  /** This table row receives no gradient; null for none. */
  paddingIdx: number | null;
}

export interface LstmLayerResult {
  /** [B, T, H], zero at padded positions. */
  output: Tensor;
  /** [B, H]: hidden state after each sequence's last valid step (zero for length 0). */
  hN: Tensor;
  /** [B, H]: cell state after each sequence's last valid step. */
  cN: Tensor;
}

/** The packed-sequence layout: sort order and per-step active batch sizes. */
interface Packing {
  /** Sorted position → original batch index (longest first, stable). */
  order: Int32Array;
  /** Rows still running at each step (non-increasing). */
  batchSizes: Int32Array;
  /** First packed row of each step; `offsets[steps]` is the number of packed rows. */
  offsets: Int32Array;
  /** Steps until the longest sequence ends. */
  steps: number;
}

function pack(lengths: ArrayLike<number> | null, batch: number, maxSteps: number): Packing {
  const len = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const l = lengths ? lengths[b] : maxSteps;
    if (!Number.isInteger(l) || l < 0 || l > maxSteps) {
      throw new RangeError(`lstm: length ${l} out of 0..${maxSteps}`);
    }
    len[b] = l;
  }
  const order = Int32Array.from({ length: batch }, (_, b) => b).sort(
    (a, b) => len[b] - len[a] || a - b,
  );
  const steps = batch > 0 ? len[order[0]] : 0;
  const batchSizes = new Int32Array(steps);
  for (let j = 0; j < batch; j++) for (let t = 0; t < len[order[j]]; t++) batchSizes[t]++;
  const offsets = new Int32Array(steps + 1);
  for (let t = 0; t < steps; t++) offsets[t + 1] = offsets[t] + batchSizes[t];
  return { order, batchSizes, offsets, steps };
}

function checkTokens({ table, ids, shape, paddingIdx }: Tokens): void {
  const vocab = table.shape[0];
  if (table.ndim !== 2 || ids.length !== shape[0] * shape[1]) {
    throw new RangeError(
      `lstm: ${ids.length} token ids for shape [${shape}] into a table [${table.shape}]`,
    );
  }
  for (const id of ids) {
    if (id < 0 || id >= vocab) throw new RangeError(`lstm: token id ${id} out of 0..${vocab - 1}`);
  }
  if (paddingIdx !== null && !(paddingIdx >= 0 && paddingIdx < vocab)) {
    throw new RangeError(`lstm: paddingIdx ${paddingIdx} out of 0..${vocab - 1}`);
  }
}

/** Reusable gradient buffers: backward passes never nest, so one set serves every layer. */
const scratch = new Map<string, Float32Array>();
function work(name: string, size: number): Float32Array {
  let buf = scratch.get(name);
  if (!buf || buf.length < size) {
    buf = new Float32Array(size);
    scratch.set(name, buf);
  }
  return buf.subarray(0, size);
}

/**
 * Runs one LSTM layer over x[B, T, I] (batch first), or over tokens whose table rows are x,
 * from a zero initial state. `lengths[b]` (default T) is the number of valid leading steps of
 * sequence b.
 */
export function lstmLayer(
  input: Tensor | Tokens,
  lengths: ArrayLike<number> | null,
  { weightIh, weightHh, biasIh, biasHh }: LstmLayerWeights,
): LstmLayerResult {
  const dense = input instanceof Tensor;
  if (dense && input.ndim !== 3) {
    throw new RangeError(`lstm needs x[B, T, I], shape is [${input.shape}]`);
  }
  const [batch, maxSteps, inDim] = dense ? input.shape : [...input.shape, input.table.shape[1]];
  if (!dense) checkTokens(input);
  // The tensor the input gradient goes to.
  const x = dense ? input : input.table;
  const hid = weightHh.shape[1];
  const g4 = 4 * hid;
  if (
    weightIh.shape[0] !== g4 ||
    weightIh.shape[1] !== inDim ||
    weightHh.shape[0] !== g4 ||
    biasIh.size !== g4 ||
    biasHh.size !== g4
  ) {
    throw new RangeError(
      `lstm: weights [${weightIh.shape}], [${weightHh.shape}] do not fit input size ${inDim}`,
    );
  }
  if (lengths && lengths.length !== batch) {
    throw new RangeError(`lstm: ${lengths.length} lengths for a batch of ${batch}`);
  }
  const { order, batchSizes, offsets, steps } = pack(lengths, batch, maxSteps);
  const bias = new Float32Array(g4);
  for (let k = 0; k < g4; k++) bias[k] = biasIh.data[k] + biasHh.data[k];
  const layer: LstmLayer = {
    batch,
    maxSteps,
    inDim,
    hid,
    steps,
    order,
    batchSizes,
    offsets,
    input: dense
      ? input.data
      : {
          ids: input.ids,
          table: input.table.data,
          vocab: input.table.shape[0],
          paddingIdx: input.paddingIdx,
        },
    weightIh: weightIh.data,
    weightHh: weightHh.data,
    bias,
  };
  const out = new Float32Array(batch * maxSteps * hid);
  const hNData = new Float32Array(batch * hid);
  const cNData = new Float32Array(batch * hid);
  const backend = kernels();
  const parents = [x, weightIh, weightHh, biasIh, biasHh];
  const needsGrad = isGradEnabled() && parents.some((t) => t.requiresGrad);
  let tape: LstmTape | null = backend.lstmForward(
    layer,
    { output: out, hN: hNData, cN: cNData },
    needsGrad,
  );

  // Gradients of hN and cN arrive through their own small nodes (children of `output`, so
  // their backward runs first) and are consumed by the fused backward below.
  let gradHN: Float32Array | null = null;
  let gradCN: Float32Array | null = null;

  const output = record(out, [batch, maxSteps, hid], parents, (gOut) => {
    if (tape === null) throw new Error("lstm: backward through the same graph a second time");
    const grads = {
      dWih: work("dWih", g4 * inDim),
      dWhh: work("dWhh", g4 * hid),
      dBias: work("dBias", g4),
      dInput: work("dInput", x.size),
    };
    const used = tape;
    tape = null;
    backend.lstmBackward(used, { gOut, gh: gradHN, gc: gradCN }, grads);
    gradHN = null;
    gradCN = null;
    weightIh.accumulateGrad(grads.dWih);
    weightHh.accumulateGrad(grads.dWhh);
    biasIh.accumulateGrad(grads.dBias); // both biases get the column sums of dG
    biasHh.accumulateGrad(grads.dBias);
    x.accumulateGrad(grads.dInput);
  });

  if (!output.requiresGrad) {
    return { output, hN: new Tensor(hNData, [batch, hid]), cN: new Tensor(cNData, [batch, hid]) };
  }
  const hN = new Tensor(hNData, [batch, hid], {
    requiresGrad: true,
    parents: [output],
    backward: (g) => {
      gradHN = g;
      output.gradBuffer();
    },
  });
  const cN = new Tensor(cNData, [batch, hid], {
    requiresGrad: true,
    parents: [output],
    backward: (g) => {
      gradCN = g;
      output.gradBuffer();
    },
  });
  return { output, hN, cN };
}
