// Matrix products on f32x4 vectors: C = op(A)·op(B) with packed panels of B (and of Aᵀ).
import { lane } from "./math";

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

// @ts-ignore: decorator
@inline
export function packedASize(m: i32, k: i32): usize {
  return (<usize>((m + 3) >> 2) * <usize>k) << 4;
}

// @ts-ignore: decorator
@inline
export function packedBSize(k: i32, n: i32): usize {
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
export function packB(b: usize, k: i32, n: i32, transB: i32, dst: usize): void {
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
export function gemmTiles(
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
