// WebAssembly SIMD kernels (AssemblyScript). Built by `npm run build` into
// dist/nn/wasm/kernels.wasm; src/nn/kernels/wasm.ts copies operands into linear memory and
// calls these. The plain TypeScript kernels in src/nn/kernels/ts.ts are the reference.

// C[m×n] = (acc ? C : 0) + A[m×k]·B[k×n], all row-major f32 at byte offsets a, b, c.
// Register tile: 4 rows × 8 columns (eight f32x4 accumulators); B rows stream through.
export function gemm(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32): void {
  const n8 = n & ~7;
  const m4 = m & ~3;
  const rowA = <usize>k << 2;
  const rowB = <usize>n << 2;
  let i = 0;
  for (; i < m4; i += 4) {
    const a0 = a + <usize>i * rowA;
    const a1 = a0 + rowA;
    const a2 = a1 + rowA;
    const a3 = a2 + rowA;
    const c0 = c + <usize>i * rowB;
    const c1 = c0 + rowB;
    const c2 = c1 + rowB;
    const c3 = c2 + rowB;
    for (let j = 0; j < n8; j += 8) {
      let s00 = f32x4.splat(0);
      let s01 = f32x4.splat(0);
      let s10 = f32x4.splat(0);
      let s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0);
      let s21 = f32x4.splat(0);
      let s30 = f32x4.splat(0);
      let s31 = f32x4.splat(0);
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const off = <usize>p << 2;
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const x0 = f32x4.splat(load<f32>(a0 + off));
        const x1 = f32x4.splat(load<f32>(a1 + off));
        const x2 = f32x4.splat(load<f32>(a2 + off));
        const x3 = f32x4.splat(load<f32>(a3 + off));
        s00 = f32x4.add(s00, f32x4.mul(x0, b0));
        s01 = f32x4.add(s01, f32x4.mul(x0, b1));
        s10 = f32x4.add(s10, f32x4.mul(x1, b0));
        s11 = f32x4.add(s11, f32x4.mul(x1, b1));
        s20 = f32x4.add(s20, f32x4.mul(x2, b0));
        s21 = f32x4.add(s21, f32x4.mul(x2, b1));
        s30 = f32x4.add(s30, f32x4.mul(x3, b0));
        s31 = f32x4.add(s31, f32x4.mul(x3, b1));
        bp += rowB;
      }
      const o = <usize>j << 2;
      store8(c0 + o, s00, s01, acc);
      store8(c1 + o, s10, s11, acc);
      store8(c2 + o, s20, s21, acc);
      store8(c3 + o, s30, s31, acc);
    }
    for (let j = n8; j < n; j++) {
      tail(a0, b, c0, j, n, k, acc);
      tail(a1, b, c1, j, n, k, acc);
      tail(a2, b, c2, j, n, k, acc);
      tail(a3, b, c3, j, n, k, acc);
    }
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * rowA;
    const ci = c + <usize>i * rowB;
    for (let j = 0; j < n8; j += 8) {
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const x = f32x4.splat(load<f32>(ai + (<usize>p << 2)));
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(bp)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(bp, 16)));
        bp += rowB;
      }
      store8(ci + (<usize>j << 2), s0, s1, acc);
    }
    for (let j = n8; j < n; j++) tail(ai, b, ci, j, n, k, acc);
  }
}

// @ts-ignore: decorator
@inline
function store8(p: usize, s0: v128, s1: v128, acc: i32): void {
  if (acc) {
    s0 = f32x4.add(s0, v128.load(p));
    s1 = f32x4.add(s1, v128.load(p, 16));
  }
  v128.store(p, s0);
  v128.store(p, s1, 16);
}

// One C element (column j of a row) for the columns past the last full tile.
function tail(ai: usize, b: usize, ci: usize, j: i32, n: i32, k: i32, acc: i32): void {
  let s: f32 = 0;
  for (let p = 0; p < k; p++) {
    s += load<f32>(ai + (<usize>p << 2)) * load<f32>(b + ((<usize>p * <usize>n + <usize>j) << 2));
  }
  const o = ci + (<usize>j << 2);
  store<f32>(o, acc ? load<f32>(o) + s : s);
}
