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
import { kernels } from "../kernels/index.js";
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
  const { gemm } = kernels();

  // Packed input: row offsets[t] + j holds x[order[j], t].
  const xs = new Float32Array(rows * inDim);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const src = (order[j] * maxSteps + t) * inDim;
      xs.set(x.data.subarray(src, src + inDim), (offsets[t] + j) * inDim);
    }
  }
  // Pre-activations of all steps, overwritten in place by the activations i, f, g, o.
  const gates = new Float32Array(rows * g4);
  const bias = new Float32Array(g4);
  for (let k = 0; k < g4; k++) bias[k] = biasIh.data[k] + biasHh.data[k];
  // Row 0 is the bias; doubling copies fill the rest in log2(rows) memmoves.
  gates.set(bias);
  for (let filled = g4; filled < gates.length; filled *= 2) {
    gates.copyWithin(filled, 0, Math.min(filled, gates.length - filled));
  }
  gemm(false, true, rows, g4, inDim, xs, weightIh.data, gates, true);

  const hs = new Float32Array(rows * hid);
  const cs = new Float32Array(rows * hid);
  const tanhC = new Float32Array(rows * hid);
  kernels().lstmForward(steps, hid, batchSizes, offsets, gates, weightHh.data, hs, cs, tanhC);

  const out = new Float32Array(batch * maxSteps * hid);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const src = (offsets[t] + j) * hid;
      out.set(hs.subarray(src, src + hid), (order[j] * maxSteps + t) * hid);
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
  let gradCN: Float32Array | null = null;

  const output = record(
    out,
    [batch, maxSteps, hid],
    [x, weightIh, weightHh, biasIh, biasHh],
    (gOut) => {
      const dG = work("dG", rows * g4);
      const dh = work("dh", batch * hid);
      const dc = work("dc", batch * hid);
      const gh = gradHN;
      const gc = gradCN;
      gradHN = null;
      gradCN = null;
      // Upstream gradients in the packed layout: h of every row, final states by sorted row.
      const gOutPacked = work("gOutPacked", rows * hid);
      for (let t = 0; t < steps; t++) {
        for (let j = 0; j < batchSizes[t]; j++) {
          const src = (order[j] * maxSteps + t) * hid;
          gOutPacked.set(gOut.subarray(src, src + hid), (offsets[t] + j) * hid);
        }
      }
      const ghSorted = work("ghSorted", batch * hid).fill(0);
      const gcSorted = work("gcSorted", batch * hid).fill(0);
      for (let j = 0; j < batch; j++) {
        const src = order[j] * hid;
        if (gh) ghSorted.set(gh.subarray(src, src + hid), j * hid);
        if (gc) gcSorted.set(gc.subarray(src, src + hid), j * hid);
      }
      kernels().lstmBackward(
        steps,
        hid,
        batchSizes,
        offsets,
        gates,
        tanhC,
        cs,
        gOutPacked,
        ghSorted,
        gcSorted,
        weightHh.data,
        dG,
        dh,
        dc,
      );
      if (weightIh.requiresGrad)
        gemm(true, false, g4, inDim, rows, dG, xs, weightIh.gradBuffer(), true);
      if (weightHh.requiresGrad && steps > 1) {
        // h_{t−1} aligned with the rows of steps 1..T−1 (step 0 starts from h = 0).
        const first = batchSizes[0];
        const hPrev = work("hPrev", (rows - first) * hid);
        for (let t = 1; t < steps; t++) {
          const src = offsets[t - 1] * hid;
          hPrev.set(hs.subarray(src, src + batchSizes[t] * hid), (offsets[t] - first) * hid);
        }
        gemm(
          true,
          false,
          g4,
          hid,
          rows - first,
          dG.subarray(first * g4),
          hPrev,
          weightHh.gradBuffer(),
          true,
        );
      }
      if (biasIh.requiresGrad || biasHh.requiresGrad) {
        // Both biases get the column sums of dG: sum once.
        const colSum = work("colSum", g4).fill(0);
        for (let r = 0; r < rows; r++) {
          const o = r * g4;
          for (let k = 0; k < g4; k++) colSum[k] += dG[o + k];
        }
        for (const bias of [biasIh, biasHh]) {
          if (!bias.requiresGrad) continue;
          const gb = bias.gradBuffer();
          for (let k = 0; k < g4; k++) gb[k] += colSum[k];
        }
      }
      if (x.requiresGrad) {
        const dxs = work("dxs", rows * inDim);
        gemm(false, false, rows, inDim, g4, dG, weightIh.data, dxs, false);
        const gx = x.gradBuffer();
        for (let t = 0; t < steps; t++) {
          for (let j = 0; j < batchSizes[t]; j++) {
            const src = (offsets[t] + j) * inDim;
            const dst = (order[j] * maxSteps + t) * inDim;
            for (let k = 0; k < inDim; k++) gx[dst + k] += dxs[src + k];
          }
        }
      }
    },
  );

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
