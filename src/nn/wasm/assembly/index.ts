// WebAssembly SIMD kernels (AssemblyScript). Built by `npm run build` into
// dist/nn/wasm/kernels.wasm; src/nn/kernels/wasm.ts copies operands into linear memory and
// calls these. The plain TypeScript kernels in src/nn/kernels/ts.ts are the reference.

// C[m×n] = (acc ? C : 0) + op(A)·B[k×n], row-major f32 at byte offsets a, b, c; op(A) is
// A[m×k], or — with transA — Aᵀ of A stored [k×m], read in place through strides.
// Register tile: 4 rows × 8 columns (eight f32x4 accumulators); B rows stream through.
export function gemm(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, transA: i32): void {
  const n8 = n & ~7;
  const m4 = m & ~3;
  // Byte strides of A between rows of op(A) and between its columns.
  const rowA: usize = transA ? 4 : <usize>k << 2;
  const colA: usize = transA ? <usize>m << 2 : 4;
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
        const off = <usize>p * colA;
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
      tail(a0, colA, b, c0, j, n, k, acc);
      tail(a1, colA, b, c1, j, n, k, acc);
      tail(a2, colA, b, c2, j, n, k, acc);
      tail(a3, colA, b, c3, j, n, k, acc);
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
        const x = f32x4.splat(load<f32>(ai + <usize>p * colA));
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(bp)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(bp, 16)));
        bp += rowB;
      }
      store8(ci + (<usize>j << 2), s0, s1, acc);
    }
    for (let j = n8; j < n; j++) tail(ai, colA, b, ci, j, n, k, acc);
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
function tail(ai: usize, colA: usize, b: usize, ci: usize, j: i32, n: i32, k: i32, acc: i32): void {
  let s: f32 = 0;
  for (let p = 0; p < k; p++) {
    s += load<f32>(ai + <usize>p * colA) * load<f32>(b + ((<usize>p * <usize>n + <usize>j) << 2));
  }
  const o = ci + (<usize>j << 2);
  store<f32>(o, acc ? load<f32>(o) + s : s);
}

// e^x on four lanes: Cephes expf (range reduction by ln 2 split in two, degree-6 polynomial,
// 2^n through the exponent bits); x is clamped to [-87, 88] so the result stays finite and normal.
// @ts-ignore: decorator
@inline
function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(r, r)), r), f32x4.splat(1.0));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  return f32x4.mul(y, i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23));
}

// @ts-ignore: decorator
@inline
function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

// tanh(x) = 1 − 2 / (e^{2x} + 1)
// @ts-ignore: decorator
@inline
function tanhv(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(expv(f32x4.add(x, x)), one)));
}

function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoidv(f32x4.splat(x)), 0);
}

function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanhv(f32x4.splat(x)), 0);
}

// One LSTM layer's forward recurrence over a packed batch (see src/nn/ops/lstm.ts): `gates`
// holds x·W_ihᵀ + b for every packed row and is overwritten by the activations i, f, g, o;
// step t covers rows offsets[t] .. offsets[t] + batchSizes[t]; whhT is W_hhᵀ [hid, 4·hid].
export function lstmForward(
  steps: i32,
  hid: i32,
  batchSizes: usize,
  offsets: usize,
  gates: usize,
  whhT: usize,
  hs: usize,
  cs: usize,
  tanhC: usize,
): void {
  const g4 = hid << 2;
  const h4 = hid & ~3;
  for (let t = 0; t < steps; t++) {
    const n = load<i32>(batchSizes + (<usize>t << 2));
    const row0 = load<i32>(offsets + (<usize>t << 2));
    const prev0 = t > 0 ? load<i32>(offsets + (<usize>(t - 1) << 2)) : 0;
    if (t > 0) {
      gemm(n, g4, hid, hs + ((<usize>prev0 * <usize>hid) << 2), whhT, gates + ((<usize>row0 * <usize>g4) << 2), 1, 0);
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

// The LSTM backward recurrence (see lstmForward for the layout): from the activations `gates`,
// tanh(c) and c of every packed row, the upstream gradient of every row's h (gOut, packed), and
// the gradients of the final states (gh, gc, one row per sequence in sorted order), writes the
// pre-activation gradients dG [rows, 4·hid]; whh is W_hh [4·hid, hid]; dh, dc are scratch rows.
export function lstmBackward(
  steps: i32,
  hid: i32,
  batchSizes: usize,
  offsets: usize,
  gates: usize,
  tanhC: usize,
  cs: usize,
  gOut: usize,
  gh: usize,
  gc: usize,
  whh: usize,
  dG: usize,
  dh: usize,
  dc: usize,
): void {
  const g4 = hid << 2;
  const h4 = hid & ~3;
  const one = f32x4.splat(1.0);
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
    if (t > 0) gemm(n, hid, g4, dG + ((<usize>row0 * <usize>g4) << 2), whh, dh, 0, 0);
  }
}
