// The LSTM recurrence, forward and backward, over a packed batch.
import { gemm, gemmScratch, gemmTiles, packB, packedBSize } from "./gemm";
import { sigmoid1, sigmoidv, tanh1, tanhv } from "./math";

// Bytes of scratch lstmForward and lstmBackward need for `rows` packed rows of which `first`
// belong to step 0: W_hh packed, and for dW_hh the product's packing plus the h_{t−1} rows.
export function lstmScratch(rows: i32, first: i32, hid: i32): usize {
  const g4 = hid << 2;
  const most = packedBSize(hid, g4);
  return max(most, gemmScratch(g4, hid, rows - first) + ((<usize>(rows - first) * <usize>hid) << 2));
}

// One LSTM layer's recurrence over a packed batch (see src/nn/ops/lstm.ts): step t covers
// rows offsets[t] .. offsets[t] + batchSizes[t]. `gates` [rows, 4·hid] arrives holding each
// row's input side, bias + x·W_ihᵀ (see fillRows, tokenRows), and leaves holding the gate
// activations i, f, g, o; writes the states hs, cs, tanhC [rows, hid]. whh is W_hh [4·hid, hid];
// `scratch` needs lstmScratch(rows, batchSizes[0], hid) bytes.
export function lstmForward(
  steps: i32,
  hid: i32,
  batchSizes: usize,
  offsets: usize,
  whh: usize,
  gates: usize,
  hs: usize,
  cs: usize,
  tanhC: usize,
  scratch: usize,
): void {
  const g4 = hid << 2;
  const h4 = hid & ~3;
  // W_hhᵀ is packed once and serves every step.
  const whhT = scratch;
  packB(whh, hid, g4, 1, whhT);
  for (let t = 0; t < steps; t++) {
    const n = load<i32>(batchSizes + (<usize>t << 2));
    const row0 = load<i32>(offsets + (<usize>t << 2));
    const prev0 = t > 0 ? load<i32>(offsets + (<usize>(t - 1) << 2)) : 0;
    if (t > 0) {
      const hRows = hs + ((<usize>prev0 * <usize>hid) << 2);
      gemmTiles(n, g4, hid, hRows, <usize>hid << 2, 4, whhT, gates + ((<usize>row0 * <usize>g4) << 2), 1);
    }
    for (let j = 0; j < n; j++) {
      const gr = gates + ((<usize>(row0 + j) * <usize>g4) << 2);
      const hr = <usize>(row0 + j) * <usize>hid;
      const pr = <usize>(prev0 + j) * <usize>hid;
      const gi = gr;
      const gf = gr + (<usize>hid << 2);
      const gg = gr + (<usize>(2 * hid) << 2);
      const go = gr + (<usize>(3 * hid) << 2);
      for (let k = 0; k < h4; k += 4) {
        const o = <usize>k << 2;
        const ig = sigmoidv(v128.load(gi + o));
        const fg = sigmoidv(v128.load(gf + o));
        const g = tanhv(v128.load(gg + o));
        const og = sigmoidv(v128.load(go + o));
        v128.store(gi + o, ig);
        v128.store(gf + o, fg);
        v128.store(gg + o, g);
        v128.store(go + o, og);
        let c = f32x4.mul(ig, g);
        if (t > 0) c = f32x4.add(c, f32x4.mul(fg, v128.load(cs + ((pr + <usize>k) << 2))));
        const tc = tanhv(c);
        const at = (hr + <usize>k) << 2;
        v128.store(cs + at, c);
        v128.store(tanhC + at, tc);
        v128.store(hs + at, f32x4.mul(og, tc));
      }
      for (let k = h4; k < hid; k++) {
        const o = <usize>k << 2;
        const ig = sigmoid1(load<f32>(gi + o));
        const fg = sigmoid1(load<f32>(gf + o));
        const g = tanh1(load<f32>(gg + o));
        const og = sigmoid1(load<f32>(go + o));
        store<f32>(gi + o, ig);
        store<f32>(gf + o, fg);
        store<f32>(gg + o, g);
        store<f32>(go + o, og);
        const c = ig * g + (t > 0 ? fg * load<f32>(cs + ((pr + <usize>k) << 2)) : 0);
        const tc = tanh1(c);
        const at = (hr + <usize>k) << 2;
        store<f32>(cs + at, c);
        store<f32>(tanhC + at, tc);
        store<f32>(hs + at, og * tc);
      }
    }
  }
}

// One LSTM layer's backward pass through its recurrence: from the saved activations (gates,
// tanhC, cs, hs), the upstream gradient of every row's h (gOut, packed [rows, hid]) and of the
// final states (gh, gc: one row per sequence in sorted order), writes the pre-activation
// gradients dG [rows, 4·hid] (from which the caller takes the input side's gradients), and
// the gradients of W_hh (dWhh) and either bias (dBias, the column sums of dG). dh and dc
// [batch, hid] are work space; `scratch` needs lstmScratch(rows, batchSizes[0], hid) bytes.
export function lstmBackward(
  steps: i32,
  hid: i32,
  batchSizes: usize,
  offsets: usize,
  whh: usize,
  gates: usize,
  tanhC: usize,
  cs: usize,
  hs: usize,
  gOut: usize,
  gh: usize,
  gc: usize,
  dWhh: usize,
  dBias: usize,
  dG: usize,
  dh: usize,
  dc: usize,
  scratch: usize,
): void {
  const g4 = hid << 2;
  const h4 = hid & ~3;
  const one = f32x4.splat(1.0);
  // W_hh is packed once and serves every step.
  const whhP = scratch;
  packB(whh, g4, hid, 0, whhP);
  for (let t = steps - 1; t >= 0; t--) {
    const n = load<i32>(batchSizes + (<usize>t << 2));
    const row0 = load<i32>(offsets + (<usize>t << 2));
    const prev0 = t > 0 ? load<i32>(offsets + (<usize>(t - 1) << 2)) : 0;
    const next = t + 1 < steps ? load<i32>(batchSizes + (<usize>(t + 1) << 2)) : 0;
    // Sequences whose last step is t start their carry from the final-state gradients.
    const from = (<usize>next * <usize>hid) << 2;
    const bytes = (<usize>(n - next) * <usize>hid) << 2;
    memory.copy(dh + from, gh + from, bytes);
    memory.copy(dc + from, gc + from, bytes);
    for (let j = 0; j < n; j++) {
      const gr = gates + ((<usize>(row0 + j) * <usize>g4) << 2);
      const dgr = dG + ((<usize>(row0 + j) * <usize>g4) << 2);
      const hr = (<usize>(row0 + j) * <usize>hid) << 2;
      const pr = (<usize>(prev0 + j) * <usize>hid) << 2;
      const cj = (<usize>j * <usize>hid) << 2;
      const fo = <usize>hid << 2;
      for (let k = 0; k < h4; k += 4) {
        const o = <usize>k << 2;
        const ig = v128.load(gr + o);
        const fg = v128.load(gr + fo + o);
        const gg = v128.load(gr + 2 * fo + o);
        const og = v128.load(gr + 3 * fo + o);
        const tc = v128.load(tanhC + hr + o);
        const dhk = f32x4.add(v128.load(dh + cj + o), v128.load(gOut + hr + o));
        const dck = f32x4.add(
          v128.load(dc + cj + o),
          f32x4.mul(f32x4.mul(dhk, og), f32x4.sub(one, f32x4.mul(tc, tc))),
        );
        const cPrev = t > 0 ? v128.load(cs + pr + o) : f32x4.splat(0);
        v128.store(dgr + o, f32x4.mul(f32x4.mul(dck, gg), f32x4.mul(ig, f32x4.sub(one, ig))));
        v128.store(dgr + fo + o, f32x4.mul(f32x4.mul(dck, cPrev), f32x4.mul(fg, f32x4.sub(one, fg))));
        v128.store(dgr + 2 * fo + o, f32x4.mul(f32x4.mul(dck, ig), f32x4.sub(one, f32x4.mul(gg, gg))));
        v128.store(dgr + 3 * fo + o, f32x4.mul(f32x4.mul(dhk, tc), f32x4.mul(og, f32x4.sub(one, og))));
        v128.store(dc + cj + o, f32x4.mul(dck, fg));
      }
      for (let k = h4; k < hid; k++) {
        const o = <usize>k << 2;
        const ig = load<f32>(gr + o);
        const fg = load<f32>(gr + fo + o);
        const gg = load<f32>(gr + 2 * fo + o);
        const og = load<f32>(gr + 3 * fo + o);
        const tc = load<f32>(tanhC + hr + o);
        const dhk = load<f32>(dh + cj + o) + load<f32>(gOut + hr + o);
        const dck = load<f32>(dc + cj + o) + dhk * og * (1 - tc * tc);
        const cPrev: f32 = t > 0 ? load<f32>(cs + pr + o) : 0;
        store<f32>(dgr + o, dck * gg * ig * (1 - ig));
        store<f32>(dgr + fo + o, dck * cPrev * fg * (1 - fg));
        store<f32>(dgr + 2 * fo + o, dck * ig * (1 - gg * gg));
        store<f32>(dgr + 3 * fo + o, dhk * tc * og * (1 - og));
        store<f32>(dc + cj + o, dck * fg);
      }
    }
    if (t > 0) {
      gemmTiles(n, hid, g4, dG + ((<usize>row0 * <usize>g4) << 2), <usize>g4 << 2, 4, whhP, dh, 0);
    }
  }
  const rows = steps > 0 ? load<i32>(offsets + (<usize>steps << 2)) : 0;
  // dW_hh pairs the rows of steps 1.. with h_{t−1} (step 0 starts from h = 0): gather those
  // h rows into one block after the packing space.
  const first = steps > 0 ? load<i32>(batchSizes) : 0;
  if (rows > first) {
    const hPrev = scratch + gemmScratch(g4, hid, rows - first);
    const rowBytes = <usize>hid << 2;
    for (let t = 1; t < steps; t++) {
      const n = load<i32>(batchSizes + (<usize>t << 2));
      const to = load<i32>(offsets + (<usize>t << 2)) - first;
      const from = load<i32>(offsets + (<usize>(t - 1) << 2));
      memory.copy(hPrev + <usize>to * rowBytes, hs + <usize>from * rowBytes, <usize>n * rowBytes);
    }
    gemm(g4, hid, rows - first, dG + <usize>first * (<usize>g4 << 2), hPrev, dWhh, 0, 1, 0, scratch);
  } else {
    memory.fill(dWhh, 0, (<usize>g4 * <usize>hid) << 2);
  }
  memory.fill(dBias, 0, <usize>g4 << 2);
  for (let r = 0; r < rows; r++) {
    const dgr = dG + ((<usize>r * <usize>g4) << 2);
    for (let k = 0; k < g4; k += 4) {
      const o = <usize>k << 2;
      v128.store(dBias + o, f32x4.add(v128.load(dBias + o), v128.load(dgr + o)));
    }
  }
}
