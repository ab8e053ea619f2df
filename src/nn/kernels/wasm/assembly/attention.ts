// Multi-head self-attention over a packed projection qkv [batch, steps, 3·heads·d] (Q, K, V side
// by side), one batch row and head ("group") at a time: the head's Q (scaled by 1/√d), K and V
// are copied into contiguous [steps, d] blocks, and every product is a gemm on them. The plain
// TypeScript reference is attentionForwardTs/attentionBackwardTs in src/nn/kernels/ts/attention.ts.
import { gemm, gemmScratch } from "./gemm";
import { expv } from "./math";

// @ts-ignore: decorator
@inline
function aligned(bytes: usize): usize {
  return (bytes + 15) & ~15;
}

// Bytes of scratch attentionForward and attentionBackward need: the larger of the forward
// pass's 4 [steps, d] blocks, 2 [steps, steps] ones and the key mask, and the backward pass's
// 7 blocks and 3 square ones, plus what the products pack.
export function attentionScratch(steps: i32, d: i32): usize {
  const block = aligned(<usize>(steps * d) << 2);
  const square = aligned(<usize>(steps * steps) << 2);
  const products = max(gemmScratch(steps, steps, d), gemmScratch(steps, d, steps));
  return max<usize>(4 * block + 2 * square + aligned(<usize>steps << 2), 7 * block + 3 * square) + products;
}

// dst [rows, cols] (contiguous) ← factor · the columns src.. of rows with a stride of `stride`
// floats.
function gatherCols(src: usize, stride: i32, dst: usize, rows: i32, cols: i32, factor: f32): void {
  const c4 = cols & ~3;
  const f = f32x4.splat(factor);
  const rowBytes = <usize>stride << 2;
  for (let r = 0; r < rows; r++, src += rowBytes) {
    let c = 0;
    for (; c < c4; c += 4, dst += 16) v128.store(dst, f32x4.mul(v128.load(src + (<usize>c << 2)), f));
    for (; c < cols; c++, dst += 4) store<f32>(dst, load<f32>(src + (<usize>c << 2)) * factor);
  }
}

// The columns dst.. of rows with a stride of `stride` floats ← (acc ? themselves : 0) + factor ·
// src [rows, cols] (contiguous).
function scatterCols(
  src: usize,
  dst: usize,
  stride: i32,
  rows: i32,
  cols: i32,
  factor: f32,
  acc: bool,
): void {
  const c4 = cols & ~3;
  const f = f32x4.splat(factor);
  const rowBytes = <usize>stride << 2;
  for (let r = 0; r < rows; r++, dst += rowBytes) {
    let c = 0;
    for (; c < c4; c += 4, src += 16) {
      const o = dst + (<usize>c << 2);
      const v = f32x4.mul(v128.load(src), f);
      v128.store(o, acc ? f32x4.add(v128.load(o), v) : v);
    }
    for (; c < cols; c++, src += 4) {
      const o = dst + (<usize>c << 2);
      const v = load<f32>(src) * factor;
      store<f32>(o, acc ? load<f32>(o) + v : v);
    }
  }
}

// q, k, v [steps, d] ← the head's columns of Q (times scale), K and V, from `cols` = its first
// column in row 0 of a batch row's qkv [steps, 3·embed].
function gatherHead(
  cols: usize,
  embed: i32,
  steps: i32,
  d: i32,
  scale: f32,
  q: usize,
  k: usize,
  v: usize,
): void {
  const width = 3 * embed;
  gatherCols(cols, width, q, steps, d, scale);
  gatherCols(cols + (<usize>embed << 2), width, k, steps, d, 1);
  gatherCols(cols + (<usize>(2 * embed) << 2), width, v, steps, d, 1);
}

// Row [n] ← softmax of itself over the keys whose `keys` lane is all ones (i32 −1; padded keys
// are 0 and get weight exactly 0), when masked; over all keys otherwise.
function softmaxRow(row: usize, keys: usize, n: i32, masked: bool): void {
  const n4 = n & ~3;
  const minusInf = f32x4.splat(-Infinity);
  let top = minusInf;
  let j = 0;
  for (; j < n4; j += 4) {
    const o = <usize>j << 2;
    let x = v128.load(row + o);
    if (masked) x = v128.bitselect(x, minusInf, v128.load(keys + o));
    top = f32x4.pmax(top, x);
  }
  let mx = max(max(f32x4.extract_lane(top, 0), f32x4.extract_lane(top, 1)), max(f32x4.extract_lane(top, 2), f32x4.extract_lane(top, 3)));
  for (; j < n; j++) {
    const o = <usize>j << 2;
    if (!masked || load<i32>(keys + o) !== 0) mx = max(mx, load<f32>(row + o));
  }
  const m = f32x4.splat(mx);
  let total = f32x4.splat(0);
  for (j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    let e = expv(f32x4.sub(v128.load(row + o), m));
    if (masked) e = v128.and(e, v128.load(keys + o));
    v128.store(row + o, e);
    total = f32x4.add(total, e);
  }
  let sum = f32x4.extract_lane(total, 0) + f32x4.extract_lane(total, 1);
  sum += f32x4.extract_lane(total, 2) + f32x4.extract_lane(total, 3);
  for (; j < n; j++) {
    const o = <usize>j << 2;
    let e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(row + o) - mx)), 0);
    if (masked && load<i32>(keys + o) === 0) e = 0;
    store<f32>(row + o, e);
    sum += e;
  }
  const inv = <f32>1 / sum;
  const iv = f32x4.splat(inv);
  for (j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    v128.store(row + o, f32x4.mul(v128.load(row + o), iv));
  }
  for (; j < n; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) * inv);
}

// dst[i] ← src[i] · keep[i] · keepScale for n weights (keep: one byte per weight).
function keepWeights(src: usize, keep: usize, keepScale: f32, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o) * (<f32>load<u8>(keep + <usize>i) * keepScale));
  }
}

// Keys past the last unpadded one of batch row b get weight exactly 0 from every query, so the
// products run over the first keyCount(b) keys only: the rest add exact zeros (and gradients
// of exactly 0 to those keys and values). 0 when every key is padding; steps without a mask.
function keyCount(keyPadding: usize, b: i32, steps: i32): i32 {
  if (!keyPadding) return steps;
  let n = steps;
  while (n > 0 && load<u8>(keyPadding + <usize>(b * steps + n - 1))) n--;
  return n;
}

// dst [rows, cols] ← src's rows (stride `stride` floats), each element times keep·keepScale
// (keep one byte per element with the same stride; none when 0).
function copyKept(
  src: usize,
  stride: i32,
  keep: usize,
  keepScale: f32,
  dst: usize,
  rows: i32,
  cols: i32,
): void {
  for (let i = 0; i < rows; i++) {
    const s = src + (<usize>(i * stride) << 2);
    const d = dst + (<usize>(i * cols) << 2);
    if (keep) keepWeights(s, keep + <usize>(i * stride), keepScale, d, cols);
    else memory.copy(d, s, <usize>cols << 2);
  }
}

// out [batch, steps, heads·d] ← O, probs [batch·heads, steps, steps] ← P (see the header of
// src/nn/ops/attention.ts); without keepProbs, probs is not written. keyPadding is one byte
// per [batch, steps] key (1 = padding) and keep one byte per attention weight (1 = kept), each
// 0 for none. Each group's products run on compact [steps, keys] blocks (see keyCount).
// scratch: attentionScratch bytes.
export function attentionForward(
  batch: i32,
  steps: i32,
  heads: i32,
  d: i32,
  qkv: usize,
  keyPadding: usize,
  keep: usize,
  keepScale: f32,
  out: usize,
  probs: usize,
  keepProbs: bool,
  scratch: usize,
): void {
  const embed = heads * d;
  const width = 3 * embed;
  const tt = steps * steps;
  const block = aligned(<usize>(steps * d) << 2);
  const q = scratch;
  const k = q + block;
  const v = k + block;
  const head = v + block;
  const s = head + block;
  const dropped = s + aligned(<usize>tt << 2);
  const keys = dropped + aligned(<usize>tt << 2);
  const products = keys + aligned(<usize>steps << 2);
  const scale = <f32>(1 / Math.sqrt(<f64>d));
  for (let b = 0; b < batch; b++) {
    const n = keyCount(keyPadding, b, steps);
    if (keyPadding) {
      for (let j = 0; j < steps; j++) {
        const pad = load<u8>(keyPadding + <usize>(b * steps + j));
        store<i32>(keys + (<usize>j << 2), pad ? 0 : -1);
      }
    }
    const rows = qkv + ((<usize>(b * steps) * <usize>width) << 2);
    for (let h = 0; h < heads; h++) {
      const grp = b * heads + h;
      const p = probs + ((<usize>grp * <usize>tt) << 2);
      const dst = out + ((<usize>(b * steps) * <usize>embed + <usize>(h * d)) << 2);
      if (n === 0) {
        // No key at all: P = 0 and O = 0.
        if (keepProbs) memory.fill(p, 0, <usize>tt << 2);
        memory.fill(head, 0, <usize>(steps * d) << 2);
        scatterCols(head, dst, embed, steps, d, 1, false);
        continue;
      }
      gatherHead(rows + (<usize>(h * d) << 2), embed, steps, d, scale, q, k, v);
      gemm(steps, n, d, q, k, s, 0, 0, 1, products);
      for (let i = 0; i < steps; i++) {
        softmaxRow(s + (<usize>(i * n) << 2), keys, n, keyPadding !== 0);
      }
      if (keepProbs) {
        // P in the full [steps, steps] layout, zero past the n keys.
        for (let i = 0; i < steps; i++) {
          const row = p + (<usize>(i * steps) << 2);
          memory.copy(row, s + (<usize>(i * n) << 2), <usize>n << 2);
          memory.fill(row + (<usize>n << 2), 0, <usize>(steps - n) << 2);
        }
      }
      let weights = s;
      if (keep) {
        for (let i = 0; i < steps; i++) {
          const at = <usize>(i * n) << 2;
          keepWeights(s + at, keep + <usize>grp * <usize>tt + <usize>(i * steps), keepScale, dropped + at, n);
        }
        weights = dropped;
      }
      gemm(steps, d, n, weights, v, head, 0, 0, 0, products);
      scatterCols(head, dst, embed, steps, d, 1, false);
    }
  }
}

// Adds the gradient of qkv into gQkv from P (probs, as the forward pass wrote it), the dropout
// bytes (keep, 0 for none) and the gradient of O (gOut [batch, steps, heads·d]):
//   dP' = dO·Vᵀ, dV = P'ᵀ·dO, dP = dP' ⊙ keep·keepScale, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
//   d(Q/√d) = dS·K, dK = dSᵀ·(Q/√d),
// over each batch row's first keyCount keys (the others' weights and gradients are 0).
export function attentionBackward(
  batch: i32,
  steps: i32,
  heads: i32,
  d: i32,
  qkv: usize,
  keyPadding: usize,
  keep: usize,
  keepScale: f32,
  probs: usize,
  gOut: usize,
  gQkv: usize,
  scratch: usize,
): void {
  const embed = heads * d;
  const width = 3 * embed;
  const tt = steps * steps;
  const block = aligned(<usize>(steps * d) << 2);
  const square = aligned(<usize>tt << 2);
  const q = scratch;
  const k = q + block;
  const v = k + block;
  const gHead = v + block;
  const gq = gHead + block;
  const gk = gq + block;
  const gv = gk + block;
  const pc = gv + block;
  const dropped = pc + square;
  const gP = dropped + square;
  const products = gP + square;
  const scale = <f32>(1 / Math.sqrt(<f64>d));
  for (let b = 0; b < batch; b++) {
    const n = keyCount(keyPadding, b, steps);
    if (n === 0) continue;
    const n4 = n & ~3;
    const rows = qkv + ((<usize>(b * steps) * <usize>width) << 2);
    const gRows = gQkv + ((<usize>(b * steps) * <usize>width) << 2);
    for (let h = 0; h < heads; h++) {
      const grp = b * heads + h;
      gatherHead(rows + (<usize>(h * d) << 2), embed, steps, d, scale, q, k, v);
      const gSrc = gOut + ((<usize>(b * steps) * <usize>embed + <usize>(h * d)) << 2);
      gatherCols(gSrc, embed, gHead, steps, d, 1);
      const p = probs + ((<usize>grp * <usize>tt) << 2);
      const kg = keep ? keep + <usize>grp * <usize>tt : 0;
      copyKept(p, steps, 0, 1, pc, steps, n);
      let weights = pc;
      if (keep) {
        copyKept(p, steps, kg, keepScale, dropped, steps, n);
        weights = dropped;
      }
      gemm(steps, n, d, gHead, v, gP, 0, 0, 1, products);
      gemm(n, d, steps, weights, gHead, gv, 0, 1, 0, products);
      if (keep) {
        for (let i = 0; i < steps; i++) {
          const at = gP + (<usize>(i * n) << 2);
          keepWeights(at, kg + <usize>(i * steps), keepScale, at, n);
        }
      }
      for (let i = 0; i < steps; i++) {
        const gr = gP + (<usize>(i * n) << 2);
        const pr = pc + (<usize>(i * n) << 2);
        let dots = f32x4.splat(0);
        let j = 0;
        for (; j < n4; j += 4) {
          const o = <usize>j << 2;
          dots = f32x4.add(dots, f32x4.mul(v128.load(gr + o), v128.load(pr + o)));
        }
        let dot = f32x4.extract_lane(dots, 0) + f32x4.extract_lane(dots, 1);
        dot += f32x4.extract_lane(dots, 2) + f32x4.extract_lane(dots, 3);
        for (; j < n; j++) dot += load<f32>(gr + (<usize>j << 2)) * load<f32>(pr + (<usize>j << 2));
        const dv = f32x4.splat(dot);
        j = 0;
        for (; j < n4; j += 4) {
          const o = <usize>j << 2;
          v128.store(gr + o, f32x4.mul(v128.load(pr + o), f32x4.sub(v128.load(gr + o), dv)));
        }
        for (; j < n; j++) {
          const o = <usize>j << 2;
          store<f32>(gr + o, load<f32>(pr + o) * (load<f32>(gr + o) - dot));
        }
      }
      gemm(steps, d, n, gP, k, gq, 0, 0, 0, products);
      gemm(n, d, steps, gP, q, gk, 0, 1, 0, products);
      const gCols = gRows + (<usize>(h * d) << 2);
      scatterCols(gq, gCols, width, steps, d, scale, true);
      scatterCols(gk, gCols + (<usize>embed << 2), width, n, d, 1, true);
      scatterCols(gv, gCols + (<usize>(2 * embed) << 2), width, n, d, 1, true);
    }
  }
}
