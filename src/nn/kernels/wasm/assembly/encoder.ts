// The element-wise steps of a TransformerEncoderLayer (ReLU) between its products, attention
// and layer norms, which src/nn/kernels/wasm/encoder.ts runs in order on resident blocks. Masks
// are one byte per element (1 = kept), 0 for none. The plain TypeScript reference is
// src/nn/kernels/ts/encoder.ts.

// Four keep bytes at p as f32 lanes (0 or 1).
// @ts-ignore: decorator
@inline
function keep4(p: usize): v128 {
  const bytes = v128.load32_zero(p);
  return f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(bytes)));
}

// dst ← a + b ⊙ keep·keepScale over n elements (dst may be a or b); without keep, a + b.
export function addKept(n: i32, a: usize, b: usize, keep: usize, keepScale: f32, dst: usize): void {
  const n4 = n & ~3;
  const s = f32x4.splat(keepScale);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    let v = v128.load(b + o);
    if (keep) v = f32x4.mul(v, f32x4.mul(keep4(keep + <usize>i), s));
    v128.store(dst + o, f32x4.add(v128.load(a + o), v));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let v = load<f32>(b + o);
    if (keep) v *= <f32>load<u8>(keep + <usize>i) * keepScale;
    store<f32>(dst + o, load<f32>(a + o) + v);
  }
}

// dst ← x ⊙ keep·keepScale over n elements (dst may be x).
export function keepScaled(n: i32, x: usize, keep: usize, keepScale: f32, dst: usize): void {
  const n4 = n & ~3;
  const s = f32x4.splat(keepScale);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.mul(v128.load(x + o), f32x4.mul(keep4(keep + <usize>i), s)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(x + o) * (<f32>load<u8>(keep + <usize>i) * keepScale));
  }
}

// h ← max(h, 0) in place, by bits (the sign bit clears the whole lane, so −0 becomes +0 as in
// src/nn/ops/elementwise.ts); then, with keep, dst ← h ⊙ keep·keepScale.
export function reluKept(n: i32, h: usize, keep: usize, keepScale: f32, dst: usize): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(h + o);
    v128.store(h + o, v128.andnot(x, i32x4.shr_s(x, 31)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<i32>(h + o);
    store<i32>(h + o, x & ~(x >> 31));
  }
  if (keep) keepScaled(n, h, keep, keepScale, dst);
}

// dst ← g ⊙ keep·keepScale where relu [n] (the ReLU's output) is > 0, else 0 (dst may be g).
export function reluKeptGrad(
  n: i32,
  g: usize,
  keep: usize,
  keepScale: f32,
  relu: usize,
  dst: usize,
): void {
  const n4 = n & ~3;
  const s = f32x4.splat(keepScale);
  const zero = i32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    let v = v128.and(v128.load(g + o), i32x4.gt_s(v128.load(relu + o), zero));
    if (keep) v = f32x4.mul(v, f32x4.mul(keep4(keep + <usize>i), s));
    v128.store(dst + o, v);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let v: f32 = load<i32>(relu + o) > 0 ? load<f32>(g + o) : 0;
    if (keep) v *= <f32>load<u8>(keep + <usize>i) * keepScale;
    store<f32>(dst + o, v);
  }
}

// out [width] ← the column sums of g [rows, width].
export function columnSums(rows: i32, width: i32, g: usize, out: usize): void {
  const w4 = width & ~3;
  const rowBytes = <usize>width << 2;
  memory.fill(out, 0, rowBytes);
  for (let r = 0; r < rows; r++, g += rowBytes) {
    let j = 0;
    for (; j < w4; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(g + o)));
    }
    for (; j < width; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(g + o));
    }
  }
}
