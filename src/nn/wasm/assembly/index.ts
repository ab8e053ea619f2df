// WebAssembly SIMD kernels (AssemblyScript). Built by `npm run build` into
// dist/nn/wasm/kernels.wasm; src/nn/kernels/wasm.ts copies operands into linear memory and
// calls these. The plain TypeScript kernels in src/nn/kernels/ts.ts are the reference.

// C[m×n] = (acc ? C : 0) + op(A)·op(B), row-major f32 at byte offsets a, b, c; op(A) is
// A[m×k] or, with transA, Aᵀ of A stored [k×m]; op(B) is B[k×n] or Bᵀ of B stored [n×k].
// B is packed into panels at `scratch` (see packB), and so is a transposed A (see packA), so the
// inner loop streams contiguous memory whatever the layout; a plain A is read in place, four
// rows at a time. `scratch` needs gemmScratch(m, n, k) bytes.
export function gemm(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  b: usize,
  c: usize,
  acc: i32,
  transA: i32,
  transB: i32,
  scratch: usize,
): void {
  const bp = scratch + packedASize(m, k);
  packB(b, k, n, transB, bp);
  if (transA) {
    packA(a, m, k, scratch);
    gemmTiles(m, n, k, scratch, 4, 16, bp, c, acc);
  } else {
    gemmTiles(m, n, k, a, <usize>k << 2, 4, bp, c, acc);
  }
}

// Bytes of scratch gemm needs.
export function gemmScratch(m: i32, n: i32, k: i32): usize {
  return packedASize(m, k) + packedBSize(k, n);
}

// Bytes of scratch lstmForward and lstmBackward need for `rows` packed rows of which `first`
// belong to step 0: W_hh packed, and for dW_hh the product's packing plus the h_{t−1} rows.
export function lstmScratch(rows: i32, first: i32, hid: i32): usize {
  const g4 = hid << 2;
  const most = packedBSize(hid, g4);
  return max(most, gemmScratch(g4, hid, rows - first) + ((<usize>(rows - first) * <usize>hid) << 2));
}

// @ts-ignore: decorator
@inline
function packedASize(m: i32, k: i32): usize {
  return (<usize>((m + 3) >> 2) * <usize>k) << 4;
}

// @ts-ignore: decorator
@inline
function packedBSize(k: i32, n: i32): usize {
  return (<usize>((n + 7) >> 3) * <usize>k) << 5;
}

// Aᵀ of A stored [k×m] in panels of 4 rows: panel q holds, for each p < k, rows 4q..4q+3 of
// column p (zero past row m), so the kernel reads one 16-byte group per step of p. A is read
// row by row (its rows are long when k is the packed-row count), each 16 bytes going to its
// panel: one pass over A, where panel by panel would reload every cache line four times.
function packA(a: usize, m: i32, k: i32, dst: usize): void {
  const full = m >> 2;
  const rest = m & 3;
  const panel = <usize>k << 4;
  for (let p = 0; p < k; p++) {
    const s = a + ((<usize>p * <usize>m) << 2);
    let d = dst + (<usize>p << 4);
    for (let q = 0; q < full; q++, d += panel) v128.store(d, v128.load(s + (<usize>q << 4)));
    if (rest) {
      const t = s + (<usize>full << 4);
      for (let r = 0; r < 4; r++) store<f32>(d + (<usize>r << 2), r < rest ? load<f32>(t + (<usize>r << 2)) : 0);
    }
  }
}

// op(B) in panels of 8 columns: panel q holds, for each p < k, columns 8q..8q+7 of row p
// (zero past column n), so the kernel reads two vectors per step of p.
function packB(b: usize, k: i32, n: i32, transB: i32, dst: usize): void {
  for (let j = 0; j < n; j += 8) {
    const cols = min(8, n - j);
    if (!transB && cols === 8) {
      let s = b + (<usize>j << 2);
      const step = <usize>n << 2;
      for (let p = 0; p < k; p++, dst += 32, s += step) {
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
      }
      continue;
    }
    for (let p = 0; p < k; p++, dst += 32) {
      for (let q = 0; q < 8; q++) {
        const col = j + q;
        let v: f32 = 0;
        if (q < cols) {
          v = transB
            ? load<f32>(b + ((<usize>col * <usize>k + <usize>p) << 2))
            : load<f32>(b + ((<usize>p * <usize>n + <usize>col) << 2));
        }
        store<f32>(dst + (<usize>q << 2), v);
      }
    }
  }
}

// The register tile: 4 rows × 8 columns of C in eight f32x4 accumulators, B in packed panels.
// Element (i + r, p) of op(A), for a block of rows starting at i, is read at
// a + i·4k + r·rowA + p·stepA: packed panels have rowA 4 and stepA 16, plain rows 4k and 4.
function gemmTiles(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  rowA: usize,
  stepA: usize,
  bp: usize,
  c: usize,
  acc: i32,
): void {
  const rowC = <usize>n << 2;
  const blockA = <usize>k << 4;
  const panelB = <usize>k << 5;
  for (let i = 0; i < m; i += 4, a += blockA) {
    const rows = min(4, m - i);
    // Rows past m read row i again (in bounds) and are not stored.
    const a1 = rows > 1 ? a + rowA : a;
    const a2 = rows > 2 ? a + 2 * rowA : a;
    const a3 = rows > 3 ? a + 3 * rowA : a;
    const ci = c + <usize>i * rowC;
    let bq = bp;
    for (let j = 0; j < n; j += 8, bq += panelB) {
      let s00 = f32x4.splat(0);
      let s01 = f32x4.splat(0);
      let s10 = f32x4.splat(0);
      let s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0);
      let s21 = f32x4.splat(0);
      let s30 = f32x4.splat(0);
      let s31 = f32x4.splat(0);
      let p0 = a;
      let p1 = a1;
      let p2 = a2;
      let p3 = a3;
      let pb = bq;
      for (let p = 0; p < k; p++, pb += 32) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const x0 = v128.load32_splat(p0);
        const x1 = v128.load32_splat(p1);
        const x2 = v128.load32_splat(p2);
        const x3 = v128.load32_splat(p3);
        p0 += stepA;
        p1 += stepA;
        p2 += stepA;
        p3 += stepA;
        s00 = f32x4.add(s00, f32x4.mul(x0, b0));
        s01 = f32x4.add(s01, f32x4.mul(x0, b1));
        s10 = f32x4.add(s10, f32x4.mul(x1, b0));
        s11 = f32x4.add(s11, f32x4.mul(x1, b1));
        s20 = f32x4.add(s20, f32x4.mul(x2, b0));
        s21 = f32x4.add(s21, f32x4.mul(x2, b1));
        s30 = f32x4.add(s30, f32x4.mul(x3, b0));
        s31 = f32x4.add(s31, f32x4.mul(x3, b1));
      }
      const cols = min(8, n - j);
      const cj = ci + (<usize>j << 2);
      store8(cj, s00, s01, acc, cols);
      if (rows > 1) store8(cj + rowC, s10, s11, acc, cols);
      if (rows > 2) store8(cj + 2 * rowC, s20, s21, acc, cols);
      if (rows > 3) store8(cj + 3 * rowC, s30, s31, acc, cols);
    }
  }
}

// Stores the first `cols` (≤ 8) lanes of s0‖s1 at p, added to what is there when acc.
// @ts-ignore: decorator
@inline
function store8(p: usize, s0: v128, s1: v128, acc: i32, cols: i32): void {
  if (cols === 8) {
    if (acc) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
    }
    v128.store(p, s0);
    v128.store(p, s1, 16);
    return;
  }
  for (let q = 0; q < cols; q++) {
    const v = q < 4 ? lane(s0, q) : lane(s1, q - 4);
    const o = p + (<usize>q << 2);
    store<f32>(o, acc ? load<f32>(o) + v : v);
  }
}

// @ts-ignore: decorator
@inline
function lane(v: v128, q: i32): f32 {
  if (q === 0) return f32x4.extract_lane(v, 0);
  if (q === 1) return f32x4.extract_lane(v, 1);
  if (q === 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}

// e^x on four lanes: Cephes expf (range reduction by ln 2 split in two, degree-7 polynomial,
// 2^n through the exponent bits). x is clamped to [-87, 88] so the result stays finite and normal.
// pmin/pmax are the single min/max instructions (wasm's min/max add NaN and −0 fix-ups), and
// n is rounded by adding 1.5·2²³, whose low mantissa bits then hold n: cheaper than the
// round and float→int conversion instructions.
// @ts-ignore: decorator
@inline
function expv(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const magic = f32x4.splat(12582912.0);
  const shifted = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), magic);
  const fx = f32x4.sub(shifted, magic);
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(r, r)), r), f32x4.splat(1.0));
  // bits(shifted) = bits(1.5·2²³) + n, so 2^n = (bits(shifted) − bits(1.5·2²³) + 127) << 23.
  const pow2 = i32x4.shl(i32x4.sub(shifted, i32x4.splat(0x4b400000 - 127)), 23);
  return f32x4.mul(y, pow2);
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

// Moves rows between the packed layout (row offsets[t] + j) and a batch-first one [batch,
// maxSteps, width] (row order[j]·maxSteps + t): into the packed one when `toPacked`.
// @ts-ignore: decorator
@inline
function moveRows(
  packed: usize,
  batchFirst: usize,
  order: usize,
  batchSizes: usize,
  offsets: usize,
  steps: i32,
  maxSteps: i32,
  width: i32,
  toPacked: bool,
): void {
  const rowBytes = <usize>width << 2;
  for (let t = 0; t < steps; t++) {
    const n = load<i32>(batchSizes + (<usize>t << 2));
    let p = packed + <usize>load<i32>(offsets + (<usize>t << 2)) * rowBytes;
    for (let j = 0; j < n; j++, p += rowBytes) {
      const b = load<i32>(order + (<usize>j << 2));
      const q = batchFirst + (<usize>b * <usize>maxSteps + <usize>t) * rowBytes;
      if (toPacked) memory.copy(p, q, rowBytes);
      else memory.copy(q, p, rowBytes);
    }
  }
}

// Packed row offsets[t] + j ← row (order[j], t) of `src` [batch, maxSteps, width], batch first.
export function packRows(
  src: usize,
  dst: usize,
  order: usize,
  batchSizes: usize,
  offsets: usize,
  steps: i32,
  maxSteps: i32,
  width: i32,
): void {
  moveRows(dst, src, order, batchSizes, offsets, steps, maxSteps, width, true);
}

// The inverse of packRows into `dst` [batch, maxSteps, width], zero at padded positions.
export function unpackRows(
  src: usize,
  dst: usize,
  order: usize,
  batchSizes: usize,
  offsets: usize,
  steps: i32,
  batch: i32,
  maxSteps: i32,
  width: i32,
): void {
  memory.fill(dst, 0, <usize>batch * <usize>maxSteps * (<usize>width << 2));
  moveRows(src, dst, order, batchSizes, offsets, steps, maxSteps, width, false);
}

// dst[order[j]] ← the packed row of sorted sequence j's last step, zero when it has none.
export function lastRows(
  src: usize,
  dst: usize,
  order: usize,
  batchSizes: usize,
  offsets: usize,
  steps: i32,
  batch: i32,
  width: i32,
): void {
  const rowBytes = <usize>width << 2;
  memory.fill(dst, 0, <usize>batch * rowBytes);
  // Sorted sequence j runs while batchSizes[t] > j; walk j upwards and `last` downwards.
  let last = steps;
  for (let j = 0; j < batch; j++) {
    while (last > 0 && load<i32>(batchSizes + (<usize>(last - 1) << 2)) <= j) last--;
    if (last === 0) break;
    const row = load<i32>(offsets + (<usize>(last - 1) << 2)) + j;
    const b = load<i32>(order + (<usize>j << 2));
    memory.copy(dst + <usize>b * rowBytes, src + <usize>row * rowBytes, rowBytes);
  }
}

// Row j ← row order[j] of `src` [batch, width].
export function sortRows(src: usize, dst: usize, order: usize, batch: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  for (let j = 0; j < batch; j++) {
    const b = load<i32>(order + (<usize>j << 2));
    memory.copy(dst + <usize>j * rowBytes, src + <usize>b * rowBytes, rowBytes);
  }
}

// Every row of dst [rows, width] ← src [width].
export function fillRows(dst: usize, src: usize, rows: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < rows; r++) memory.copy(dst + <usize>r * rowBytes, src, rowBytes);
}

// dst[0..width) ← a + b, one vector at a time (dst may be a).
// @ts-ignore: decorator
@inline
function addRow(dst: usize, a: usize, b: usize, width: i32): void {
  const w4 = width & ~3;
  let k = 0;
  for (; k < w4; k += 4) {
    const o = <usize>k << 2;
    v128.store(dst + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; k < width; k++) {
    const o = <usize>k << 2;
    store<f32>(dst + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

// Row r of gates [rows, width] ← bias + proj[ids[r]]: the input side of an LSTM whose inputs
// are embedding rows, with proj = table·W_ihᵀ computed once per table row instead of per token.
export function tokenRows(ids: usize, proj: usize, bias: usize, gates: usize, rows: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < rows; r++) {
    const src = proj + <usize>load<i32>(ids + (<usize>r << 2)) * rowBytes;
    addRow(gates + <usize>r * rowBytes, bias, src, width);
  }
}

// sums[v] (zeroed first, [vocab, width]) ← the sum of the rows r of dG with ids[r] = v.
export function sumTokenRows(dG: usize, ids: usize, sums: usize, rows: i32, vocab: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  memory.fill(sums, 0, <usize>vocab * rowBytes);
  for (let r = 0; r < rows; r++) {
    const dst = sums + <usize>load<i32>(ids + (<usize>r << 2)) * rowBytes;
    addRow(dst, dst, dG + <usize>r * rowBytes, width);
  }
}
