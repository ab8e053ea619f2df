/** The reference LSTM layer: forward and backward through time on the packed layout. */
import type { LstmBackward, LstmForward, LstmLayer, LstmTape } from "../types.js";
import { gemmTs } from "./gemm.js";

/** Packed row offsets[t] + j ← row (order[j], t) of a batch-first [batch, maxSteps, width]. */
function packRows(layer: LstmLayer, src: Float32Array, width: number): Float32Array {
  const { steps, order, batchSizes, offsets, maxSteps } = layer;
  const dst = new Float32Array(offsets[steps] * width);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const from = (order[j] * maxSteps + t) * width;
      dst.set(src.subarray(from, from + width), (offsets[t] + j) * width);
    }
  }
  return dst;
}

/** The inverse of packRows into `dst` [batch, maxSteps, width], zero at padded positions. */
function unpackRows(layer: LstmLayer, src: Float32Array, dst: Float32Array, width: number): void {
  const { steps, order, batchSizes, offsets, maxSteps } = layer;
  dst.fill(0, 0, layer.batch * maxSteps * width);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < batchSizes[t]; j++) {
      const from = (offsets[t] + j) * width;
      dst.set(src.subarray(from, from + width), (order[j] * maxSteps + t) * width);
    }
  }
}

/** dst[order[j]] ← the packed row of sorted sequence j's last step (zero if it has none). */
function lastRows(layer: LstmLayer, src: Float32Array, dst: Float32Array, width: number): void {
  const { batch, steps, order, batchSizes, offsets } = layer;
  dst.fill(0, 0, batch * width);
  for (let j = 0; j < batch; j++) {
    let last = 0; // steps run by sorted sequence j
    while (last < steps && batchSizes[last] > j) last++;
    if (last === 0) continue;
    const from = (offsets[last - 1] + j) * width;
    dst.set(src.subarray(from, from + width), order[j] * width);
  }
}

/** Row j ← row order[j] of a [batch, width] gradient (zero when absent). */
function sortRows(layer: LstmLayer, src: Float32Array | null, width: number): Float32Array {
  const dst = new Float32Array(layer.batch * width);
  if (src === null) return dst;
  for (let j = 0; j < layer.batch; j++) {
    const from = layer.order[j] * width;
    dst.set(src.subarray(from, from + width), j * width);
  }
  return dst;
}

/** x [batch · maxSteps, inDim] of a layer's input: itself, or its tokens' table rows. */
function denseInput({ input, inDim }: LstmLayer): Float32Array {
  if (input instanceof Float32Array) return input;
  const x = new Float32Array(input.ids.length * inDim);
  input.ids.forEach((id, i) => {
    x.set(input.table.subarray(id * inDim, (id + 1) * inDim), i * inDim);
  });
  return x;
}

/** The gradient of a layer's input from dx: dx itself, or summed into the tokens' table rows. */
function inputGradient({ input, inDim }: LstmLayer, dx: Float32Array, dInput: Float32Array): void {
  if (input instanceof Float32Array) {
    dInput.set(dx.subarray(0, dInput.length));
    return;
  }
  dInput.fill(0, 0, input.vocab * inDim);
  input.ids.forEach((id, i) => {
    if (id === input.paddingIdx) return;
    for (let k = 0; k < inDim; k++) dInput[id * inDim + k] += dx[i * inDim + k];
  });
}

class TsTape implements LstmTape {
  readonly backend = "ts";
  released = false;
  constructor(
    readonly layer: LstmLayer,
    readonly xs: Float32Array,
    readonly gates: Float32Array,
    readonly hs: Float32Array,
    readonly cs: Float32Array,
    readonly tanhC: Float32Array,
  ) {}
}

function asTsTape(tape: LstmTape): TsTape {
  if (!(tape instanceof TsTape))
    throw new Error(`lstm: a ${tape.backend} tape given to ts kernels`);
  if (tape.released) throw new Error("lstm: backward through the same graph a second time");
  return tape;
}

/** The LSTM forward pass (see LstmForward) with the reference gemm. */
export const lstmForwardTs: LstmForward = (layer, out, keep) => {
  const { steps, hid, inDim, offsets, batchSizes, weightIh, weightHh, bias } = layer;
  const g4 = 4 * hid;
  const rows = offsets[steps];
  const xs = packRows(layer, denseInput(layer), inDim);
  const gates = new Float32Array(rows * g4);
  const hs = new Float32Array(rows * hid);
  const cs = new Float32Array(rows * hid);
  const tanhC = new Float32Array(rows * hid);
  for (let r = 0; r < rows; r++) gates.set(bias, r * g4);
  gemmTs(false, true, rows, g4, inDim, xs, weightIh, gates, true);
  for (let t = 0; t < steps; t++) {
    const n = batchSizes[t];
    const row0 = offsets[t];
    const prev0 = t > 0 ? offsets[t - 1] : -1;
    if (t > 0) {
      gemmTs(
        false,
        true,
        n,
        g4,
        hid,
        hs.subarray(prev0 * hid, (prev0 + n) * hid),
        weightHh,
        gates.subarray(row0 * g4, (row0 + n) * g4),
        true,
      );
    }
    // tanh(x) as 1 − 2/(e^{2x} + 1): one Math.exp is ~1.5× faster than Math.tanh in V8, and
    // this loop's five transcendentals per element are most of the layer's non-gemm time.
    for (let j = 0; j < n; j++) {
      const gr = (row0 + j) * g4;
      const hr = (row0 + j) * hid;
      const pr = (prev0 + j) * hid;
      for (let k = 0; k < hid; k++) {
        const ig = 1 / (1 + Math.exp(-gates[gr + k]));
        const fg = 1 / (1 + Math.exp(-gates[gr + hid + k]));
        const gg = 1 - 2 / (Math.exp(2 * gates[gr + 2 * hid + k]) + 1);
        const og = 1 / (1 + Math.exp(-gates[gr + 3 * hid + k]));
        gates[gr + k] = ig;
        gates[gr + hid + k] = fg;
        gates[gr + 2 * hid + k] = gg;
        gates[gr + 3 * hid + k] = og;
        const c = (t > 0 ? fg * cs[pr + k] : 0) + ig * gg;
        const tc = 1 - 2 / (Math.exp(2 * c) + 1);
        cs[hr + k] = c;
        tanhC[hr + k] = tc;
        hs[hr + k] = og * tc;
      }
    }
  }
  unpackRows(layer, hs, out.output, hid);
  lastRows(layer, hs, out.hN, hid);
  lastRows(layer, cs, out.cN, hid);
  return keep ? new TsTape({ ...layer }, xs, gates, hs, cs, tanhC) : null;
};

/** The LSTM backward pass (see LstmBackward) with the reference gemm. */
export const lstmBackwardTs: LstmBackward = (tape, upstream, { dWih, dWhh, dBias, dInput }) => {
  const used = asTsTape(tape);
  used.released = true;
  const { layer, xs, gates, hs, cs, tanhC } = used;
  const { steps, hid, inDim, batchSizes, offsets, weightIh, weightHh } = layer;
  const g4 = 4 * hid;
  const rows = offsets[steps];
  const gOut = packRows(layer, upstream.gOut, hid);
  const gh = sortRows(layer, upstream.gh, hid);
  const gc = sortRows(layer, upstream.gc, hid);
  const dG = new Float32Array(rows * g4);
  const dh = new Float32Array(gh.length);
  const dc = new Float32Array(gc.length);
  for (let t = steps - 1; t >= 0; t--) {
    const n = batchSizes[t];
    const row0 = offsets[t];
    const prev0 = t > 0 ? offsets[t - 1] : -1;
    // Sequences whose last step is t start their carry from the final-state gradients.
    const next = t + 1 < steps ? batchSizes[t + 1] : 0;
    dh.set(gh.subarray(next * hid, n * hid), next * hid);
    dc.set(gc.subarray(next * hid, n * hid), next * hid);
    for (let j = 0; j < n; j++) {
      const gr = (row0 + j) * g4;
      const hr = (row0 + j) * hid;
      const pr = (prev0 + j) * hid;
      const cj = j * hid;
      for (let k = 0; k < hid; k++) {
        const ig = gates[gr + k];
        const fg = gates[gr + hid + k];
        const gg = gates[gr + 2 * hid + k];
        const og = gates[gr + 3 * hid + k];
        const tc = tanhC[hr + k];
        const dhk = dh[cj + k] + gOut[hr + k];
        const dck = dc[cj + k] + dhk * og * (1 - tc * tc);
        const cPrev = t > 0 ? cs[pr + k] : 0;
        dG[gr + k] = dck * gg * ig * (1 - ig);
        dG[gr + hid + k] = dck * cPrev * fg * (1 - fg);
        dG[gr + 2 * hid + k] = dck * ig * (1 - gg * gg);
        dG[gr + 3 * hid + k] = dhk * tc * og * (1 - og);
        dc[cj + k] = dck * fg;
      }
    }
    if (t > 0) {
      gemmTs(
        false,
        false,
        n,
        hid,
        g4,
        dG.subarray(row0 * g4, (row0 + n) * g4),
        weightHh,
        dh,
        false,
      );
    }
  }
  dBias.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < g4; k++) dBias[k] += dG[r * g4 + k];
  }
  gemmTs(true, false, g4, inDim, rows, dG, xs, dWih, false);
  const dxs = new Float32Array(rows * inDim);
  gemmTs(false, false, rows, inDim, g4, dG, weightIh, dxs, false);
  const dx = new Float32Array(layer.batch * layer.maxSteps * inDim);
  unpackRows(layer, dxs, dx, inDim);
  inputGradient(layer, dx, dInput);
  // dW_hh pairs the rows of steps 1.. with h_{t−1} (step 0 starts from h = 0).
  const first = steps > 0 ? batchSizes[0] : 0;
  const hPrev = new Float32Array((rows - first) * hid);
  for (let t = 1; t < steps; t++) {
    const from = offsets[t - 1] * hid;
    hPrev.set(hs.subarray(from, from + batchSizes[t] * hid), (offsets[t] - first) * hid);
  }
  gemmTs(true, false, g4, hid, rows - first, dG.subarray(first * g4), hPrev, dWhh, false);
};
