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
 * through W_hh; the weight and input gradients are then one gemm each over all steps.
 */
import {
  kernels,
  type LstmGradients,
  type LstmPacked,
  type LstmSaved,
  type LstmUpstream,
} from "../kernels/index.js";
import { record, Tensor } from "../tensor.js";

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

/** Copies n floats; for rows this short a loop beats subarray + set (no view allocated). */
function copyRow(src: Float32Array, from: number, dst: Float32Array, to: number, n: number): void {
  for (let k = 0; k < n; k++) dst[to + k] = src[from + k];
}

/**
 * Buffers the forward pass keeps for the backward pass, recycled once the backward pass has
 * used them: a fresh multi-megabyte array costs a page fault per 4 KiB on first touch, which
 * measured more than the copy into it.
 */
const spare = new Map<number, Float32Array[]>();
function take(size: number): Float32Array {
  return spare.get(size)?.pop() ?? new Float32Array(size);
}
function give(...bufs: Float32Array[]): void {
  for (const buf of bufs) {
    const list = spare.get(buf.length) ?? [];
    if (list.length < 8) list.push(buf);
    spare.set(buf.length, list);
  }
}

/** Reusable backward work buffers: backward passes never nest, so one set serves every layer. */
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
 * Runs one LSTM layer over x[B, T, I] (batch first) from a zero initial state. `lengths[b]`
 * (default T) is the number of valid leading steps of sequence b.
 */
export function lstmLayer(
  x: Tensor,
  lengths: ArrayLike<number> | null,
  { weightIh, weightHh, biasIh, biasHh }: LstmLayerWeights,
): LstmLayerResult {
  if (x.ndim !== 3) throw new RangeError(`lstm needs x[B, T, I], shape is [${x.shape}]`);
  const [batch, maxSteps, inDim] = x.shape;
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
  const rows = offsets[steps];

  // Packed input: row offsets[t] + j holds x[order[j], t].
  const xs = take(rows * inDim);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const src = (order[j] * maxSteps + t) * inDim;
      copyRow(x.data, src, xs, (offsets[t] + j) * inDim, inDim);
    }
  }
  const layer: LstmPacked = {
    steps,
    hid,
    inDim,
    batchSizes,
    offsets,
    xs,
    weightIh: weightIh.data,
    weightHh: weightHh.data,
  };
  const bias = new Float32Array(g4);
  for (let k = 0; k < g4; k++) bias[k] = biasIh.data[k] + biasHh.data[k];
  // Every element of these is written by the kernel, so recycled buffers need no clearing.
  const saved: LstmSaved = {
    gates: take(rows * g4),
    hs: take(rows * hid),
    cs: take(rows * hid),
    tanhC: take(rows * hid),
  };
  kernels().lstmForward(layer, bias, saved);
  const { hs, cs } = saved;

  const out = new Float32Array(batch * maxSteps * hid);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const src = (offsets[t] + j) * hid;
      copyRow(hs, src, out, (order[j] * maxSteps + t) * hid, hid);
    }
  }
  const hNData = new Float32Array(batch * hid);
  const cNData = new Float32Array(batch * hid);
  for (let j = 0; j < batch; j++) {
    let last = 0; // steps run by sorted sequence j
    while (last < steps && batchSizes[last] > j) last++;
    if (last === 0) continue;
    const src = (offsets[last - 1] + j) * hid;
    hNData.set(hs.subarray(src, src + hid), order[j] * hid);
    cNData.set(cs.subarray(src, src + hid), order[j] * hid);
  }

  // Gradients of hN and cN arrive through their own small nodes (children of `output`, so
  // their backward runs first) and are consumed by the fused backward below.
  let gradHN: Float32Array | null = null;
  let released = false;
  let gradCN: Float32Array | null = null;

  const output = record(
    out,
    [batch, maxSteps, hid],
    [x, weightIh, weightHh, biasIh, biasHh],
    (gOut) => {
      if (released) throw new Error("lstm: backward through the same graph a second time");
      released = true;
      const gh = gradHN;
      const gc = gradCN;
      gradHN = null;
      gradCN = null;
      // Upstream gradients in the packed layout: h of every row, final states by sorted row.
      const upstream: LstmUpstream = {
        gOut: work("gOutPacked", rows * hid),
        gh: work("ghSorted", batch * hid).fill(0),
        gc: work("gcSorted", batch * hid).fill(0),
      };
      for (let t = 0; t < steps; t++) {
        for (let j = 0; j < batchSizes[t]; j++) {
          const src = (order[j] * maxSteps + t) * hid;
          copyRow(gOut, src, upstream.gOut, (offsets[t] + j) * hid, hid);
        }
      }
      for (let j = 0; j < batch; j++) {
        if (gh) copyRow(gh, order[j] * hid, upstream.gh, j * hid, hid);
        if (gc) copyRow(gc, order[j] * hid, upstream.gc, j * hid, hid);
      }
      const grads: LstmGradients = {
        dWih: work("dWih", g4 * inDim),
        dWhh: work("dWhh", g4 * hid),
        dBias: work("dBias", g4),
        dxs: work("dxs", rows * inDim),
      };
      kernels().lstmBackward(layer, saved, upstream, grads);
      const accumulate = (t: Tensor, g: Float32Array) => {
        if (!t.requiresGrad) return;
        const buf = t.gradBuffer();
        for (let k = 0; k < g.length; k++) buf[k] += g[k];
      };
      accumulate(weightIh, grads.dWih);
      accumulate(weightHh, grads.dWhh);
      accumulate(biasIh, grads.dBias); // both biases get the column sums of dG
      accumulate(biasHh, grads.dBias);
      if (x.requiresGrad) {
        const gx = x.gradBuffer();
        for (let t = 0; t < steps; t++) {
          for (let j = 0; j < batchSizes[t]; j++) {
            const src = (offsets[t] + j) * inDim;
            const dst = (order[j] * maxSteps + t) * inDim;
            for (let k = 0; k < inDim; k++) gx[dst + k] += grads.dxs[src + k];
          }
        }
      }
      give(xs, saved.gates, saved.hs, saved.cs, saved.tanhC);
    },
  );

  if (!output.requiresGrad) {
    give(xs, saved.gates, saved.hs, saved.cs, saved.tanhC); // no backward will read them
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
